"""The command line as a user meets it: headless runs, exit codes, and one clear line for bad input."""

import json
import subprocess
import sys

import pytest
import torch

from rnnscope.cli import main
from tests.core_fixtures import write_corpus

TINY_ARGS = ["--hidden", "12", "--embed", "6", "--seq-len", "16", "--batch", "4", "--threads", "1",
             "--val-every", "5"]


def _headless(corpus, *extra):
    return main([str(corpus), "--headless", *TINY_ARGS, *extra])


def _last_json(capsys):
    out = capsys.readouterr().out.strip().splitlines()
    return json.loads(out[-1])


@pytest.mark.slow
def test_headless_run_exports_and_reports_json(tmp_path, capsys):
    corpus = write_corpus(tmp_path)
    run_dir = tmp_path / "run"
    assert _headless(corpus, "--steps", "10", "--export-every", "5", "--run-dir", str(run_dir)) == 0
    captured = capsys.readouterr()
    result, capsys_err = json.loads(captured.out.strip().splitlines()[-1]), captured.err
    assert result["step"] == 10 and result["snapshot"] == str(run_dir / "step-000010")
    assert set(result) == {"step", "train_loss", "val_loss", "chars_per_s", "snapshot", "memory", "timings", "units", "sample"}
    meta = json.loads((run_dir / "step-000010" / "meta.json").read_text())
    assert result["sample"]["step"] == meta["sample"]["step"] == 10 and result["sample"]["text"] == meta["sample"]["text"]
    assert result["val_loss"] > 0 and result["chars_per_s"] > 0
    assert sorted(p.name for p in run_dir.iterdir()) == ["step-000005", "step-000010", "timeline"]
    timings = json.loads((run_dir / "step-000010" / "meta.json").read_text())["timings"]
    assert set(timings) == set(result["timings"]) == {"train_step_ms", "probe_ms", "validation_ms", "memory_ms",
                                                      "sample_ms", "norms_ms", "timeline_ms", "lesson_ms",
                                                      "units_ms", "best_ms", "side_share"}
    for key in ("train_step_ms", "probe_ms", "validation_ms", "memory_ms"):
        assert timings[key] > 0 and result["timings"][key] > 0, key  # each ran (the export probed)
    assert timings["norms_ms"] is None  # clipping on (the default): the norms are the clipping's own, training time
    assert 0 < timings["side_share"] < 1 and result["timings"]["side_share"] >= timings["side_share"] * 0.5
    assert f"{result['chars_per_s']:,.0f} chars/s" in capsys_err  # one chars/s: the progress bar's last is the JSON's


@pytest.mark.slow
def test_a_resumed_run_without_export_every_saves_its_last_step(tmp_path, capsys):
    corpus = write_corpus(tmp_path)
    assert _headless(corpus, "--steps", "6", "--run-dir", str(tmp_path / "run"), "--export-every", "6") == 0
    capsys.readouterr()
    checkpoint = tmp_path / "run" / "step-000006" / "checkpoint.pt"
    assert main([str(corpus), "--headless", "--threads", "1", "--steps", "9", "--resume", str(checkpoint)]) == 0
    resumed = _last_json(capsys)
    assert resumed["step"] == 9 and resumed["snapshot"] == str(tmp_path / "run" / "step-000009")
    assert json.loads((tmp_path / "run" / "step-000009" / "meta.json").read_text())["step"] == 9
    assert _headless(corpus, "--steps", "3", "--run-dir", str(tmp_path / "fresh")) == 0  # a fresh run without
    assert _last_json(capsys)["snapshot"] is None and not list((tmp_path / "fresh").glob("step-*"))  # --export-every


@pytest.mark.slow
def test_resume_counts_on_and_matches_an_uninterrupted_run(tmp_path, capsys):
    corpus = write_corpus(tmp_path)
    assert _headless(corpus, "--steps", "12", "--run-dir", str(tmp_path / "a"), "--export-every", "12") == 0
    straight = _last_json(capsys)
    assert _headless(corpus, "--steps", "6", "--run-dir", str(tmp_path / "b"), "--export-every", "6") == 0
    capsys.readouterr()
    checkpoint = tmp_path / "b" / "step-000006" / "checkpoint.pt"
    assert main([str(corpus), "--headless", "--threads", "1", "--steps", "12", "--resume", str(checkpoint),
                 "--export-every", "12"]) == 0
    resumed = _last_json(capsys)
    assert resumed["step"] == 12 and resumed["snapshot"] == str(tmp_path / "b" / "step-000012")
    assert resumed["train_loss"] == straight["train_loss"] and resumed["val_loss"] == straight["val_loss"]


def test_divergence_exits_1_with_a_snapshot_of_the_last_finite_state(tmp_path, capsys):
    corpus = write_corpus(tmp_path)
    code = _headless(corpus, "--steps", "200", "--model", "rnn-relu", "--init", "identity", "--init-gain", "3",
                     "--optimizer", "sgd", "--lr", "50", "--clip", "0", "--export-every", "1000",
                     "--run-dir", str(tmp_path / "run"))
    captured = capsys.readouterr()
    assert code == 1
    assert "diverged" in captured.err and "Traceback" not in captured.err
    snapshot = json.loads(captured.out.strip().splitlines()[-1])["snapshot"]
    state = torch.load(f"{snapshot}/checkpoint.pt", weights_only=True)["model"]
    assert all(torch.isfinite(v).all() for v in state.values())


