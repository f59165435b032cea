"""The timeline's step rule: any whole-number step is accepted and read back as written, the rest refused in one line
before a byte is written; a step that goes back starts the next run and deletes nothing; readers show the newest run;
an index the writer cannot read is set aside with its frames, never taken as an empty timeline."""

from __future__ import annotations

import dataclasses
import json
import time
import warnings

import numpy as np
import pytest
import torch
from torch import nn

from rnnscope import Scope
from rnnscope.storage.timeline import TimelineReader, TimelineWriter
from rnnscope.storage.timeline.heartbeat import read_heartbeat
from rnnscope.storage.timeline.index import MAX_STEP, check_step
from rnnscope.watch.attach import AttachSource
from rnnscope.watch.schedule import ProbeSchedule
from tests.fake_frames import make_frame

PROBE = make_frame("gru", T=5, H=3, V=4).probe


def _append(writer, step, loss=1.0):
    return writer.append(dataclasses.replace(PROBE, step=step), wall_time=1000.0, train_loss=loss, val_loss=None,
                         memory=None, meta={})


def _files(run):
    return sorted(p.name for p in (run / "timeline").rglob("frame-*.npz"))


@pytest.mark.parametrize("step", [0, 7, np.int64(7), np.uint8(7), np.int32(7), torch.tensor(7), torch.tensor([7]),
                                  2**53 - 1])
def test_every_whole_number_step_is_written_and_read_back_as_an_int(tmp_path, step):
    _append(TimelineWriter(tmp_path), step)
    reader = TimelineReader(tmp_path)
    entry = reader.index()[0]
    assert entry.step == int(step) and type(entry.step) is int
    assert reader.load(entry.id).probe.step == int(step)
    source = AttachSource(tmp_path)  # and the dashboard's reader draws it
    source.poll()
    assert source.frame.entry.step == int(step) and source.parts()["status"].step == int(step)


@pytest.mark.parametrize("step, error", [(1.0, TypeError), (1.5, TypeError), (None, TypeError), (True, TypeError),
                                         ("3", TypeError), (np.float64(2), TypeError), (torch.tensor(2.0), TypeError),
                                         (torch.tensor([1, 2]), TypeError), (-1, ValueError), (2**53, ValueError),
                                         pytest.param(10**400, ValueError, id="10**400"),
                                         pytest.param(-(10**5000), ValueError, id="-10**5000")])
def test_any_other_step_is_refused_in_one_line_and_nothing_is_written(tmp_path, step, error):
    writer = TimelineWriter(tmp_path)
    _append(writer, 3)
    with pytest.raises(error) as caught:
        _append(writer, step)
    assert len(str(caught.value).splitlines()) == 1 and "step" in str(caught.value)
    assert [e.step for e in TimelineReader(tmp_path).index()] == [3] and len(_files(tmp_path)) == 1


def test_check_step_bounds():
    assert check_step(MAX_STEP) == MAX_STEP and check_step(np.int64(0)) == 0


def test_a_step_that_goes_back_within_a_writer_starts_the_next_run_and_deletes_nothing(tmp_path):
    writer = TimelineWriter(tmp_path)
    for step in (0, 5, 9, 2, 4, 0):  # a reset, then another
        _append(writer, step)
    assert len(_files(tmp_path)) == 6
    assert [(e.step, e.run) for e in TimelineReader(tmp_path).index()] == [(0, 2)]
    index = json.loads((tmp_path / "timeline" / "index.json").read_text())
    assert [row[-1] for row in index["frames"]] == [0, 0, 0, 1, 1, 2]


def test_a_repeated_step_stays_in_its_run_and_a_resume_beyond_the_last_step_continues_it(tmp_path):
    writer = TimelineWriter(tmp_path)
    for step in (0, 5, 5):
        _append(writer, step)
    _append(TimelineWriter(tmp_path), 8)  # a resume from the last step on
    assert [(e.step, e.run) for e in TimelineReader(tmp_path).index()] == [(0, 0), (5, 0), (5, 0), (8, 0)]


