"""The timeline store: frames round-trip, stay bounded and whole, and a reader refuses a malformed one."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from rnnscope.storage.run_dir import remove_leftovers
from rnnscope.storage.timeline import TimelineError, TimelineReader, TimelineWriter
from rnnscope.storage.timeline.index import frame_name
from rnnscope.storage.timeline.writer import thin
from tests.fake_frames import make_frame

LAYER_ARRAYS = ("gates", "pre_activation", "cell", "hidden", "grad_h", "grad_c", "grad_h_total")


def _append(writer, probe, step, memory=None, **changes):
    return writer.append(dataclasses.replace(probe, step=step, **changes), wall_time=1000.0 + step,
                         train_loss=2.0 - step / 1e4, val_loss=None, memory=memory, meta={"model": "x"})


@pytest.mark.parametrize("model, layers", [("lstm", 2), ("gru", 1), ("rnn-tanh", 1), ("rnn-relu", 2)])
def test_a_frame_comes_back_as_written(tmp_path, model, layers):
    frame = make_frame(model, layers=layers, T=12, H=5, V=9, step=321)
    entry = _append(TimelineWriter(tmp_path), frame.probe, 321, frame.memory)
    reader = TimelineReader(tmp_path)
    assert reader.index() == [entry]
    loaded = reader.load(entry.id)
    assert (loaded.entry.step, loaded.entry.train_loss, loaded.entry.val_loss) == (321, 2.0 - 0.0321, None)
    probe, original = loaded.probe, frame.probe
    assert (probe.step, probe.text, probe.loss, probe.cost_ms) == (321, original.text, original.loss, original.cost_ms)
    np.testing.assert_array_equal(probe.ids, original.ids)
    np.testing.assert_allclose(probe.probs, original.probs, atol=1e-3)  # float16 on disk
    np.testing.assert_allclose(probe.embedding, original.embedding, rtol=1e-3)
    for got, want in zip(probe.layers, original.layers, strict=True):
        assert got.gate_names == want.gate_names and got.metrics == want.metrics
        for name in LAYER_ARRAYS:
            if getattr(want, name) is None:
                assert getattr(got, name) is None
            else:
                assert getattr(got, name).dtype == np.float32
                np.testing.assert_allclose(getattr(got, name), getattr(want, name), rtol=1e-3, atol=1e-3)
    assert loaded.memory.step == frame.memory.step and loaded.meta == {"model": "x"}
    np.testing.assert_array_equal(loaded.memory.context_loss, frame.memory.context_loss)


def test_tiny_gradient_norms_connectivity_and_large_activations_keep_their_values(tmp_path):
    probe = make_frame("rnn-relu", T=12, H=5, V=9).probe
    layer = probe.layers[0]
    tiny = np.full(12, 1e-15, dtype=np.float32)  # a vanishing flow: float16 would make it 0
    big = np.full((12, 5), 1e6, dtype=np.float32)  # an exploding ReLU: float16 would make it inf
    layer = dataclasses.replace(layer, grad_h=tiny, pre_activation=big, hidden=big)
    connectivity = np.tril(np.full((12, 12), 1e-15, dtype=np.float32))  # [T, T], stored like every array field
    entry = _append(TimelineWriter(tmp_path), dataclasses.replace(probe, layers=(layer,), connectivity=connectivity), 5)
    got = TimelineReader(tmp_path).load(entry.id).probe
    np.testing.assert_array_equal(got.layers[0].grad_h, tiny)
    np.testing.assert_array_equal(got.layers[0].pre_activation, big)
    np.testing.assert_array_equal(got.connectivity, connectivity)


def test_past_the_bound_the_older_half_is_thinned_keeping_first_and_newest(tmp_path):
    probe = make_frame("lstm", T=6, H=3, V=5).probe
    writer = TimelineWriter(tmp_path, max_frames=16)
    for step in range(100):
        _append(writer, probe, step)
        steps = [e.step for e in TimelineReader(tmp_path).index()]
        assert len(steps) <= 16 and steps[0] == 0 and steps[-1] == step and steps == sorted(steps)
    files = sorted(p.name for p in (tmp_path / "timeline").iterdir())
    assert files == sorted([frame_name(e.id) for e in writer.entries] + ["index.json"])  # thinned frames are gone
    assert steps[-8:] == list(range(92, 100))  # the newest stay dense, the older sparse
    assert steps[1] - steps[0] > steps[-1] - steps[-2]


def test_thin_halves_the_older_half_only():
    assert thin(list(range(9)), 8) == [0, 2, 4, 5, 6, 7, 8]
    assert thin(list(range(8)), 8) == list(range(8))


def test_a_step_before_the_last_one_starts_the_next_run_and_deletes_nothing(tmp_path):
    probe = make_frame("gru", T=6, H=3, V=5).probe
    writer = TimelineWriter(tmp_path)
    for step in (0, 10, 20, 30):
        _append(writer, probe, step)
    resumed = TimelineWriter(tmp_path)  # a run resumed from the checkpoint of step 10
    _append(resumed, probe, 10)
    assert [(e.step, e.run) for e in TimelineReader(tmp_path).index()] == [(10, 1)]
    assert len(list((tmp_path / "timeline").glob("frame-*.npz"))) == 5


def test_a_failed_rename_leaves_no_partial_frame_and_the_index_as_it_was(tmp_path, monkeypatch):
    probe = make_frame("lstm", T=6, H=3, V=5).probe
    writer = TimelineWriter(tmp_path)
    first = _append(writer, probe, 1)

    def fail(*_):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError):
        _append(writer, probe, 2)
    monkeypatch.undo()
    assert sorted(p.name for p in (tmp_path / "timeline").iterdir()) == ["frame-00000000.npz", "index.json"]
    assert TimelineReader(tmp_path).index() == [first]


WRITER = """
import dataclasses, sys
from pathlib import Path
from rnnscope.storage.timeline import TimelineWriter
from tests.fake_frames import make_frame
probe = make_frame("lstm", T=64, H=128, V=60).probe
writer = TimelineWriter(Path(sys.argv[1]), max_frames=12)
step = 0
while True:
    step += 1
    writer.append(dataclasses.replace(probe, step=step), wall_time=float(step), train_loss=1.0, val_loss=None,
                  memory=None)
    if step == 3:
        print("writing", flush=True)
