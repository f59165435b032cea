"""Class 3 (headless) and the debris half of class 2: SIGTERM/SIGHUP at random points of an export, killed runs."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time

import pytest

from rnnscope.runner.signals import SignalGuard, Terminated
from rnnscope.storage.run_dir import remove_leftovers
from rnnscope.storage.timeline.heartbeat import read_heartbeat
from tests.core_fixtures import write_corpus

SNAPSHOT_FILES = {"meta.json", "arrays.npz", "figure.png", "checkpoint.pt"}


def _start(corpus, run_dir):
    argv = [sys.executable, "-m", "rnnscope", str(corpus), "--headless", "--steps", "100000", "--export-every", "1",
            "--hidden", "16", "--embed", "8", "--seq-len", "16", "--batch", "2", "--threads", "1",
            "--run-dir", str(run_dir)]
    return subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for_snapshot(process, run_dir, deadline_s=60.0):
    deadline = time.monotonic() + deadline_s
    while not (run_dir.is_dir() and any(p.name.startswith("step-") for p in run_dir.iterdir())):
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "no snapshot appeared"
        time.sleep(0.05)


@pytest.mark.slow
@pytest.mark.parametrize("signum,delay", [(signal.SIGTERM, 0.0), (signal.SIGHUP, 0.13)])
def test_a_signal_during_exports_ends_cleanly(tmp_path, signum, delay):
    corpus, run_dir = write_corpus(tmp_path), tmp_path / "run"
    process = _start(corpus, run_dir)
    try:
        _wait_for_snapshot(process, run_dir)
        time.sleep(delay + random.Random(signum).random() * 0.2)
        process.send_signal(signum)
        out, err = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 128 + signum
    name = signal.Signals(signum).name
    lines = [line for line in err.splitlines() if line.startswith("rnnscope")]
    assert lines == [f"rnnscope: stopped by {name}"] and "Traceback" not in err
    names = [p.name for p in run_dir.iterdir()]
    assert [n for n in names if n.startswith(".")] == []  # no temporary folder left
    assert [n for n in os.listdir(run_dir / "timeline") if n.startswith(".")] == []  # nor a timeline temporary
    for snapshot in run_dir.glob("step-*"):  # every snapshot there is complete
        assert SNAPSHOT_FILES <= {p.name for p in snapshot.iterdir()}, snapshot
    assert read_heartbeat(run_dir).state == "ended"  # `rnnscope --attach` says ENDED, not STALE


def test_a_signal_inside_finishing_waits_until_the_block_is_done():
    guard, done = SignalGuard(), []
    with guard.installed(), pytest.raises(Terminated) as raised:
        with guard.finishing():
            os.kill(os.getpid(), signal.SIGTERM)
            done.append("export finished")
    assert done == ["export finished"] and raised.value.signum == signal.SIGTERM
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL  # the handler is put back


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_leftovers_of_a_killed_run_are_removed_by_the_next_run(tmp_path):
    run_dir = tmp_path / "run"
    for name in ("step-000004", "step-000008"):
        (run_dir / name).mkdir(parents=True)
    dead = _dead_pid()
    leftovers = [f".tmp-step-000012-{dead}-ab12cd34", ".tmp-step-000016-ab12"]  # with a dead pid; old style
    for name in leftovers:
        (run_dir / name).mkdir()
        (run_dir / name / "arrays.npz").write_bytes(b"half")
    live = f".tmp-step-000020-{os.getpid()}-0123abcd"  # another run exporting into the same folder right now
    (run_dir / live).mkdir()
    (run_dir / ".old-step-000004-1a2b3c4d").mkdir()  # replaced: its new version is in place
    (run_dir / ".old-step-000006-1a2b3c4d").mkdir()  # its replacement never arrived: put back
    removed = remove_leftovers(run_dir)
    assert sorted(removed) == sorted([*leftovers, ".old-step-000004-1a2b3c4d"])
    assert sorted(p.name for p in run_dir.iterdir()) == sorted([live, "step-000004", "step-000006", "step-000008"])


def test_the_next_run_in_the_folder_removes_a_killed_runs_export(tmp_path):
    corpus, run_dir = write_corpus(tmp_path), tmp_path / "run"
    (run_dir / f".tmp-step-000009-{_dead_pid()}-deadbeef").mkdir(parents=True)  # SIGKILL mid-export
    from rnnscope.cli import main

    assert main([str(corpus), "--headless", "--steps", "1", "--hidden", "8", "--embed", "4", "--seq-len", "16",
                 "--batch", "2", "--threads", "1", "--run-dir", str(run_dir)]) == 0
    assert [p.name for p in run_dir.iterdir()] == ["timeline"]  # the new run's timeline, no export left


def test_the_next_compare_in_the_folder_removes_a_killed_compares_exports(tmp_path):
    corpus, run_dir = write_corpus(tmp_path), tmp_path / "run"
    for side in ("a", "b"):
        (run_dir / side / f".tmp-step-000009-{_dead_pid()}-deadbeef").mkdir(parents=True)  # SIGKILL mid-export
    from rnnscope.cli import main

    assert main([str(corpus), "--headless", "--steps", "1", "--hidden", "8", "--embed", "4", "--seq-len", "16",
                 "--batch", "2", "--threads", "1", "--run-dir", str(run_dir), "--compare", "clip=0"]) == 0
    assert [p.name for side in ("a", "b") for p in (run_dir / side).iterdir()] == ["timeline", "timeline"]


@pytest.mark.slow
def test_a_signal_during_a_headless_compares_exports_ends_cleanly(tmp_path):
    corpus, run_dir = write_corpus(tmp_path), tmp_path / "run"
    argv = [sys.executable, "-m", "rnnscope", str(corpus), "--headless", "--steps", "100000", "--export-every", "1",
            "--hidden", "16", "--embed", "8", "--seq-len", "16", "--batch", "2", "--threads", "1",
            "--run-dir", str(run_dir), "--compare", "clip=0"]
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _wait_for_snapshot(process, run_dir / "b")
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 128 + signal.SIGTERM
    lines = [line for line in err.splitlines() if line.startswith("rnnscope")]
    assert lines[-1] == "rnnscope: stopped by SIGTERM" and "Traceback" not in err
    for side in ("a", "b"):
        snapshots = list((run_dir / side).iterdir())
        assert [p.name for p in snapshots if p.name.startswith(".")] == []  # no temporary folder left
        for snapshot in (p for p in snapshots if p.name.startswith("step-")):
            assert SNAPSHOT_FILES <= {p.name for p in snapshot.iterdir()}, snapshot
        assert read_heartbeat(run_dir / side).state == "ended"