def test_new_runs_in_a_used_folder_never_mix_with_the_old_ones(tmp_path):
    for _ in range(13):  # killed restarts, each recording its step 0
        _append(TimelineWriter(tmp_path), 0, loss=9.0)
    writer = TimelineWriter(tmp_path)
    for step in (0, 10):
        _append(writer, step, loss=1.0)
    entries = TimelineReader(tmp_path).index()
    assert [e.step for e in entries] == [0, 10] and {e.train_loss for e in entries} == {1.0}
    source = AttachSource(tmp_path)
    source.poll()
    assert source.parts()["loss_history"].tolist() == [[0.0, 1.0], [10.0, 1.0]]
    assert len(_files(tmp_path)) == 15


@pytest.mark.parametrize("index", [b"", b"{", b'{"format": 2}', b'{"format": 1, "columns": [], "frames": [[1.5]]}',
                                   b"\xff\xfe", b'{"format": [1]}'])
def test_an_index_the_writer_cannot_read_is_set_aside_with_its_frames(tmp_path, index):
    writer = TimelineWriter(tmp_path)
    for step in range(4):
        _append(writer, step)
    before = _files(tmp_path)
    (tmp_path / "timeline" / "index.json").write_bytes(index)
    _append(TimelineWriter(tmp_path), 0)
    aside = list((tmp_path / "timeline").glob("set-aside-*"))
    assert len(aside) == 1 and sorted(p.name for p in aside[0].glob("frame-*.npz")) == before
    assert (aside[0] / "index.json").read_bytes() == index
    assert [e.step for e in TimelineReader(tmp_path).index()] == [0]


def test_frames_without_an_index_are_set_aside_and_unlisted_frames_beside_a_good_index_go(tmp_path):
    writer = TimelineWriter(tmp_path)
    for step in range(3):
        _append(writer, step)
    (tmp_path / "timeline" / "index.json").unlink()
    _append(TimelineWriter(tmp_path), 0)
    aside = next((tmp_path / "timeline").glob("set-aside-*"))
    assert len(list(aside.glob("frame-*.npz"))) == 3
    writer = TimelineWriter(tmp_path)
    _append(writer, 1)
    stray = tmp_path / "timeline" / "frame-00000099.npz"  # a writer killed between its frame and its index
    stray.write_bytes(b"x")
    _append(TimelineWriter(tmp_path), 2)
    assert not stray.exists() and [e.step for e in TimelineReader(tmp_path).index()] == [0, 1, 2]


def test_a_frame_whose_index_write_fails_is_removed_again(tmp_path, monkeypatch):
    writer = TimelineWriter(tmp_path)
    _append(writer, 0)

    def full(*_args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(writer, "_write_index", full)
    with pytest.raises(OSError):
        _append(writer, 1)
    assert len(_files(tmp_path)) == 1 and [e.step for e in TimelineReader(tmp_path).index()] == [0]


def test_a_dead_writer_s_temporaries_are_removed_when_a_scope_opens_the_folder(tmp_path):
    import subprocess
    import sys

    dead = int(subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                              text=True).stdout)
    (tmp_path / "timeline").mkdir()
    leftover = tmp_path / "timeline" / f".tmp-frame-00000000.npz-{dead}-0123abcd"
    leftover.write_bytes(b"partial")
    torch.manual_seed(0)
    Scope(nn.GRU(2, 3), tmp_path, probe=torch.randn(4, 2), every=1).step(0)
    assert not leftover.exists()


def test_the_run_step_goes_on_when_the_loop_step_goes_back():
    schedule = ProbeSchedule(0.02, None)
    got = [schedule.run_step(s) for s in (0, 1, 2, 2, 0, 1, 2, 0, 5)]
    assert got == [0, 1, 2, 2, 3, 4, 5, 6, 11]
    countdown = ProbeSchedule(0.02, 4)
    assert [countdown.run_step(s) for s in (9, 8, 7, np.int16(3))] == [9, 10, 11, 12]
    overflow = ProbeSchedule(0.02, None)
    assert overflow.run_step(MAX_STEP) == MAX_STEP
    with pytest.raises(ValueError, match="0..2"):  # the offset cannot carry a run past what a timeline keeps
        overflow.run_step(0)
    assert overflow.run_step(MAX_STEP) == MAX_STEP  # refused, nothing changed


