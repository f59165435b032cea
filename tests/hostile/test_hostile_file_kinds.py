"""What the project reads back is opened one way (rnnscope.storage.regular_file): a FIFO, a link to /dev/zero or out
of the run folder, a folder, a socket or an oversized file in place of an index, a frame, a heartbeat, a snapshot's
files or an export's source is one line, never a hang and never unbounded memory. A SIGALRM fails a test that hangs."""

from __future__ import annotations

import dataclasses
import os
import signal
import socket

import pytest

from rnnscope.storage.regular_file import NotReadable, read_regular
from rnnscope.storage.snapshot_load import read_snapshot
from rnnscope.storage.snapshot_read import SnapshotError
from rnnscope.storage.timeline import TimelineError, TimelineReader, TimelineWriter
from rnnscope.storage.timeline.heartbeat import HeartbeatError, read_heartbeat
from rnnscope.storage.timeline.index import frame_name
from rnnscope.watch.attach import AttachSource
from tests.fake_frames import make_frame

KINDS = ("fifo", "dev-zero link", "folder", "socket", "link out", "dangling link")


@pytest.fixture(autouse=True)
def _no_hang():
    def hung(*_):
        raise AssertionError("a read hung")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(20)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def plant(path, kind, outside):
    """Put a hostile `kind` of file at `path` (replacing what is there)."""
    if path.is_dir() and not path.is_symlink():
        path.rmdir()
    elif os.path.lexists(path):
        path.unlink()
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "dev-zero link":
        path.symlink_to("/dev/zero")
    elif kind == "folder":
        path.mkdir()
    elif kind == "socket":
        server = socket.socket(socket.AF_UNIX)
        server.bind(str(path))
        return server
    elif kind == "link out":
        outside.write_bytes(b"{}")
        path.symlink_to(outside)
    elif kind == "dangling link":
        path.symlink_to(outside.parent / "nothing-here")
    return None


def _timeline(run_dir, steps=(0, 1, 2)):
    writer, probe = TimelineWriter(run_dir), make_frame("gru", T=5, H=3, V=4).probe
    for step in steps:
        writer.append(dataclasses.replace(probe, step=step), wall_time=1000.0 + step, train_loss=1.0, val_loss=None,
                      memory=None, meta={})
    return writer


@pytest.mark.parametrize("kind", KINDS)
def test_read_regular_refuses_every_other_kind_in_one_line(tmp_path, kind):
    run = tmp_path / "run"
    run.mkdir()
    keep = plant(run / "x.json", kind, tmp_path / "outside.json")
    with pytest.raises((NotReadable, OSError)) as caught:
        read_regular(run / "x.json", max_bytes=1000, within=run)
    assert len(str(caught.value).splitlines()) == 1
    if keep:
        keep.close()


def test_read_regular_bounds_the_size_before_reading_and_keeps_links_inside_the_folder(tmp_path):
    (tmp_path / "big").write_bytes(b"x" * 2000)
    with pytest.raises(NotReadable, match="more than the 1,000"):
        read_regular(tmp_path / "big", max_bytes=1000)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "inside").symlink_to(tmp_path / "big")  # a link within the folder is followed
    assert len(read_regular(tmp_path / "sub" / "inside", max_bytes=5000, within=tmp_path)) == 2000
    with pytest.raises(NotReadable, match="links out of"):
        read_regular(tmp_path / "sub" / "inside", max_bytes=5000, within=tmp_path / "sub")


@pytest.mark.parametrize("kind", KINDS)
def test_an_index_of_another_kind_is_a_timeline_error_and_the_writer_sets_it_aside(tmp_path, kind):
    run = tmp_path / "run"
    _timeline(run)
    frames = sorted(p.name for p in (run / "timeline").glob("frame-*.npz"))
    keep = plant(run / "timeline" / "index.json", kind, tmp_path / "outside.json")
    with pytest.raises(TimelineError) as caught:
        TimelineReader(run).index()
    assert len(str(caught.value).splitlines()) == 1
    _timeline(run, steps=(5,))  # the next writer: no hang, and every earlier frame kept aside
    aside = next((run / "timeline").glob("set-aside-*"))
    assert sorted(p.name for p in aside.glob("frame-*.npz")) == frames
    assert [e.step for e in TimelineReader(run).index()] == [5]
    if keep:
        keep.close()


