"""One writer per run folder: the lock before the heartbeat, a second Scope refused (in this process or another),
only the holder ends the run (never a fork, never a refused Scope), close() gives the folder back; and the inputs
no write could take, refused at construction."""

import fcntl
import gc
import os
import subprocess
import sys
import warnings

import pytest
import torch
from torch import nn

from rnnscope.storage.timeline.heartbeat import read_heartbeat
from rnnscope.watch.scope import Scope
from tests.watch_fixtures import frames_in

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def scope(run_dir, **options):
    torch.manual_seed(0)
    return Scope(nn.GRU(2, 3), run_dir, probe=torch.randn(4, 2), every=1, **options)


def others_can_lock(run_dir) -> bool:
    """Whether another writer could take the folder's lock now (a new open file: as another process would)."""
    fd = os.open(run_dir / "timeline", os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(fd)


def test_a_second_scope_on_a_folder_is_refused_touches_nothing_and_close_gives_the_folder_back(tmp_path):
    first = scope(tmp_path)
    first.step(0)
    before = read_heartbeat(tmp_path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        second = scope(tmp_path)
        second.step(7)
        second.close()
    assert len(caught) == 1 and "another Scope in this process writes it: close() that one first" in \
        str(caught[0].message)
    assert read_heartbeat(tmp_path) == before  # not rewritten, not ended
    del second
    gc.collect()  # a refused (superseded) scope collected: still nothing
    assert read_heartbeat(tmp_path) == before and not others_can_lock(tmp_path)
    first.step(1)
    first.close()
    assert read_heartbeat(tmp_path).state == "ended" and others_can_lock(tmp_path)  # close() released it
    third = scope(tmp_path)  # the folder is free again: a new run in it
    third.step(2)
    assert read_heartbeat(tmp_path).state == "running" and read_heartbeat(tmp_path).step == 2
    third.close()
    assert [f.entry.step for f in frames_in(tmp_path)] == [0, 1, 2]


def test_a_folder_another_process_holds_gets_no_heartbeat_from_the_refused_scope(tmp_path):
    (tmp_path / "timeline").mkdir()
    holder = os.open(tmp_path / "timeline", os.O_RDONLY)  # another open file: as another process holds it
    fcntl.flock(holder, fcntl.LOCK_EX)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            refused = scope(tmp_path)
            refused.step(0)
            refused.close()
        assert len(caught) == 1 and "another process is writing it" in str(caught[0].message)
        assert read_heartbeat(tmp_path) is None and not frames_in(tmp_path)
    finally:
        os.close(holder)


FORK = """
import os, sys, torch
from rnnscope import Scope
scope = Scope(torch.nn.GRU(2, 3), sys.argv[1], probe=torch.ones(4, 2), every=1)
scope.step(0)
pid = os.fork()
if pid == 0:  # the child: steps and exits normally (atexit, finalizers): it must neither write nor end the run
    scope.step(1)
    scope.close()
    sys.exit(0)
os.waitpid(pid, 0)
from rnnscope.storage.timeline.heartbeat import read_heartbeat
print(read_heartbeat(sys.argv[1]).state, len(os.listdir(os.path.join(sys.argv[1], "timeline"))))
scope.close()
print(read_heartbeat(sys.argv[1]).state)
"""


@pytest.mark.slow
def test_a_forked_child_neither_writes_nor_ends_the_parents_run(tmp_path):
    done = subprocess.run([sys.executable, "-c", FORK, str(tmp_path)], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": ROOT}, check=True)
    assert done.stdout.split() == ["running", "3", "ended"]  # index, one frame, heartbeat; then the parent ends it


@pytest.mark.parametrize(("options", "words"), [
    ({"labels": ["a", "\ud800", "c", "d"]}, "label '\\\\ud800' holds a lone surrogate"),
    ({"probe": torch.ones(4, 2, device="meta")}, "probe is on the meta device"),
    ({"probe": torch.ones(4, 2).to_sparse()}, "probe is a torch.sparse_coo tensor: give a dense one"),
    ({"probe": torch.tensor([1, 2, 3]).to_sparse(), "embedding": nn.Embedding(5, 2)}, "sparse_coo"),
    ({"probe": torch.tensor([1, 2, 3], device="meta"), "embedding": nn.Embedding(5, 2)}, "meta device"),
    ({"probe": torch.tensor([1, 2, 3]), "embedding": nn.Embedding(5, 2), "vocab": ["a", "b\udc80"] + ["c"] * 3},
     "vocab entry 'b\\\\udc80' holds a lone surrogate"),
    ({"targets": torch.zeros(4, dtype=torch.long, device="meta"), "readout": nn.Linear(3, 2)}, "targets is on the meta"),
])
def test_inputs_no_write_could_take_are_refused_at_construction(tmp_path, options, words):
    options = {"probe": torch.randn(4, 2), **options}
    with pytest.raises(ValueError, match=words):
        Scope(nn.GRU(2, 3), tmp_path, **options)
    assert not (tmp_path / "timeline").exists()
