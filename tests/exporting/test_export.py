"""Snapshot export: folder layout, strict JSON, pickle-free arrays, atomic writes and the figure."""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from rnnscope.contracts.config import RunConfig
from rnnscope.exporting import export
from rnnscope.exporting.figure import render_figure, visible_char
from tests.fake_frames import make_frame, make_weights

torch.set_num_threads(1)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
META_KEYS = {
    "rnnscope_version", "step", "model", "sizes", "clip", "init", "init_gain", "seed", "lr", "optimizer",
    "corpus", "vocab", "probe", "train_loss", "val_loss", "timestamp", "metrics",
}
PER_LAYER = ("gates", "cell", "hidden", "grad_h", "grad_c", "grad_h_total", "pre_activation")


def _checkpoint(weights: dict[str, np.ndarray], step: int) -> dict:
    return {"model": {k: torch.from_numpy(v) for k, v in weights.items()}, "step": step, "config": RunConfig().to_dict()}


def write(run_dir: Path, frame, weights=None, **extra) -> Path:
    """write_snapshot with the fake model's weights and a small real checkpoint."""
    status = frame.status
    if weights is None:
        weights = make_weights(status.config.model, status.config.layers, status.config.hidden, len(frame.vocab))
    return export.write_snapshot(
        run_dir, frame, RunConfig(seed=7), corpus_path="/data/tiny.txt", corpus_sha256="ab" * 32,
        weights=weights, checkpoint=_checkpoint(weights, status.step), **extra,
    )


def strict_json(text: str):
    def refuse(token):
        raise ValueError(f"non-standard JSON token {token}")

    return json.loads(text, parse_constant=refuse)


@pytest.fixture
def quick_figure(monkeypatch):
    """Tests about folders, not pictures: write a tiny placeholder PNG instead of rendering."""
    monkeypatch.setattr(export, "render_figure", lambda frame, path: Path(path).write_bytes(PNG_SIGNATURE))


@pytest.fixture(scope="module")
def lstm_snapshot(tmp_path_factory):
    """One real export (figure included) of a two-layer LSTM frame, shared by the read-only tests."""
    frame = make_frame("lstm", layers=2, T=24, H=16, V=12, step=500)
    weights = make_weights("lstm", layers=2, H=16, V=12)
    folder = write(tmp_path_factory.mktemp("run"), frame, weights, screen_svg="<svg>screen</svg>")
    return folder, frame, weights


@pytest.mark.slow
def test_folder_holds_exactly_the_snapshot_files(lstm_snapshot):
    folder, _, _ = lstm_snapshot
    assert folder.name == "step-000500"
    assert sorted(p.name for p in folder.iterdir()) == ["arrays.npz", "checkpoint.pt", "figure.png", "meta.json", "screen.svg"]
    assert [p.name for p in folder.parent.iterdir()] == ["step-000500"]  # no temp folder left
    assert (folder / "screen.svg").read_text() == "<svg>screen</svg>"


def test_meta_is_strict_json_describing_the_frame(lstm_snapshot):
    folder, frame, _ = lstm_snapshot
    meta = strict_json((folder / "meta.json").read_text(encoding="utf-8"))
    assert META_KEYS <= meta.keys()
    assert meta["step"] == 500 and meta["model"] == "lstm" and meta["seed"] == 7
    assert meta["sizes"] == {"hidden": 16, "embed": frame.status.config.embed, "layers": 2, "seq_len": 24, "batch": 32}
    assert meta["corpus"]["path"] == "/data/tiny.txt" and meta["corpus"]["sha256"] == "ab" * 32
    assert meta["vocab"] == list(frame.vocab) and "\n" in meta["vocab"]
    assert meta["probe"]["text"] == frame.probe.text
    assert meta["clip"] == frame.status.config.clip and meta["train_loss"] == frame.status.train_loss
    assert meta["timestamp"].endswith("+00:00")
    assert len(meta["metrics"]) == 2
    for saved, layer in zip(meta["metrics"], frame.probe.layers):
        assert saved["decay_per_step"] == layer.metrics.decay_per_step
        assert saved["memory_horizon"] == layer.metrics.memory_horizon
        assert saved["verdict"] == layer.metrics.verdict
        assert saved["sigma_max"] == layer.metrics.sigma_max
        assert saved["saturation"]["forget"] == dataclasses.asdict(layer.metrics.saturation["forget"])


