"""Checkpoints: everything needed to resume a run exactly, readable with weights_only=True only."""

from __future__ import annotations

from pathlib import Path

import torch

from rnnscope.errors import InputError

FORMAT = "rnnscope-checkpoint-1"
REQUIRED = ("format", "config", "vocab", "step", "model", "optimizer", "sampler_state", "sample_rng",
            "histories", "events", "last_clip")


class CheckpointError(InputError):
    """A checkpoint that cannot be resumed; the message says why and what to do."""


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
    return data


def check_vocab(data: dict, vocab: tuple[str, ...]) -> None:
    """A checkpoint only continues on a corpus with the same character set."""
    if list(data["vocab"]) != list(vocab):
        raise CheckpointError("the checkpoint was trained on a corpus with a different character set: "
                              "resume with the corpus it was trained on")
