"""A run never replaces a file it did not make (the task corpus), checks everything before it writes, cleans up
every temporary name of rnnscope.storage.atomic_file, and a task compare's side B resumes alone."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from rnnscope.cli import main
from rnnscope.contracts.config import RunConfig
from rnnscope.storage.atomic_file import leftover_kind, temp_path
from rnnscope.storage.run_dir import remove_leftovers
from rnnscope.training.task_corpus import plan_task_corpus

TASK = ["--task", "recall", "--distance", "3-10", "--hidden", "8", "--embed", "4", "--seq-len", "16", "--batch", "2",
        "--threads", "1", "--val-every", "5"]


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _planned(run_dir, seed=0):
    return plan_task_corpus(RunConfig(task="recall", distance_min=3, distance_max=10, seq_len=16, seed=seed), run_dir)


def test_a_users_corpus_txt_in_the_run_folder_is_never_touched(tmp_path, capsys):
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    mine = run_dir / "corpus.txt"
    mine.write_text("my notes, not a task\n")
    assert main([*TASK, "--headless", "--steps", "2", "--run-dir", str(run_dir)]) == 0
    assert mine.read_text() == "my notes, not a task\n"
    assert _planned(run_dir).present  # the task's text went under its own name


def test_a_foreign_file_under_the_task_corpus_name_is_refused_not_replaced(tmp_path, capsys):
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    path = _planned(tmp_path / "elsewhere").path.name
    for content in (b"someone else's text", b""):
        (run_dir / path).write_bytes(content)
        assert main([*TASK, "--headless", "--steps", "2", "--run-dir", str(run_dir)]) == 2
        err = capsys.readouterr().err
        assert "does not replace a file it did not write" in err and len(err.strip().splitlines()) == 1
        assert (run_dir / path).read_bytes() == content


def test_a_symlink_to_a_huge_file_under_the_name_is_refused_without_reading_it(tmp_path, capsys):
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    huge = tmp_path / "huge.bin"
    with open(huge, "wb") as file:
        file.truncate(40 * 2**30)  # sparse: 40 GiB that would not fit in memory
    os.symlink(huge, run_dir / _planned(tmp_path / "x").path.name)
    assert main([*TASK, "--headless", "--steps", "2", "--run-dir", str(run_dir)]) == 2
    assert "does not replace a file it did not write" in capsys.readouterr().err


def test_a_refused_task_run_has_written_nothing(tmp_path, capsys):
    run_dir = tmp_path / "run"
    bad = [["--probe", "€€€€"], ["--device", "cuda"] if not _has_cuda() else ["--probe", "§§§"],
           ["--run-dir", str(run_dir), "--compare", "hidden=0"]]
    for extra in bad:
        assert main([*TASK, "--headless", "--steps", "2", "--run-dir", str(run_dir), *extra]) == 2
        assert not run_dir.exists(), extra
    capsys.readouterr()


def _has_cuda() -> bool:
    import torch

    return torch.cuda.is_available()


def test_a_compare_side_that_is_a_file_is_refused_before_training(tmp_path, capsys):
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / "b").write_text("not a folder")
    assert main([*TASK, "--headless", "--steps", "2", "--export-every", "2", "--run-dir", str(run_dir),
                 "--compare", "clip=0"]) == 2
    assert "b is a file" in capsys.readouterr().err
    assert sorted(p.name for p in run_dir.iterdir()) == ["b"]  # no corpus, no a/
    assert main([*TASK, "--headless", "--steps", "2", "--run-dir", str(run_dir), "--compare", "clip=0"]) == 2


@pytest.mark.slow
def test_either_side_of_a_task_compare_resumes_alone(tmp_path, capsys):
    run_dir = tmp_path / "run"
    assert main([*TASK, "--headless", "--steps", "2", "--export-every", "2", "--run-dir", str(run_dir),
                 "--compare", "seed=1"]) == 0
    capsys.readouterr()
    for side in ("a", "b"):
        assert main(["--headless", "--steps", "4", "--resume", str(run_dir / side / "step-000002")]) == 0, side
        out, err = capsys.readouterr()
        assert json.loads(out.strip().splitlines()[-1])["step"] == 4, err
    assert sorted(p.name for p in (run_dir / "b").glob("task-*")) == [_planned(tmp_path / "x", seed=0).path.name]


def test_every_temporary_name_the_project_writes_is_known_to_the_cleanup(tmp_path):
    target = tmp_path / "compare-step-000004.png"
    for made in (temp_path(target), temp_path(tmp_path / "step-000004"), temp_path(tmp_path / "corpus.txt"),
                 temp_path(tmp_path / "task-recall-0123456789abcdef.txt")):
        kind = leftover_kind(made.name)
        assert kind is not None and kind[0] == "temp" and kind[1] == os.getpid(), made.name
    assert leftover_kind(".tmp-notes") is None and leftover_kind("corpus.txt") is None


def test_a_killed_runs_single_file_temporaries_are_removed_and_others_kept(tmp_path):
    run_dir = tmp_path / "run"
    (run_dir / "step-000004").mkdir(parents=True)
    dead = _dead_pid()
    gone = [f".tmp-corpus.txt-{dead}-0a1b2c3d", f".tmp-compare-step-000004.png-{dead}-0a1b2c3d",
            f".tmp-task-recall-0123456789abcdef.txt-{dead}-0a1b2c3d", f".write-check-{dead}-x1y2z3ab"]
    inner = f".tmp-meta.json-{dead}-0a1b2c3d"
    kept = [".tmp-notes", f".tmp-meta.json-{os.getpid()}-0a1b2c3d", "corpus.txt", ".tmp-x-12-short"]
    for name in gone + kept:
        (run_dir / name).write_bytes(b"x")
    (run_dir / "step-000004" / inner).write_bytes(b"half a meta.json")
    (run_dir / "step-000004" / "meta.json").write_bytes(b"{}")
    removed = remove_leftovers(run_dir)
    assert sorted(removed) == sorted([*gone, f"step-000004/{inner}"])
    assert sorted(p.name for p in run_dir.iterdir()) == sorted([*kept, "step-000004"])
    assert [p.name for p in (run_dir / "step-000004").iterdir()] == ["meta.json"]