def test_infinite_horizon_and_missing_losses_become_null(tmp_path, quick_figure):
    frame = make_frame("rnn-relu", step=40)  # exploding flow: infinite horizon
    frame = dataclasses.replace(frame, status=dataclasses.replace(frame.status, val_loss=math.nan, train_loss=math.inf))
    meta = strict_json((write(tmp_path, frame) / "meta.json").read_text(encoding="utf-8"))
    assert meta["val_loss"] is None and meta["train_loss"] is None
    assert meta["metrics"][0]["memory_horizon"] is None
    assert meta["metrics"][0]["verdict"] == "exploding"
    assert isinstance(meta["metrics"][0]["sigma_max"], float) and meta["metrics"][0]["saturation"] == {}


def test_arrays_load_without_pickle_under_the_documented_keys(lstm_snapshot):
    folder, frame, weights = lstm_snapshot
    with np.load(folder / "arrays.npz", allow_pickle=False) as npz:
        arrays = {key: npz[key] for key in npz.files}
    layer_keys = {f"{name}_l{layer}" for name in PER_LAYER for layer in (0, 1)}
    histories = {"loss_history", "val_history", "grad_norm_history"}
    probe_keys = {"probe_ids", "probe_targets", "probe_probs", "connectivity"}
    assert arrays.keys() == probe_keys | histories | layer_keys | weights.keys()
    np.testing.assert_array_equal(arrays["connectivity"], frame.probe.connectivity)  # [T, T]
    for layer, probe_layer in enumerate(frame.probe.layers):
        assert arrays[f"gates_l{layer}"].shape == (4, 24, 16)
        np.testing.assert_array_equal(arrays[f"cell_l{layer}"], probe_layer.cell)
        np.testing.assert_array_equal(arrays[f"grad_c_l{layer}"], probe_layer.grad_c)
        assert arrays[f"pre_activation_l{layer}"].shape == (0, 16)  # not a vanilla RNN
    np.testing.assert_array_equal(arrays["probe_ids"], frame.probe.ids)
    np.testing.assert_array_equal(arrays["grad_norm_history"], frame.grad_norm_history)
    np.testing.assert_array_equal(arrays["rnn.weight_hh_l1"], weights["rnn.weight_hh_l1"])


@pytest.mark.parametrize("model, gates_shape", [("gru", (3, 10, 6)), ("rnn-tanh", (0, 10, 6))])
def test_models_without_cell_state_store_empty_arrays(tmp_path, quick_figure, model, gates_shape):
    folder = write(tmp_path, make_frame(model, T=10, H=6))
    with np.load(folder / "arrays.npz", allow_pickle=False) as npz:
        assert npz["gates_l0"].shape == gates_shape
        assert npz["cell_l0"].shape == (0, 6) and npz["grad_c_l0"].shape == (0,)
        assert npz["pre_activation_l0"].shape == ((10, 6) if model == "rnn-tanh" else (0, 6))


def test_checkpoint_loads_with_weights_only(lstm_snapshot):
    folder, _, weights = lstm_snapshot
    checkpoint = torch.load(folder / "checkpoint.pt", weights_only=True)
    assert checkpoint["step"] == 500
    assert torch.equal(checkpoint["model"]["head.weight"], torch.from_numpy(weights["head.weight"]))


def test_figure_is_a_wide_png(lstm_snapshot):
    folder, _, _ = lstm_snapshot
    assert (folder / "figure.png").read_bytes()[:8] == PNG_SIGNATURE
    with Image.open(folder / "figure.png") as image:
        width, height = image.size
    assert width == 1600 and 900 <= height <= 2500
    assert (folder / "figure.png").stat().st_size > 50_000


@pytest.mark.slow
@pytest.mark.parametrize("model", ["gru", "rnn-relu"])
def test_figure_renders_every_model(tmp_path, model):
    render_figure(make_frame(model, T=8, H=4, V=6), tmp_path / "figure.png")
    with Image.open(tmp_path / "figure.png") as image:
        assert image.size[0] == 1600


def test_time_axis_characters_are_the_screens_symbols():
    from rnnscope.ui.render.visible_chars import visible_symbol

    assert [visible_char(ch) for ch in "\n \ta"] == ["⏎", "␣", "⇥", "a"]
    for ch in "\x1b\x7f\x00\r\u200b\u0301\u00a0éz":  # what the font draws is drawn as on the screen
        assert visible_char(ch) in (visible_symbol(ch), f"U+{ord(ch):04X}"), repr(ch)
    assert visible_char("\u200b") == "�" == visible_symbol("\u200b")  # the font has it: the same symbol
    assert visible_char("\x7f") == "U+007F"  # no installed font draws the Control Pictures (␡): the code point


