"""Class 7: values the run cannot represent are refused at the command line: one line, exit 2."""

from __future__ import annotations

import pytest

from rnnscope.cli import main
from tests.core_fixtures import write_corpus

BAD_VALUES = {
    "clip inf": (["--clip", "inf"], "--clip"),
    "clip -inf": (["--clip", "-inf"], "--clip"),
    "clip nan": (["--clip", "nan"], "--clip"),
    "clip overflow": (["--clip", "1e400"], "--clip"),
    "clip negative": (["--clip", "-1"], "--clip"),
    "lr inf": (["--lr", "inf"], "--lr"),
    "lr nan": (["--lr", "nan"], "--lr"),
    "init gain nan": (["--init-gain", "nan"], "--init-gain"),
    "seed 2^63": (["--seed", str(2**63)], "--seed"),
    "seed huge": (["--seed", "9" * 100], "--seed"),
    "seed negative": (["--seed", "-1"], "--seed"),
    "seed float": (["--seed", "1.5"], "invalid int"),
    "threads huge": (["--threads", "1000000"], "--threads"),
    "threads zero": (["--threads", "0"], "--threads"),
    "hidden huge": (["--hidden", str(10**20)], "--hidden"),
    "seq-len 1": (["--seq-len", "1"], "--seq-len"),
    "val-every 0": (["--val-every", "0"], "--val-every"),
    "probe too short": (["--probe", "ab"], "--probe"),
    "probe unknown chars": (["--probe", "\x1b[2J\udcff"], "not in the corpus"),
    "encoding empty": (["--encoding", ""], "unknown encoding"),
    "encoding base64": (["--encoding", "base64"], "unknown encoding"),
    "encoding rot13": (["--encoding", "rot13"], "unknown encoding"),
    "encoding nonsense": (["--encoding", "\x1b]0;x\x07"], "unknown encoding"),
}


@pytest.mark.parametrize("case", sorted(BAD_VALUES))
def test_values_outside_the_run_are_refused(tmp_path, capsys, case):
    argv, word = BAD_VALUES[case]
    corpus = write_corpus(tmp_path)
    assert main([str(corpus), "--headless", "--steps", "1", *argv]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("rnnscope: error:") and word in err, err
    assert "\x1b" not in err


@pytest.mark.parametrize("escape", ["\\ud800", "\\udfff", "abc\\udc80def"])
def test_an_encoding_that_makes_lone_surrogates_is_refused(tmp_path, capsys, escape):
    (tmp_path / "c.txt").write_text(("hello world " * 60) + escape + ("more text " * 40))
    assert main([str(tmp_path / "c.txt"), "--headless", "--steps", "1", "--encoding", "unicode_escape"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "lone surrogate" in err and "--encoding" in err, err


def test_a_broken_escape_under_unicode_escape_is_refused(tmp_path, capsys):
    (tmp_path / "c.txt").write_text("hello world " * 100 + "\\x")
    assert main([str(tmp_path / "c.txt"), "--headless", "--steps", "1", "--encoding", "unicode_escape"]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_largest_accepted_seed_trains(tmp_path, capsys):
    corpus = write_corpus(tmp_path)
    assert main([str(corpus), "--headless", "--steps", "1", "--seed", str(2**63 - 1), "--hidden", "8",
                 "--embed", "4", "--seq-len", "16", "--batch", "2", "--threads", "1"]) == 0
