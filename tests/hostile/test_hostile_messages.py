"""Class 8: messages are one unwrapped line, no library warnings reach stderr, advice fits, the JSON names the last
snapshot that was written."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from rnnscope.cli import main
from rnnscope.exporting import export
from tests.core_fixtures import write_corpus

DIVERGE = ["--model", "rnn-relu", "--init", "identity", "--init-gain", "3", "--optimizer", "sgd", "--lr", "50",
           "--clip", "0", "--hidden", "12", "--embed", "6", "--seq-len", "16", "--batch", "4", "--threads", "1"]


@pytest.mark.slow
def test_stderr_to_a_pipe_is_unwrapped_and_free_of_matplotlib_notices(tmp_path):
    corpus = write_corpus(tmp_path)
    long_dir = tmp_path / ("a-long-run-folder-name-" * 4)  # paths in messages run past 80 columns
    env = {**os.environ, "MPLCONFIGDIR": "/dev/null/mpl", "COLUMNS": "80"}  # matplotlib cannot use its folder
    result = subprocess.run([sys.executable, "-m", "rnnscope", str(corpus), "--headless", "--steps", "200",
                             "--export-every", "1000", "--run-dir", str(long_dir), *DIVERGE],
                            capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    messages = [line for line in lines if not line.startswith("step ")]  # the rest: the progress bar's last state
    assert len(messages) == 1 and messages[0].startswith("rnnscope: training diverged at step "), lines
    assert messages[0].endswith("weights kept from the last finite step"), lines
    assert "matplotlib" not in result.stderr.lower() and "warning" not in result.stderr.lower()
    assert json.loads(result.stdout.splitlines()[-1])["snapshot"].startswith(str(long_dir))


@pytest.mark.slow
def test_the_json_names_the_last_snapshot_written_when_a_later_export_fails(tmp_path, capsys, monkeypatch):
    corpus, run_dir = write_corpus(tmp_path), tmp_path / "run"
    real, calls = export.write_snapshot, []

    def fails_the_third_time(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        return real(*args, **kwargs)

    monkeypatch.setattr(export, "write_snapshot", fails_the_third_time)
    code = main([str(corpus), "--headless", "--steps", "10", "--export-every", "2", "--run-dir", str(run_dir),
                 "--hidden", "8", "--embed", "4", "--seq-len", "16", "--batch", "2", "--threads", "1"])
    captured = capsys.readouterr()
    assert code == 1
    assert json.loads(captured.out.splitlines()[-1])["snapshot"] == str(run_dir / "step-000004")
    assert "No space left on device" in captured.err
    assert sorted(p.name for p in run_dir.iterdir() if p.name != "timeline") == ["step-000002", "step-000004"]


def test_a_probe_longer_than_a_small_corpus_asks_for_a_shorter_probe(tmp_path, capsys):
    (tmp_path / "small.txt").write_text("ab" * 400)
    assert main([str(tmp_path / "small.txt"), "--headless", "--steps", "1", "--seq-len", "8",
                 "--probe", "ab" * 40]) == 2
    err = capsys.readouterr().err
    assert "shorter --probe" in err and "--seq-len" not in err


def test_a_seq_len_longer_than_a_small_corpus_asks_for_a_smaller_seq_len(tmp_path, capsys):
    (tmp_path / "small.txt").write_text("ab" * 400)
    assert main([str(tmp_path / "small.txt"), "--headless", "--steps", "1", "--seq-len", "200"]) == 2
    assert "smaller --seq-len" in capsys.readouterr().err