@pytest.mark.parametrize("every", [None, 3])
def test_a_scope_over_epochs_keeps_probing_and_keeps_every_epoch_s_frames(tmp_path, every):
    torch.manual_seed(0)
    rnn = nn.GRU(2, 3)
    scope = Scope(rnn, tmp_path, probe=torch.randn(4, 2), every=every, budget=0.9)
    for _epoch in range(3):
        for step in range(6):  # the README's loop shape: enumerate(loader) inside an epoch loop
            time.sleep(0.01)  # the loop's own work, which the budget is a share of
            scope.grads(step)
            scope.step(step, loss=float(step))
    scope.close()
    steps = [e.step for e in TimelineReader(tmp_path).index()]
    assert steps == sorted(steps) and max(steps) >= 15  # the third epoch recorded, under run steps 12..17
    if every:
        assert steps == [0, 3, 6, 9, 12, 15, 17]  # and close() takes the final probe, at the last step
    assert len(_files(tmp_path)) == len(steps) and read_heartbeat(tmp_path).step == 17


@pytest.mark.parametrize("step", [1.5, None, -1, pytest.param(10**400, id="10**400"), "3"])
def test_a_scope_warns_once_for_a_step_that_is_no_whole_number_and_training_goes_on(tmp_path, step):
    torch.manual_seed(0)
    scope = Scope(nn.GRU(2, 3), tmp_path, probe=torch.randn(4, 2), every=1)
    scope.step(0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        scope.grads(step)
        scope.step(step, loss=1.0)
    assert caught and all(issubclass(w.category, RuntimeWarning) and "step" in str(w.message) for w in caught)
    scope.step(np.int64(1), loss=1.0)  # numpy and tensor steps are steps
    scope.step(torch.tensor(2), loss=1.0)
    assert [e.step for e in TimelineReader(tmp_path).index()] == [0, 1, 2]
    scope.close()


@pytest.mark.parametrize("loss", [0.0, 2.5, -3.0, 1e308, np.float64(1.25), np.float32(2.5), float("nan"), float("inf"),
                                  -float("inf"), pytest.param(10**400, id="10**400"), None])
def test_every_loss_the_writer_takes_is_read_back(tmp_path, loss):
    writer = TimelineWriter(tmp_path)
    _append(writer, 0, loss=loss)
    _append(writer, 1, loss=loss)  # the index rewritten with the row held in memory
    entries = TimelineReader(tmp_path).index()
    finite = isinstance(loss, float) and np.isfinite(loss)
    assert [e.train_loss for e in entries] == [float(loss) if finite else None] * 2
    source = AttachSource(tmp_path)
    source.poll()
    assert source.frame is not None and len(source.parts()["loss_history"]) == (2 if finite else 0)


@pytest.mark.parametrize("step", [pytest.param(2**64, id="2**64"), pytest.param(10**400, id="10**400"), 1.5, -1, None,
                                  True, "7"])
def test_a_forged_index_with_a_step_no_writer_writes_is_one_line_for_every_reader(tmp_path, capsys, step):
    from rnnscope.cli import main

    _append(TimelineWriter(tmp_path), 0)
    path = tmp_path / "timeline" / "index.json"
    path.write_text(path.read_text().replace('"frames":[[0,0,', f'"frames":[[0,{json.dumps(step)},'))
    source = AttachSource(tmp_path)
    source.poll()
    assert "cannot read the timeline's index" in source.notice.text and source.frame is None
    for argv in (["--movie", str(tmp_path), str(tmp_path / "f.gif")], ["--replay", str(tmp_path)]):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "malformed" in err and "unexpected" not in err
