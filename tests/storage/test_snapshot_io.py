"""Reading snapshots back: round trip of write_snapshot, listing run folders, clear errors for bad ones."""

from __future__ import annotations

import dataclasses
import json
import math
import shutil
from pathlib import Path

import numpy as np
import pytest

from rnnscope.contracts.frames import PAUSED
from rnnscope.storage.snapshot_io import SnapshotError, is_run_dir, list_snapshots
from rnnscope.storage.snapshot_load import load_snapshot_frame
from tests.exporting.test_export import quick_figure, write  # noqa: F401  (quick_figure is a fixture)
from tests.fake_frames import make_frame, make_weights

LAYER_ARRAYS = ("gates", "pre_activation", "cell", "hidden", "grad_h", "grad_c", "grad_h_total")


def assert_same_array(loaded, original) -> None:
    if original is None:
        assert loaded is None
    else:
        np.testing.assert_array_equal(loaded, original)


@pytest.mark.parametrize("model, layers", [("lstm", 2), ("gru", 1), ("rnn-tanh", 1), ("rnn-relu", 2)])
def test_round_trip_rebuilds_the_frame(tmp_path, quick_figure, model, layers):  # noqa: F811
    frame = make_frame(model, layers=layers, T=12, H=5, V=9, step=321)
    weights = make_weights(model, layers=layers, H=5, V=9)
    loaded = load_snapshot_frame(write(tmp_path, frame, weights))

    written_config = frame.status.config.with_(corpus="/data/tiny.txt", seed=7)  # what test_export.write passes
    assert loaded.status == dataclasses.replace(frame.status, state=PAUSED, run_dir=str(tmp_path), config=written_config)
    assert loaded.vocab == frame.vocab and loaded.events == frame.events and loaded.sample == frame.sample
    assert vars(loaded.last_step) == vars(frame.last_step)
    for name in ("loss_history", "val_history", "grad_norm_history"):
        np.testing.assert_array_equal(getattr(loaded, name), getattr(frame, name))
    probe, original = loaded.probe, frame.probe
    assert (probe.step, probe.text, probe.loss, probe.cost_ms) == (original.step, original.text, original.loss, original.cost_ms)
    for name in ("ids", "targets", "probs"):
        np.testing.assert_array_equal(getattr(probe, name), getattr(original, name))
    np.testing.assert_array_equal(probe.embedding, weights["embedding.weight"])
    np.testing.assert_array_equal(probe.connectivity, original.connectivity)
    assert len(probe.layers) == layers
    for got, want in zip(probe.layers, original.layers):
        assert got.gate_names == want.gate_names
        assert got.metrics == want.metrics
        for name in LAYER_ARRAYS:
            assert_same_array(getattr(got, name), getattr(want, name))


def test_nan_losses_and_infinite_horizon_come_back(tmp_path, quick_figure):  # noqa: F811
    frame = make_frame("rnn-relu", step=9)
    frame = dataclasses.replace(frame, status=dataclasses.replace(frame.status, val_loss=math.nan))
    loaded = load_snapshot_frame(write(tmp_path, frame))
    assert math.isnan(loaded.status.val_loss)
    assert loaded.probe.layers[0].metrics.horizon_is_infinite


def test_list_snapshots_orders_by_step_and_skips_other_entries(tmp_path):
    for name in ("step-000100", "step-000020", "step-1000000", ".tmp-step-000300-ab12", "notes", "step-12"):
        (tmp_path / name).mkdir()
    (tmp_path / "step-000400").write_text("a file, not a folder")
    assert [p.name for p in list_snapshots(tmp_path)] == ["step-000020", "step-000100", "step-1000000"]
    assert is_run_dir(tmp_path)
    assert not is_run_dir(tmp_path / "notes") and not is_run_dir(tmp_path / "missing")
    assert list_snapshots(tmp_path / "missing") == []


