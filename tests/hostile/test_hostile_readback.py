"""Read back within bounds: what the writer stores (nan, infinities) reads back and is drawn; what it never stores
(out of range, non-finite where it cannot be, deep nesting, huge npy headers, zip bombs) is one SnapshotError, and a
bad second snapshot in a replay is a notice on n, not an exit."""

from __future__ import annotations

import dataclasses
import io
import json
import math
import shutil
import zipfile

import numpy as np
import pytest

from rnnscope.contracts.frames import Saturation, StepStats
from rnnscope.runner.replay import ReplaySource
from rnnscope.storage.snapshot_io import SnapshotError
from rnnscope.storage.snapshot_load import load_snapshot_frame
from rnnscope.storage.snapshot_read import read_json, read_npz
from rnnscope.ui.app import make_app
from tests.exporting.test_export import quick_figure, write  # noqa: F401  (quick_figure is a fixture)
from tests.fake_frames import make_frame
from tests.ui.app_harness import notifications, status_text, wait_until


def _nonfinite_frame(model="lstm", step=200):
    """A frame with every non-finite value the engine can publish after a divergence."""
    frame = make_frame(model, T=12, H=6, V=9, step=step)
    layer = frame.probe.layers[0]
    sigma = {k: math.nan for k in layer.metrics.sigma_max} if isinstance(layer.metrics.sigma_max, dict) else math.nan
    metrics = dataclasses.replace(layer.metrics, sigma_max=sigma, decay_per_step=math.inf, memory_horizon=math.inf)
    grad_h = layer.grad_h.copy()
    grad_h[0] = math.inf
    layer = dataclasses.replace(layer, metrics=metrics, grad_h=grad_h)
    probe = dataclasses.replace(frame.probe, layers=(layer,), loss=math.nan)
    last = frame.last_step
    last = StepStats(step=last.step, loss=math.inf, grad_norms={k: math.inf for k in last.grad_norms},
                     grad_norms_post={k: math.nan for k in last.grad_norms_post}, total_pre=math.inf,
                     total_post=math.nan, clipped=True)
    history = frame.loss_history.copy()
    history[-1, 1] = math.nan
    grads = frame.grad_norm_history.copy()
    grads[-1, 1:] = math.inf
    status = dataclasses.replace(frame.status, train_loss=math.nan, val_loss=math.inf)
    return dataclasses.replace(frame, probe=probe, last_step=last, loss_history=history, grad_norm_history=grads,
                               status=status)


@pytest.mark.parametrize("model", ["lstm", "rnn-tanh"])
def test_every_non_finite_value_the_writer_stores_reads_back(tmp_path, quick_figure, model):  # noqa: F811
    loaded = load_snapshot_frame(write(tmp_path, _nonfinite_frame(model)))
    sigma = loaded.probe.layers[0].metrics.sigma_max
    assert all(math.isnan(v) for v in (sigma.values() if isinstance(sigma, dict) else [sigma]))
    assert math.isnan(loaded.status.train_loss) and math.isnan(loaded.probe.loss)


@pytest.mark.slow
async def test_the_screen_draws_a_snapshot_full_of_non_finite_numbers(tmp_path, quick_figure):  # noqa: F811
    good = write(tmp_path, make_frame("lstm", T=12, H=6, V=9, step=100))
    bad = write(tmp_path, _nonfinite_frame("lstm", step=200))
    for size in ((160, 48), (100, 30)):
        app = make_app(lambda: ReplaySource([good, bad]), run_label="replay", start_paused=True)
        async with app.run_test(size=size) as pilot:
            await wait_until(pilot, lambda: "step 100" in status_text(app), "the first snapshot")  # noqa: B023 (called at once, inside the loop)
            await pilot.press("n")
            await wait_until(pilot, lambda: "step 200" in status_text(app), "the snapshot with nan")  # noqa: B023 (called at once, inside the loop)
            for key in "12345" if size[0] < 150 else "":
                await pilot.press(key)
                await pilot.pause(0.1)
            assert app.is_running and app.return_code is None


