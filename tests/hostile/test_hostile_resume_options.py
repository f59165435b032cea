"""A resume applies the options it is given or refuses them in one line; a lesson's refusal names only what the
user typed."""

from __future__ import annotations

import json

import pytest
import torch

from rnnscope.cli import main
from tests.core_fixtures import write_corpus

TINY = ["--hidden", "8", "--embed", "4", "--seq-len", "16", "--batch", "2", "--threads", "1"]


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory):
    folder = tmp_path_factory.mktemp("resume")
    corpus = write_corpus(folder)
    assert main([str(corpus), "--headless", "--steps", "2", "--export-every", "2", "--run-dir", str(folder / "run"),
                 *TINY]) == 0
    return corpus, folder / "run" / "step-000002"


@pytest.mark.parametrize("option", [["--init", "xavier"], ["--init-gain", "2"], ["--forget-bias", "5"],
                                    ["--optimizer", "sgd"], ["--seed", "3"]])
def test_options_the_checkpoint_decides_are_refused_on_resume(snapshot, tmp_path, capsys, option):
    corpus, folder = snapshot
    assert main([str(corpus), "--headless", "--steps", "4", "--resume", str(folder),
                 "--run-dir", str(tmp_path / "r"), *option]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"{option[0]} " in err and "leave" in err and "unexpected" not in err, err
    assert not (tmp_path / "r").exists()


def test_the_checkpoints_own_values_are_accepted_on_resume(snapshot, tmp_path, capsys):
    corpus, folder = snapshot
    assert main([str(corpus), "--headless", "--steps", "3", "--resume", str(folder), "--run-dir", str(tmp_path / "r"),
                 "--init", "default", "--optimizer", "adam", "--seed", "0", "--init-gain", "1"]) == 0


def test_a_new_learning_rate_is_applied_on_resume(snapshot, tmp_path, capsys):
    corpus, folder = snapshot
    run = tmp_path / "r"
    assert main([str(corpus), "--headless", "--steps", "4", "--export-every", "4", "--resume", str(folder),
                 "--run-dir", str(run), "--lr", "0.5"]) == 0
    checkpoint = torch.load(run / "step-000004" / "checkpoint.pt", weights_only=True)
    assert [group["lr"] for group in checkpoint["optimizer"]["param_groups"]] == [0.5]
    assert json.loads((run / "step-000004" / "meta.json").read_text())["lr"] == 0.5


def test_a_lessons_refusal_names_only_options_the_user_typed(capsys):
    assert main(["--lesson", "long-memory", "--forget-bias", "3", "--headless"]) == 2
    err = capsys.readouterr().err
    assert "--forget-bias" in err and "--compare" not in err and "long-memory" in err and err.count("\n") == 1