def test_failed_write_leaves_no_trace_and_keeps_earlier_snapshot(tmp_path, quick_figure, monkeypatch):
    earlier = write(tmp_path, make_frame(step=50))
    earlier_meta = (earlier / "meta.json").read_bytes()

    def broken_figure(frame, path):
        raise RuntimeError("disk full")

    monkeypatch.setattr(export, "render_figure", broken_figure)
    for step in (50, 60):  # a new step, and a re-export over the earlier one
        with pytest.raises(RuntimeError, match="disk full"):
            write(tmp_path, make_frame(step=step, seed=3))
    assert [p.name for p in tmp_path.iterdir()] == ["step-000050"]
    assert (earlier / "meta.json").read_bytes() == earlier_meta


def test_reexport_of_a_step_replaces_it(tmp_path, quick_figure):
    write(tmp_path, make_frame(step=80, seed=1), screen_svg="<svg/>")
    second = make_frame(step=80, seed=2)
    folder = write(tmp_path, second)
    assert [p.name for p in tmp_path.iterdir()] == ["step-000080"]
    assert strict_json((folder / "meta.json").read_text(encoding="utf-8"))["probe"]["text"] == second.probe.text
    assert not (folder / "screen.svg").exists()  # the old folder was replaced, not merged


def test_run_dir_is_created_with_parents(tmp_path, quick_figure):
    folder = write(tmp_path / "runs" / "a" / "b", make_frame(step=3))
    assert folder == tmp_path / "runs" / "a" / "b" / "step-000003"


def test_frame_without_probe_or_clashing_weights_is_refused(tmp_path, quick_figure):
    with pytest.raises(ValueError, match="no probe"):
        write(tmp_path, dataclasses.replace(make_frame(), probe=None))
    with pytest.raises(ValueError, match="clash"):
        write(tmp_path, make_frame(), weights={"probe_ids": np.zeros(3)})
    assert list(tmp_path.iterdir()) == []


@pytest.mark.filterwarnings("error")
def test_figure_of_a_diverged_probe_renders_without_warnings(tmp_path):
    frame = make_frame("lstm", T=8, H=4, V=6)
    layer = frame.probe.layers[0]
    broken = dataclasses.replace(
        layer, hidden=np.full_like(layer.hidden, np.nan), cell=np.full_like(layer.cell, np.inf),
        grad_h=np.full_like(layer.grad_h, np.inf), grad_c=np.zeros_like(layer.grad_c),
        metrics=dataclasses.replace(layer.metrics, decay_per_step=math.nan),
    )
    losses = frame.loss_history.copy()  # [N, 2]
    losses[-2:, 1] = [np.nan, np.inf]
    probe = dataclasses.replace(frame.probe, layers=(broken,), loss=math.nan)
    diverged = dataclasses.replace(frame, probe=probe, loss_history=losses)
    render_figure(diverged, tmp_path / "figure.png")
    assert (tmp_path / "figure.png").read_bytes()[:8] == PNG_SIGNATURE


@pytest.mark.parametrize("model", ["lstm", "gru", "rnn-tanh", "rnn-relu"])
def test_fake_frames_are_deterministic_and_self_consistent(model):
    frame, again = make_frame(model, layers=2, seed=5), make_frame(model, layers=2, seed=5)
    probe = frame.probe
    np.testing.assert_array_equal(probe.layers[1].hidden, again.probe.layers[1].hidden)
    np.testing.assert_allclose(probe.probs.sum(axis=1), 1.0, rtol=1e-5)
    assert probe.loss == pytest.approx(-np.mean(np.log(probe.probs[np.arange(24), probe.targets])), rel=1e-5)
    assert probe.text[:-1] == "".join(frame.vocab[i] for i in probe.ids) and "\n" in probe.text and " " in probe.text
    for layer in probe.layers:
        sigmoid_gates = [g for name, g in zip(layer.gate_names, layer.gates) if name not in ("cell", "new")]
        assert all(g.min() >= 0 and g.max() <= 1 for g in sigmoid_gates)
        expected_decay = (layer.grad_h[0] / layer.grad_h[-1]) ** (1 / 23)
        assert layer.metrics.decay_per_step == pytest.approx(expected_decay, rel=1e-5)
        assert (layer.cell is not None) == (model == "lstm") and (layer.pre_activation is not None) == model.startswith("rnn")


def test_a_file_replaced_atomically_is_whole_or_as_it_was(tmp_path):
    from rnnscope.storage.atomic_file import replace_atomically

    target = tmp_path / "meta.json"
    target.write_text("old")

    def half_written(temp):
        temp.write_text("ne")
        raise KeyboardInterrupt  # Ctrl-C in the middle

    with pytest.raises(KeyboardInterrupt):
        replace_atomically(target, half_written)
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["meta.json"]
    replace_atomically(target, lambda temp: temp.write_text("new"))
    assert target.read_text() == "new" and [p.name for p in tmp_path.iterdir()] == ["meta.json"]