META_OUT_OF_RANGE = {
    "clip negative": lambda m: m.__setitem__("clip", -1),
    "lr zero": lambda m: m.__setitem__("lr", 0),
    "step negative": lambda m: m.__setitem__("step", -3),
    "sigma negative": lambda m: m["metrics"][0].__setitem__("sigma_max", {"input": -1.0, "forget": 1.0, "cell": 1.0,
                                                                         "output": 1.0}),
    "saturation nan": lambda m: m["metrics"][0]["saturation"]["forget"].__setitem__("low", math.nan),
    "saturation above 1": lambda m: m["metrics"][0]["saturation"]["forget"].__setitem__("high", 7.0),
    "decay negative": lambda m: m["metrics"][0].__setitem__("decay_per_step", -0.5),
    "clip fire rate inf": lambda m: m.__setitem__("clip_fire_rate", math.inf),
    "probe loss negative": lambda m: m["probe"].__setitem__("loss", -1.0),
    "probe cost nan": lambda m: m["probe"].__setitem__("cost_ms", math.nan),
    "event step negative": lambda m: m.__setitem__("events", [{"step": -1, "label": "x"}]),
    "sample temperature zero": lambda m: m.__setitem__("sample", {**m["sample"], "temperature": 0.0}),
    "grad norm negative": lambda m: m["last_step"]["grad_norms"].__setitem__(next(iter(m["last_step"]["grad_norms"])),
                                                                             -2.0),
    "memory k zero": lambda m: m["memory"]["context_curve"].__setitem__("k", [0] * len(m["memory"]["context_curve"]["k"])),
    "memory full negative": lambda m: m["memory"]["context_curve"].__setitem__("full", -1.0),
    "hidden huge": lambda m: m["sizes"].__setitem__("hidden", 10**12),
    "layers mismatch": lambda m: m["sizes"].__setitem__("layers", 2),
    "nested 60 deep": lambda m: m.__setitem__("sample", json.loads("[" * 60 + "]" * 60)),
}


@pytest.fixture
def snapshot(tmp_path, quick_figure):  # noqa: F811
    return write(tmp_path / "run", make_frame("lstm", T=12, H=6, V=9, step=100))


@pytest.mark.parametrize("case", sorted(META_OUT_OF_RANGE))
def test_meta_out_of_range_is_one_snapshot_error(snapshot, case):
    meta = json.loads((snapshot / "meta.json").read_text())
    META_OUT_OF_RANGE[case](meta)
    (snapshot / "meta.json").write_text(json.dumps(meta))  # json.dumps writes NaN / Infinity as Python reads them
    with pytest.raises(SnapshotError) as error:
        load_snapshot_frame(snapshot)
    assert "\n" not in str(error.value)


def test_meta_nested_beyond_the_parser_is_one_snapshot_error(snapshot):
    (snapshot / "meta.json").write_text('{"sample": ' + "[" * 200_000 + "]" * 200_000 + "}")
    with pytest.raises(SnapshotError, match="nested"):
        load_snapshot_frame(snapshot)


def test_a_large_json_is_refused_before_it_is_parsed(tmp_path):
    path = tmp_path / "meta.json"
    path.write_text(json.dumps({"x": "y" * 5000}))
    with pytest.raises(SnapshotError, match="more than"):
        read_json(path, max_bytes=1000)


def _arrays(folder):
    with np.load(folder / "arrays.npz") as npz:
        return {key: npz[key] for key in npz.files}


def _resave(folder, arrays):
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    (folder / "arrays.npz").write_bytes(buffer.getvalue())


ARRAYS_OUT_OF_RANGE = {
    "probs inf": lambda a: a["probe_probs"].__setitem__((0, 0), math.inf),
    "probs above 1": lambda a: a["probe_probs"].__setitem__((0, 0), 3.0),
    "hidden nan": lambda a: a["hidden_l0"].__setitem__((0, 0), math.nan),
    "gates inf": lambda a: a["gates_l0"].__setitem__((0, 0, 0), -math.inf),
    "embedding nan": lambda a: a["embedding.weight"].__setitem__((0, 0), math.nan),
    "grad_h negative": lambda a: a["grad_h_l0"].__setitem__(0, -1.0),
    "loss history step nan": lambda a: a["loss_history"].__setitem__((0, 0), math.nan),
    "loss history negative loss": lambda a: a["loss_history"].__setitem__((0, 1), -4.0),
}