@pytest.fixture(scope="module")
def good_snapshot(tmp_path_factory):
    """A real snapshot (figure included) to copy and damage."""
    return write(tmp_path_factory.mktemp("run"), make_frame("lstm", T=6, H=3, V=5, step=7))


@pytest.fixture
def damaged(good_snapshot, tmp_path) -> Path:
    return Path(shutil.copytree(good_snapshot, tmp_path / good_snapshot.name))


def resave_arrays(folder: Path, change) -> None:
    with np.load(folder / "arrays.npz", allow_pickle=False) as npz:
        arrays = {key: npz[key] for key in npz.files}
    change(arrays)
    np.savez(folder / "arrays.npz", **arrays)


def remove_meta_key(folder: Path, key: str) -> None:
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    del meta[key]
    (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")


def set_meta_model(folder: Path, model: str) -> None:
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    meta["model"] = model
    (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")


DAMAGE = {
    "meta missing": (lambda f: (f / "meta.json").unlink(), "no meta.json"),
    "meta not json": (lambda f: (f / "meta.json").write_text("{step: 1"), "JSON"),
    "meta a list": (lambda f: (f / "meta.json").write_text("[1, 2]"), "JSON object"),
    "meta lacks vocab": (lambda f: remove_meta_key(f, "vocab"), "'vocab'"),
    "unknown model": (lambda f: set_meta_model(f, "transformer"), "unknown model"),
    "arrays missing": (lambda f: (f / "arrays.npz").unlink(), "no arrays.npz"),
    "arrays garbage": (lambda f: (f / "arrays.npz").write_bytes(b"not a zip at all"), "corrupt"),
    "arrays truncated": (lambda f: (f / "arrays.npz").write_bytes((f / "arrays.npz").read_bytes()[:300]), "corrupt"),
    "array missing": (lambda f: resave_arrays(f, lambda a: a.pop("hidden_l0")), "'hidden_l0'"),
    "pickled array": (lambda f: resave_arrays(f, lambda a: a.update(probe_ids=np.array([{}], dtype=object))), "corrupt"),
}


@pytest.mark.parametrize("case", DAMAGE)
def test_damaged_snapshot_raises_one_line_snapshot_error(damaged, case):
    damage, expected = DAMAGE[case]
    damage(damaged)
    with pytest.raises(SnapshotError) as error:
        load_snapshot_frame(damaged)
    assert expected in str(error.value)
    assert "\n" not in str(error.value)


def test_a_folder_that_is_not_a_snapshot_is_refused(tmp_path, good_snapshot):
    with pytest.raises(SnapshotError, match="no meta.json"):
        load_snapshot_frame(tmp_path)
    with pytest.raises(SnapshotError, match="not an existing directory"):
        load_snapshot_frame(tmp_path / "missing")
    with pytest.raises(SnapshotError, match="not an existing directory"):
        load_snapshot_frame(good_snapshot / "meta.json")
    assert isinstance(SnapshotError("x"), ValueError)


def test_a_snapshot_written_before_connectivity_existed_still_loads(damaged):
    with np.load(damaged / "arrays.npz") as npz:
        arrays = {key: npz[key] for key in npz.files}
    assert arrays.pop("connectivity").shape == (6, 6)
    np.savez(damaged / "arrays.npz", **arrays)
    loaded = load_snapshot_frame(damaged)
    assert loaded.probe.connectivity is None and loaded.probe.layers[0].hidden.shape == (6, 3)


def test_a_snapshot_from_before_timings_still_loads(tmp_path, quick_figure):  # noqa: F811
    folder = write(tmp_path, make_frame("lstm", layers=1, T=12, H=5, V=9, step=7), make_weights("lstm", 1, 5, 9))
    meta = json.loads((folder / "meta.json").read_text())
    assert "timings" in meta  # written by every export (null where the writer knew none)
    del meta["timings"]
    (folder / "meta.json").write_text(json.dumps(meta))
    assert load_snapshot_frame(folder).status.step == 7
