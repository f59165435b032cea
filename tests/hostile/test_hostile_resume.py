"""Class 4: resume is exact or refused (a changed corpus, a corpus moved or gone, another working directory)."""

from __future__ import annotations

import json

import pytest

from rnnscope.cli import main
from tests.core_fixtures import write_corpus

TINY = ["--hidden", "12", "--embed", "6", "--seq-len", "16", "--batch", "4", "--threads", "1", "--val-every", "5"]


@pytest.fixture
def checkpoint(tmp_path, capsys):
    corpus = write_corpus(tmp_path)
    assert main([str(corpus), "--headless", "--steps", "4", "--export-every", "4", "--run-dir",
                 str(tmp_path / "run"), *TINY]) == 0
    capsys.readouterr()
    return corpus, tmp_path / "run" / "step-000004" / "checkpoint.pt"


def _resume(*argv):
    return main(["--headless", "--steps", "6", "--threads", "1", *argv])


@pytest.mark.slow
@pytest.mark.parametrize("change", ["append", "swap", "same-length"])
def test_a_changed_corpus_is_refused_in_one_line(checkpoint, capsys, change):
    corpus, ckpt = checkpoint
    text = corpus.read_text()
    changed = {"append": text + "the cat", "swap": text[1:] + text[0], "same-length": text.replace("cat", "act")}
    corpus.write_text(changed[change])
    assert _resume(str(corpus), "--resume", str(ckpt)) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "changed since the checkpoint" in err and "--allow-changed-corpus" in err


@pytest.mark.slow
def test_allow_changed_corpus_continues_with_a_warning(checkpoint, capsys):
    corpus, ckpt = checkpoint
    corpus.write_text(corpus.read_text().replace("cat", "act"))
    assert _resume(str(corpus), "--resume", str(ckpt), "--allow-changed-corpus") == 0
    captured = capsys.readouterr()
    assert "warning" in captured.err and json.loads(captured.out.splitlines()[-1])["step"] == 6


def test_allow_changed_corpus_needs_resume(checkpoint, capsys):
    corpus, _ = checkpoint
    assert main([str(corpus), "--headless", "--steps", "1", "--allow-changed-corpus"]) == 2
    assert "--allow-changed-corpus needs --resume" in capsys.readouterr().err


@pytest.mark.slow
def test_resume_from_another_working_directory_finds_the_corpus(checkpoint, tmp_path, capsys, monkeypatch):
    _, ckpt = checkpoint
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert _resume("--resume", str(ckpt)) == 0  # no corpus argument: the checkpoint's absolute path is used
    assert json.loads(capsys.readouterr().out.splitlines()[-1])["step"] == 6


def test_relative_corpus_path_is_stored_absolute(tmp_path, capsys, monkeypatch):
    write_corpus(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert main(["tiny.txt", "--headless", "--steps", "2", "--export-every", "2", "--run-dir", "run", *TINY]) == 0
    import torch

    config = torch.load(tmp_path / "run" / "step-000002" / "checkpoint.pt", weights_only=True)["config"]
    assert config["corpus"] == str(tmp_path / "tiny.txt")


def test_a_gone_corpus_is_named(checkpoint, capsys):
    corpus, ckpt = checkpoint
    corpus.rename(corpus.with_name("moved.txt"))
    assert _resume("--resume", str(ckpt)) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(corpus) in err and "is gone" in err


@pytest.mark.slow
def test_the_right_corpus_resumes_exactly(checkpoint, tmp_path, capsys):
    corpus, ckpt = checkpoint
    assert main([str(corpus), "--headless", "--steps", "6", "--run-dir", str(tmp_path / "straight"), *TINY]) == 0
    straight = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert _resume(str(corpus), "--resume", str(ckpt)) == 0
    resumed = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert resumed["train_loss"] == straight["train_loss"]
