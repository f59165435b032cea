"""Class 5 (checkpoints): a loadable checkpoint with one malformed field is refused in one line, exit 2."""

from __future__ import annotations

import copy
import json

import pytest
import torch

from rnnscope.cli import main
from tests.core_fixtures import write_corpus

TINY = ["--hidden", "12", "--embed", "6", "--seq-len", "16", "--batch", "4", "--threads", "1", "--val-every", "2"]


def _corrupt_moment(data):
    state = data["optimizer"]["state"]
    first = next(iter(state))
    state[first]["exp_avg"] = torch.zeros(3, 3)


def _set(path, value):
    def corrupt(data):
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return corrupt


CORRUPTIONS = {
    "config not a dict": _set(["config"], "lstm"),
    "config hidden text": _set(["config", "hidden"], "12"),
    "config clip inf": _set(["config", "clip"], float("inf")),
    "config seed negative": _set(["config", "seed"], -5),
    "config model unknown": _set(["config", "model"], "transformer"),
    "vocab ints": _set(["vocab"], [1, 2, 3]),
    "vocab duplicates": lambda d: d["vocab"].__setitem__(1, d["vocab"][0]),
    "step negative": _set(["step"], -1),
    "step float": _set(["step"], 2.5),
    "step text": _set(["step"], "4"),
    "step bool": _set(["step"], True),
    "model weights not tensors": _set(["model"], {"embedding.weight": [1, 2]}),
    "model weight wrong shape": lambda d: d["model"].__setitem__("embedding.weight", torch.zeros(2, 2)),
    "model weight missing": lambda d: d["model"].pop("embedding.weight"),
    "model weight nan": lambda d: d["model"]["embedding.weight"].__setitem__((0, 0), float("nan")),
    "model weight inf": lambda d: d["model"]["head.bias"].__setitem__(0, float("-inf")),
    "model weight ints": lambda d: d["model"].__setitem__("head.bias", d["model"]["head.bias"].long()),
    "step huge": _set(["step"], 2**70),
    "history step nan": lambda d: d["histories"]["loss"]["rows"].__setitem__((0, 0), float("nan")),
    "history step negative": lambda d: d["histories"]["loss"]["rows"].__setitem__((0, 0), -3.0),
    "history norm negative": lambda d: d["histories"]["grad"]["rows"].__setitem__((0, 1), -1.0),
    "event step negative": _set(["events"], [[-4, "clip off"]]),
    "optimizer empty": _set(["optimizer"], {}),
    "optimizer moment wrong shape": _corrupt_moment,
    "optimizer groups wrong": _set(["optimizer", "param_groups"], []),
    "sampler state not json": _set(["sampler_state"], "{not json"),
    "sampler state other generator": _set(["sampler_state"], json.dumps({"bit_generator": "MT19937"})),
    "sampler state garbage values": _set(["sampler_state"], json.dumps(
        {"bit_generator": "PCG64", "state": {"state": "x", "inc": 1}, "has_uint32": 0, "uinteger": 0})),
    "sample rng short": _set(["sample_rng"], torch.zeros(3, dtype=torch.uint8)),
    "sample rng floats": _set(["sample_rng"], torch.zeros(5056)),
    "histories list": _set(["histories"], []),
    "history rows wrong columns": _set(["histories", "loss", "rows"], torch.zeros(4, 5, dtype=torch.float64)),
    "history rows 1-d": _set(["histories", "grad", "rows"], torch.zeros(4, dtype=torch.float64)),
    "history stride zero": _set(["histories", "val", "stride"], 0),
    "history missing": lambda d: d["histories"].pop("grad"),
    "events not pairs": _set(["events"], [[1, 2, 3]]),
    "events label int": _set(["events"], [[1, 5]]),
    "last clip nan": _set(["last_clip"], float("nan")),
    "last clip negative": _set(["last_clip"], -1.0),
    "temperature inf": _set(["temperature"], float("inf")),
    "temperature text": _set(["temperature"], "hot"),
}


@pytest.fixture(scope="module")
def original(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ckpt")
    corpus = write_corpus(folder)
    assert main([str(corpus), "--headless", "--steps", "4", "--export-every", "4", "--run-dir", str(folder / "run"),
                 *TINY]) == 0
    path = folder / "run" / "step-000004" / "checkpoint.pt"
    return corpus, torch.load(path, weights_only=True)


@pytest.mark.parametrize("case", sorted(CORRUPTIONS))
def test_a_malformed_field_is_one_line_and_exit_2(original, tmp_path, capsys, case):
    corpus, data = original
    data = copy.deepcopy(data)
    CORRUPTIONS[case](data)
    path = tmp_path / "checkpoint.pt"
    torch.save(data, path)
    capsys.readouterr()
    code = main([str(corpus), "--headless", "--steps", "6", "--threads", "1", "--resume", str(path),
                 "--run-dir", str(tmp_path / "run")])
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.count("\n") == 1 and err.startswith("rnnscope: error:") and "unexpected error" not in err, err


def test_the_untouched_checkpoint_still_resumes(original, tmp_path, capsys):
    corpus, data = original
    torch.save(data, tmp_path / "checkpoint.pt")
    assert main([str(corpus), "--headless", "--steps", "6", "--threads", "1", "--resume",
                 str(tmp_path / "checkpoint.pt"), "--run-dir", str(tmp_path / "run")]) == 0
