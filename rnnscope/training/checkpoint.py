"""Checkpoints: everything needed to resume a run exactly, readable with weights_only=True only."""

from __future__ import annotations

import contextlib
import json
import math
from collections.abc import Iterator
from pathlib import Path

import torch

from rnnscope.contracts.config import RunConfig
from rnnscope.contracts.errors import CheckpointError

FORMAT = "rnnscope-checkpoint-1"
REQUIRED = ("format", "config", "vocab", "step", "model", "optimizer", "sampler_state", "sample_rng",
            "histories", "events", "last_clip")
HISTORY_COLUMNS = {"loss": 2, "val": 2, "grad": 3}


def load_checkpoint(path: str | Path) -> dict:
    """Read a checkpoint without executing any code from it and check its shape."""
    path = Path(path)
    if path.is_dir():
        path = path / "checkpoint.pt"
    if not path.is_file():
        raise CheckpointError(f"{path} does not exist: give the checkpoint.pt of an exported snapshot")
    try:
        data = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as err:  # torch raises many types for corrupt or foreign files
        reason = str(err).splitlines()[0][:160] if str(err) else type(err).__name__
        raise CheckpointError(f"{path} is not a readable rnnscope checkpoint ({reason}): "
                              "give the checkpoint.pt of an exported snapshot") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise CheckpointError(f"{path} is not an rnnscope checkpoint: give the checkpoint.pt of an exported snapshot")
    missing = [key for key in REQUIRED if key not in data]
    if missing:
        raise CheckpointError(f"{path} is incomplete (missing {', '.join(missing)}): export a new snapshot")
    check_fields(data, path)
    return data


@contextlib.contextmanager
def malformed(field: str, where: str | Path = "the checkpoint") -> Iterator[None]:
    """Any error inside the block becomes one CheckpointError line naming the malformed field."""
    try:
        yield
    except CheckpointError:
        raise
    except Exception as err:  # torch, numpy and json raise many types for data of the wrong shape
        reason = (str(err).splitlines() or [type(err).__name__])[0][:120]
        raise CheckpointError(f"{where} has a malformed {field} ({reason}): resume from another snapshot") from None


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _require(ok: bool, message: str) -> None:
    if not ok:
        raise ValueError(message)


def check_fields(data: dict, where: str | Path = "the checkpoint") -> None:
    """Check the type and shape of every field before anything uses one (weights are checked on loading)."""
    with malformed("config", where):
        _require(isinstance(data["config"], dict), "not a mapping")
        RunConfig.from_dict(data["config"])
    with malformed("vocab", where):
        vocab = data["vocab"]
        _require(isinstance(vocab, list) and vocab and all(isinstance(c, str) and len(c) == 1 for c in vocab)
                 and len(set(vocab)) == len(vocab), "not a list of distinct characters")
    with malformed("step", where):
        _require(_is_int(data["step"]) and 0 <= data["step"] < 2**62, "not a whole number of steps")
    with malformed("model weights", where):
        _require(isinstance(data["model"], dict) and all(isinstance(v, torch.Tensor) for v in data["model"].values()),
                 "not a mapping of tensors")
        _require(all(v.is_floating_point() and bool(torch.isfinite(v).all()) for v in data["model"].values()),
                 "a weight is not a finite number")
    with malformed("optimizer state", where):
        _require(isinstance(data["optimizer"], dict) and {"state", "param_groups"} <= data["optimizer"].keys(),
                 "not an optimizer state")
    with malformed("sampler state", where):
        _require(isinstance(data["sampler_state"], str), "not text")
        state = json.loads(data["sampler_state"])
        _require(isinstance(state, dict) and state.get("bit_generator") == "PCG64", "not a PCG64 state")
    with malformed("sampling RNG state", where):
        rng = data["sample_rng"]
        _require(isinstance(rng, torch.Tensor) and rng.dtype == torch.uint8 and rng.dim() == 1, "not a byte tensor")
    with malformed("histories", where):
        _require(isinstance(data["histories"], dict), "not a mapping")
        for name, columns in HISTORY_COLUMNS.items():
            _check_history(name, data["histories"][name], columns)
    with malformed("events", where):
        _require(isinstance(data["events"], list) and all(
            isinstance(e, (list, tuple)) and len(e) == 2 and _is_int(e[0]) and e[0] >= 0 and isinstance(e[1], str)
            for e in data["events"]), "not a list of [step, label]")
    for name in ("last_clip", "temperature"):
        with malformed(name, where):
            value = data.get(name, 1.0)
            _require(isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
                     and value > 0, "not a positive number")


def _check_history(name: str, state, columns: int) -> None:
    _require(isinstance(state, dict), f"{name} is not a mapping")
    rows = state["rows"]
    _require(isinstance(rows, torch.Tensor) and rows.dim() == 2 and rows.shape[1] == columns
             and rows.dtype.is_floating_point, f"{name} rows are not [N, {columns}] floats")
    _require(bool(torch.isfinite(rows[:, 0]).all() and (rows[:, 0] >= 0).all() and not (rows[:, 1:] < 0).any()),
             f"{name} rows hold a step or a value out of range")
    _require(_is_int(state["stride"]) and state["stride"] >= 1, f"{name} stride is not a positive whole number")
    _require(_is_int(state["seen"]) and state["seen"] >= rows.shape[0], f"{name} count is not a whole number")


def check_vocab(data: dict, vocab: tuple[str, ...]) -> None:
    """A checkpoint only continues on a corpus with the same character set."""
    if list(data["vocab"]) != list(vocab):
        raise CheckpointError("the checkpoint was trained on a corpus with a different character set: "
                              "resume with the corpus it was trained on")