"""


def _frames_all_load(run_dir: Path) -> list[int]:
    reader = TimelineReader(run_dir)
    entries = reader.index()
    for entry in entries:
        assert reader.load(entry.id).probe.step == entry.step
    return [e.step for e in entries]


def test_a_killed_writer_leaves_whole_frames_and_a_reader_follows_it(tmp_path):
    root = Path(__file__).resolve().parents[3]
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path)], stdout=subprocess.PIPE, text=True,
                              cwd=root)
    try:
        assert writer.stdout.readline() == "writing\n"
        seen = []
        for _ in range(15):  # read while it appends, thins and removes frames (another process)
            try:
                seen.append(_frames_all_load(tmp_path)[-1])
            except TimelineError as err:  # a frame thinned away between the index and its file
                assert "gone" in str(err) or "not in the timeline" in str(err)
            time.sleep(0.01)
        assert seen and seen == sorted(seen)
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=30)
    finally:
        writer.kill()
    steps = _frames_all_load(tmp_path)
    assert 0 < len(steps) <= 12
    for path in (tmp_path / "timeline").glob("frame-*.npz"):  # every frame file is whole, listed or not
        with np.load(path, allow_pickle=False) as npz:
            assert "meta" in npz.files
    remove_leftovers(tmp_path)  # the next run in the folder
    assert [p.name for p in (tmp_path / "timeline").iterdir() if p.name.startswith(".")] == []
    writer_again = TimelineWriter(tmp_path)
    _append(writer_again, make_frame("lstm", T=6, H=3, V=5).probe, steps[-1] + 1)  # unlisted frames go on open
    listed = {frame_name(e.id) for e in TimelineReader(tmp_path).index()}
    assert {p.name for p in (tmp_path / "timeline").glob("frame-*.npz")} == listed


def test_leftover_temporaries_of_a_dead_writer_are_removed(tmp_path):
    folder = tmp_path / "timeline"
    folder.mkdir()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True).stdout.strip()
    names = [f".tmp-frame-00000007.npz-{dead}-0a1b2c3d", f".tmp-index.json-{dead}-0a1b2c3d"]
    for name in names:
        (folder / name).write_bytes(b"half")
    live = f".tmp-frame-00000008.npz-{os.getpid()}-0a1b2c3d"
    (folder / live).write_bytes(b"being written")
    assert sorted(remove_leftovers(tmp_path)) == sorted(f"timeline/{n}" for n in names)
    assert [p.name for p in folder.iterdir()] == [live]


def _write_frame(tmp_path, **arrays_changed) -> int:
    entry = _append(TimelineWriter(tmp_path), make_frame("lstm", T=6, H=3, V=5).probe, 3)
    path = tmp_path / "timeline" / frame_name(entry.id)
    with np.load(path) as npz:
        arrays = {k: npz[k] for k in npz.files}
    for key, value in arrays_changed.items():
        if value is None:
            del arrays[key]
        elif callable(value):
            arrays[key] = value(arrays[key])
        else:
            arrays[key] = value
    with open(path, "wb") as file:
        np.savez(file, **arrays)
    return entry.id


def _meta(change):
    def edit(raw):
        info = json.loads(raw.tobytes())
        change(info)
        return np.frombuffer(json.dumps(info).encode(), dtype=np.uint8)
    return edit


@pytest.mark.parametrize("change, words", [
    ({"gates_l0": None}, "'gates_l0' is missing"),
    ({"gates_l0": lambda a: a[:, :3]}, "gates_l0"),
    ({"probs": lambda a: a * np.nan}, "probs"),
    ({"probs": lambda a: a + 2}, "probs"),
    ({"ids": lambda a: a + 100}, "ids"),
    ({"ids": lambda a: a.astype(np.float32)}, "ids"),
    ({"grad_h_l0": lambda a: -a}, "grad_h_l0"),
    ({"gates_l0": lambda a: np.full_like(a, 3.0)}, "gates_l0"),
    ({"embedding": lambda a: np.full_like(a, np.inf)}, "embedding"),
    ({"meta": np.zeros(3, dtype=np.uint8)}, "malformed"),
    ({"meta": _meta(lambda i: i.update(step="3"))}, "step"),
    ({"meta": _meta(lambda i: i.update(text=5))}, "text"),
    ({"meta": _meta(lambda i: i["layers"][0].update(gate_names=["x"]))}, "gates"),
    ({"meta": _meta(lambda i: i["layers"][0]["metrics"].update(verdict="FINE"))}, "verdict"),
    ({"meta": _meta(lambda i: i.update(layers=[]))}, "no layers"),
    ({"meta": _meta(lambda i: i.update(format=99))}, "format"),
])
def test_a_malformed_frame_is_one_timeline_error(tmp_path, change, words):
    frame_id = _write_frame(tmp_path, **change)
    with pytest.raises(TimelineError, match=words):
        TimelineReader(tmp_path).load(frame_id)


def test_a_pickled_or_truncated_frame_is_refused(tmp_path):
    frame_id = _write_frame(tmp_path, probs=np.array([object()], dtype=object))
    with pytest.raises(TimelineError, match="not plain numbers"):
        TimelineReader(tmp_path).load(frame_id)
    path = tmp_path / "timeline" / frame_name(frame_id)
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(TimelineError, match="corrupt"):
        TimelineReader(tmp_path).load(frame_id)


@pytest.mark.parametrize("index", ["", "{", "[]", '{"format": 1}', json.dumps(
    {"format": 1, "next_id": 1, "columns": ["id", "step", "wall_time", "train_loss", "val_loss", "loss"],
     "frames": [[0, "3", 1.0, None, None, 1.0]]})])
def test_a_malformed_or_missing_index_is_one_timeline_error(tmp_path, index):
    with pytest.raises(TimelineError, match="no timeline"):
        TimelineReader(tmp_path).index()
    (tmp_path / "timeline").mkdir()
    (tmp_path / "timeline" / "index.json").write_text(index)
    with pytest.raises(TimelineError, match="malformed"):
        TimelineReader(tmp_path).index()


LOCK_HOLDER = """
import dataclasses, sys, time
from pathlib import Path
from rnnscope.storage.timeline import TimelineWriter
from tests.fake_frames import make_frame
probe = dataclasses.replace(make_frame("gru", T=6, H=3, V=5).probe, step=0)
TimelineWriter(Path(sys.argv[1])).append(probe, wall_time=1.0, train_loss=None, val_loss=None, memory=None)
print("holding", flush=True)
time.sleep(60)
"""


def test_a_second_process_cannot_write_a_timeline_another_process_writes(tmp_path):
    from rnnscope.storage.timeline import TimelineBusy

    holder = subprocess.Popen([sys.executable, "-c", LOCK_HOLDER, str(tmp_path)], stdout=subprocess.PIPE, text=True,
                              cwd=Path(__file__).resolve().parents[3])
    try:
        assert holder.stdout.readline().strip() == "holding"
        probe = make_frame("gru", T=6, H=3, V=5).probe
        with pytest.raises(TimelineBusy, match="another process is writing it.*own --run-dir"):
            _append(TimelineWriter(tmp_path), probe, 5)
        assert [e.step for e in TimelineReader(tmp_path).index()] == [0]  # left alone
    finally:
        holder.kill()
        holder.wait()
    _append(TimelineWriter(tmp_path), probe, 5)  # the kernel let the lock go with the process
    assert [e.step for e in TimelineReader(tmp_path).index()] == [0, 5]
