"""--compare on the command line: parsing, what differs, bad input, the headless JSON, exports and resuming a side."""

import json
from pathlib import Path

import pytest
from PIL import Image

from rnnscope.cli import build_parser, main
from rnnscope.compare.options import COMPARE_KEYS, parse_compare, what_differs
from rnnscope.contracts.config import RunConfig
from rnnscope.exporting import export
from tests.core_fixtures import write_corpus
from tests.test_cli import TINY_ARGS


@pytest.fixture
def quick_snapshot_figures(monkeypatch):
    """Each side's figure.png as a placeholder: these tests are about folders and numbers."""
    monkeypatch.setattr(export, "render_figure", lambda frame, path: Path(path).write_bytes(b"\x89PNG"))


def _compare(corpus, *extra):
    return main([str(corpus), "--headless", *TINY_ARGS, *extra])


def _closing(capsys) -> dict:
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def test_values_are_parsed_by_the_options_own_types():
    spec = parse_compare("init-gain=2, seed=3,model=gru,clip=0", build_parser())
    assert spec.changes == {"init_gain": 2.0, "seed": 3, "model": "gru", "clip": 0.0}
    assert spec.text == "init-gain=2, seed=3,model=gru,clip=0"


@pytest.mark.parametrize("a, b, line", [
    ({}, {"clip": None}, "B: clip off"),
    ({}, {"model": "rnn-tanh"}, "B: model rnn-tanh"),
    ({}, {"seed": 1}, "B: seed 1"),
    ({}, {"lr": 0.01, "optimizer": "sgd"}, "B: lr 0.01, optimizer sgd"),
    ({"clip": None}, {"clip": 0.5}, "B: clip 0.5"),
    ({}, {"init_gain": 1.5, "init": "identity"}, "B: init identity, init-gain 1.5"),
    ({}, {}, "B: same settings as A"),
])
def test_what_differs_is_one_line(a, b, line):
    assert what_differs(RunConfig(**a), RunConfig(**{**a, **b})) == line


def _bad_cases(tmp_path):
    corpus = write_corpus(tmp_path)
    headless = [str(corpus), "--headless", "--steps", "2"]
    return {
        "unknown key": (headless + ["--compare", "colour=red"], f"choose from {', '.join(COMPARE_KEYS)}"),
        "key without =": (headless + ["--compare", "clip"], "is not KEY=VALUE"),
        "empty value": (headless + ["--compare", "clip="], "clip= has no value"),
        "empty item": (headless + ["--compare", "clip=0,"], "is not KEY=VALUE"),
        "not a number": (headless + ["--compare", "lr=fast"], "invalid float value: 'fast'"),
        "not a choice": (headless + ["--compare", "model=transformer"], "invalid choice"),
        "out of range": (headless + ["--compare", "hidden=0"], "--hidden must be between 1 and 4096"),
        "negative clip": (headless + ["--compare", "clip=-1"], "--clip must be a positive number"),
        "twice": (headless + ["--compare", "clip=0,lr=0.1,clip=1"], "clip is given twice"),
        "with replay": ([str(tmp_path), "--replay", str(tmp_path), "--compare", "clip=0"], "with --replay"),
        "with resume": (headless + ["--resume", str(tmp_path / "x.pt"), "--compare", "clip=0"], "with --resume"),
        "dashboard": ([str(corpus), "--compare", "hidden=0"], "--hidden must be between 1 and 4096"),
    }


@pytest.mark.parametrize("case", ["unknown key", "key without =", "empty value", "empty item", "not a number",
                                  "not a choice", "out of range", "negative clip", "twice", "with replay",
                                  "with resume", "dashboard"])
def test_bad_compare_is_one_line_and_exit_2(tmp_path, capsys, case):
    argv, message = _bad_cases(tmp_path)[case]
    assert main(argv) == 2
    captured = capsys.readouterr()
    err = captured.err.strip()
    assert err.count("\n") == 0 and err.startswith("rnnscope: error: --compare"), err
    assert message in err and "Traceback" not in err
    assert captured.out == ""


def test_forget_bias_key_follows_the_option():
    assert "forget_bias" in parse_compare("forget-bias=1", build_parser()).changes


def test_headless_compare_reports_both_sides_and_exports_a_b_and_the_figure(tmp_path, capsys,
                                                                           quick_snapshot_figures):
    corpus = write_corpus(tmp_path)
    run_dir = tmp_path / "run"
    assert _compare(corpus, "--steps", "6", "--export-every", "6", "--run-dir", str(run_dir),
                    "--compare", "clip=0") == 0
    result = _closing(capsys)
    assert set(result) == {"compare", "a", "b"} and result["compare"] == "clip=0"
    for side in ("a", "b"):
        assert set(result[side]) == {"step", "train_loss", "val_loss", "chars_per_s", "snapshot", "diverged",
                                     "memory", "timings", "units", "sample"}
        assert result[side]["step"] == 6 and result[side]["diverged"] is None
        assert result[side]["snapshot"] == str(run_dir / side / "step-000006")
        assert sorted(p.name for p in (run_dir / side).iterdir()) == ["step-000006", "timeline"]
    assert sorted(p.name for p in run_dir.iterdir()) == ["a", "b", "compare-step-000006.png"]
    meta_a = json.loads((run_dir / "a" / "step-000006" / "meta.json").read_text())
    meta_b = json.loads((run_dir / "b" / "step-000006" / "meta.json").read_text())
    assert meta_a["clip"] == 1.0 and meta_b["clip"] is None
    with Image.open(run_dir / "compare-step-000006.png") as image:
        assert image.width == 1600 and image.height >= 800


def test_one_side_diverging_is_a_result_exit_0(tmp_path, capsys, quick_snapshot_figures):
    corpus = write_corpus(tmp_path)
    code = _compare(corpus, "--steps", "30", "--model", "rnn-relu", "--init", "identity", "--optimizer", "sgd",
                    "--lr", "0.1", "--clip", "0", "--compare", "lr=50", "--export-every", "100",
                    "--run-dir", str(tmp_path / "run"))
    captured = capsys.readouterr()
    result = json.loads(captured.out.strip().splitlines()[-1])
    assert code == 0
    assert "run B diverged" in captured.err and "Traceback" not in captured.err
    assert result["a"]["diverged"] is None and result["a"]["step"] == 30
    assert result["b"]["diverged"] == result["b"]["step"] + 1
    assert result["b"]["snapshot"] == str(tmp_path / "run" / "b" / f"step-{result['b']['step']:06d}")


@pytest.mark.slow
def test_either_side_resumes_alone_as_a_single_run(tmp_path, capsys, quick_snapshot_figures):
    corpus = write_corpus(tmp_path)
    run_dir = tmp_path / "run"
    assert _compare(corpus, "--steps", "8", "--export-every", "4", "--run-dir", str(run_dir),
                    "--compare", "seed=1,lr=0.01") == 0
    paired = _closing(capsys)
    for side in ("a", "b"):
        checkpoint = run_dir / side / "step-000004" / "checkpoint.pt"
        assert main([str(corpus), "--headless", "--threads", "1", "--steps", "8", "--resume", str(checkpoint),
                     "--run-dir", str(tmp_path / f"alone-{side}")]) == 0
        alone = _closing(capsys)
        assert alone["step"] == 8
        assert (alone["train_loss"], alone["val_loss"]) == (paired[side]["train_loss"], paired[side]["val_loss"])
    assert paired["a"]["train_loss"] != paired["b"]["train_loss"]