def _bad(tmp_path):
    corpus = write_corpus(tmp_path)
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    binary = tmp_path / "bin.dat"
    binary.write_bytes(bytes(range(256)) * 8)
    latin = tmp_path / "latin.txt"
    latin.write_bytes("é".encode("latin-1") * 2000)
    short = tmp_path / "short.txt"
    short.write_text("abc")
    garbage = tmp_path / "garbage.pt"
    garbage.write_bytes(b"not a checkpoint at all")
    pickled = tmp_path / "evil.pt"
    torch.save({"format": "rnnscope-checkpoint-1", "evil": object.__new__(subprocess.Popen)}, pickled)
    a_file = tmp_path / "a_file"
    a_file.write_text("x")
    return {
        "missing": ([str(tmp_path / "nope.txt")], "does not exist"),
        "folder": ([str(tmp_path)], "is a folder"),
        "empty": ([str(empty)], "is empty"),
        "binary": ([str(binary)], "binary"),
        "undecodable": ([str(latin)], "--encoding"),
        "unknown encoding": ([str(corpus), "--encoding", "klingon"], "unknown encoding"),
        "too short": ([str(short)], "needs at least"),
        "bad model": ([str(corpus), "--model", "transformer"], "invalid choice"),
        "bad hidden": ([str(corpus), "--hidden", "0"], "--hidden"),
        "not a number": ([str(corpus), "--lr", "fast"], "invalid float"),
        "negative lr": ([str(corpus), "--lr", "-1"], "--lr"),
        "negative clip": ([str(corpus), "--clip", "-1"], "--clip"),
        "layers": ([str(corpus), "--layers", "4"], "--layers"),
        "zero threads": ([str(corpus), "--threads", "0"], "--threads"),
        "steps without headless": ([str(corpus), "--steps", "5"], "--steps needs --headless"),
        "headless without steps": ([str(corpus), "--headless"], "--headless needs --steps"),
        "zero steps": ([str(corpus), "--headless", "--steps", "0"], "--steps must be"),
        "probe chars": ([str(corpus), "--probe", "zebra quux"], "not in the corpus"),
        "probe too short": ([str(corpus), "--probe", "ab"], "--probe needs at least 3"),
        "unwritable run dir": ([str(corpus), "--headless", "--steps", "2", "--export-every", "1",
                                "--run-dir", str(a_file / "sub")], "cannot write snapshots"),
        "run dir is a file": ([str(corpus), "--headless", "--steps", "2", "--export-every", "1",
                               "--run-dir", str(a_file)], "is a file"),
        "corrupt checkpoint": ([str(corpus), "--resume", str(garbage)], "not a readable rnnscope checkpoint"),
        "pickled code": ([str(corpus), "--resume", str(pickled)], "not a readable rnnscope checkpoint"),
        "missing checkpoint": ([str(corpus), "--resume", str(tmp_path / "x.pt")], "does not exist"),
        "unknown flag": ([str(corpus), "--colour", "blue"], "unrecognized arguments"),
    }


CASES = ["missing", "folder", "empty", "binary", "undecodable", "unknown encoding", "too short", "bad model",
         "bad hidden", "not a number", "negative lr", "negative clip", "layers", "zero threads",
         "steps without headless", "headless without steps", "zero steps", "probe chars", "probe too short", "unwritable run dir",
         "run dir is a file", "corrupt checkpoint", "pickled code", "missing checkpoint", "unknown flag"]


@pytest.mark.parametrize("case", CASES)
def test_bad_input_is_one_clear_line_and_exit_2(tmp_path, capsys, case):
    argv, message = _bad(tmp_path)[case]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and err.startswith("rnnscope: error:"), err
    assert message in err
    assert "Traceback" not in err


@pytest.mark.slow
def test_mismatched_checkpoint_is_refused(tmp_path, capsys):
    corpus = write_corpus(tmp_path)
    assert _headless(corpus, "--steps", "2", "--export-every", "2", "--run-dir", str(tmp_path / "r")) == 0
    checkpoint = str(tmp_path / "r" / "step-000002" / "checkpoint.pt")
    assert main([str(corpus), "--resume", checkpoint, "--hidden", "64"]) == 2
    assert "conflicts with the checkpoint" in capsys.readouterr().err
    other = tmp_path / "other.txt"
    other.write_text("qwertyuiop" * 300)
    assert main([str(other), "--headless", "--steps", "4", "--resume", checkpoint]) == 2
    assert "different character set" in capsys.readouterr().err


def test_python_dash_m_runs_and_never_prints_a_traceback(tmp_path):
    done = subprocess.run([sys.executable, "-m", "rnnscope", str(tmp_path / "missing.txt"), "--headless",
                           "--steps", "1"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "does not exist" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the message on a machine without CUDA")
def test_cuda_without_a_gpu_is_a_clear_usage_error(tmp_path, capsys):
    corpus = write_corpus(tmp_path)
    assert main([str(corpus), "--device", "cuda"]) == 2
    assert "no CUDA device" in capsys.readouterr().err


def test_a_lesson_chosen_with_l_keeps_the_user_s_corpus_where_the_lesson_trains_on_a_text():
    from rnnscope.cli import next_lesson_argv

    assert next_lesson_argv("vanishing", "my.txt") == ["my.txt", "--lesson", "vanishing"]
    assert next_lesson_argv("lstm-gates", "my.txt") == ["--lesson", "lstm-gates"]  # its own recall task
    assert next_lesson_argv("vanishing", None) == ["--lesson", "vanishing"]