@pytest.mark.parametrize("kind", KINDS)
def test_a_frame_of_another_kind_is_skipped_by_attach_with_a_notice(tmp_path, kind):
    run = tmp_path / "run"
    _timeline(run)
    newest = TimelineReader(run).index()[-1]
    keep = plant(run / "timeline" / frame_name(newest.id), kind, tmp_path / "outside.npz")
    with pytest.raises(TimelineError):
        TimelineReader(run).load(newest.id)
    source = AttachSource(run)
    source.poll()
    assert source.frame.entry.step == 1 and "1 frame of the timeline could not be loaded" in source.notice.text
    if keep:
        keep.close()


@pytest.mark.parametrize("kind", KINDS)
def test_a_heartbeat_of_another_kind_is_one_heartbeat_error(tmp_path, kind):
    (tmp_path / "timeline").mkdir()
    keep = plant(tmp_path / "timeline" / "heartbeat.json", kind, tmp_path.parent / f"{tmp_path.name}-out.json")
    with pytest.raises(HeartbeatError) as caught:
        read_heartbeat(tmp_path)
    assert len(str(caught.value).splitlines()) == 1
    if keep:
        keep.close()


@pytest.mark.parametrize("name", ["meta.json", "arrays.npz"])
@pytest.mark.parametrize("kind", ["fifo", "dev-zero link", "link out"])
def test_a_snapshot_file_of_another_kind_is_one_snapshot_error(tmp_path, name, kind):
    folder = tmp_path / "run" / "step-000001"
    folder.mkdir(parents=True)
    (folder / "meta.json").write_text("{}")
    (folder / "arrays.npz").write_bytes(b"")
    plant(folder / name, kind, tmp_path / "outside")
    with pytest.raises(SnapshotError) as caught:
        read_snapshot(folder)
    assert len(str(caught.value).splitlines()) == 1


@pytest.mark.parametrize("planted", ["attached", "step"])
def test_attach_exports_through_no_link_the_writer_planted(tmp_path, planted):
    run, elsewhere = tmp_path / "run", tmp_path / "elsewhere"
    _timeline(run)
    elsewhere.mkdir()
    if planted == "attached":
        (run / "attached").symlink_to(elsewhere)
    else:
        (run / "attached").mkdir()
        (run / "attached" / "step-000002").symlink_to(elsewhere)
    source = AttachSource(run)
    source.poll()
    source.export("<svg/>")
    assert source.notice.level == "error" and "not written through" in source.notice.text
    assert list(elsewhere.iterdir()) == []


def test_attach_exports_a_frame_that_became_a_fifo_as_one_error(tmp_path):
    run = tmp_path / "run"
    _timeline(run)
    source = AttachSource(run)
    source.poll()
    plant(run / "timeline" / frame_name(source.shown_id), "fifo", None)
    source.export(None)
    assert source.notice.level == "error" and "FIFO" in source.notice.text


@pytest.mark.parametrize("kind", ["fifo", "dev-zero link", "folder"])
def test_a_scope_in_a_folder_whose_index_and_heartbeat_are_hostile_records_without_a_hang(tmp_path, kind):
    import torch
    from torch import nn

    from rnnscope import Scope

    (tmp_path / "timeline").mkdir()
    plant(tmp_path / "timeline" / "index.json", kind, None)
    if kind != "folder":  # a folder in its place cannot be replaced: the scope warns once and stops writing
        plant(tmp_path / "timeline" / "heartbeat.json", kind, None)
    torch.manual_seed(0)
    scope = Scope(nn.GRU(2, 3), tmp_path, probe=torch.randn(4, 2), every=1)
    with pytest.warns(RuntimeWarning, match="could not be read: set aside") as caught:
        for step in range(3):
            scope.step(step, loss=1.0)
    scope.close()
    assert len(caught) == 1 and [e.step for e in TimelineReader(tmp_path).index()] == [0, 1, 2]
    assert read_heartbeat(tmp_path).state == "ended"