@pytest.mark.parametrize("case", sorted(ARRAYS_OUT_OF_RANGE))
def test_arrays_out_of_range_are_one_snapshot_error(snapshot, case):
    arrays = _arrays(snapshot)
    ARRAYS_OUT_OF_RANGE[case](arrays)
    _resave(snapshot, arrays)
    with pytest.raises(SnapshotError):
        load_snapshot_frame(snapshot)


def _member_with_header(archive: zipfile.ZipFile, key: str, shape: tuple, dtype="<f4") -> None:
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": dtype, "fortran_order": False, "shape": shape})
    archive.writestr(f"{key}.npy", header.getvalue() + b"\0" * 64)


def test_an_npy_header_of_a_trillion_entries_is_refused_before_any_allocation(snapshot):
    arrays = _arrays(snapshot)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for key, value in arrays.items():
            if key == "probe_probs":
                _member_with_header(archive, key, (10**12,))
            else:
                with archive.open(f"{key}.npy", "w") as member:
                    np.lib.format.write_array(member, value)
    (snapshot / "arrays.npz").write_bytes(buffer.getvalue())
    with pytest.raises(SnapshotError, match="probe_probs has shape"):
        load_snapshot_frame(snapshot)


def test_an_archive_that_inflates_far_beyond_its_size_is_refused_unread(tmp_path):
    path = tmp_path / "bomb.npz"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open("zeros.npy", "w") as member:
            np.lib.format.write_array(member, np.zeros(40_000_000, dtype=np.uint8))  # 40 MB of zeros in ~40 KB
    assert path.stat().st_size < 200_000
    with pytest.raises(SnapshotError, match="inflate"):
        read_npz(path, {"zeros": ((40_000_000,),)})
    with pytest.raises(SnapshotError, match="GiB"):
        read_npz(path, {"zeros": ((40_000_000,),)}, budget=1000) if False else read_npz(
            _stored(tmp_path), {"zeros": ((1_000_000,),)}, budget=1000)


def _stored(tmp_path):
    path = tmp_path / "stored.npz"
    np.savez(path, zeros=np.zeros(1_000_000, dtype=np.uint8))
    return path


async def test_a_bad_second_snapshot_is_a_notice_on_n_and_the_replay_goes_on(tmp_path, quick_figure):  # noqa: F811
    good = write(tmp_path, make_frame("lstm", T=12, H=6, V=9, step=100))
    bad = tmp_path / "step-000200"
    shutil.copytree(good, bad)
    (bad / "meta.json").write_text('{"sample": ' + "[" * 100_000 + "]" * 100_000 + "}")
    app = make_app(lambda: ReplaySource([good, bad]), run_label="replay", start_paused=True)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(pilot, lambda: "step 100" in status_text(app), "the first snapshot")
        await pilot.press("n")
        await wait_until(pilot, lambda: any("nested" in m for m in notifications(app, "error")), "the notice")
        assert app.is_running and "step 100" in status_text(app)


def test_renderers_show_non_finite_numbers_instead_of_crashing():
    from rnnscope.ui.render.accents import DEFAULT_ACCENTS
    from rnnscope.ui.render.grad_norms import render_grad_norms
    from rnnscope.ui.render.health import render_health
    from rnnscope.ui.render.memory import render_memory
    from rnnscope.ui.render.probe_text import guesses

    frame = _nonfinite_frame("lstm")
    for bad in (math.nan, math.inf, -math.inf):
        metrics = dataclasses.replace(frame.probe.layers[0].metrics,
                                      sigma_max={"input": bad, "forget": 1e308, "cell": -1.0, "output": 0.5},
                                      saturation={"forget": Saturation(low=bad, high=bad)})
        text = "".join(s.text for line in render_health(metrics, 60, 20, DEFAULT_ACCENTS) for s in line)
        assert ("nan" if bad != bad else "inf") in text
        probe = dataclasses.replace(frame.probe, probs=np.full_like(frame.probe.probs, bad))
        assert guesses(probe, frame.vocab, 0, False, DEFAULT_ACCENTS)
        step = dataclasses.replace(frame.last_step, total_pre=bad, total_post=bad)
        assert render_grad_norms(step, bad if bad > 0 else None, 60, 12, DEFAULT_ACCENTS)
        memory = dataclasses.replace(frame.memory, full=bad, context_loss=np.full_like(frame.memory.context_loss, bad))
        assert render_memory(memory, 60, 10, DEFAULT_ACCENTS)
