"""The losses a Scope's loop gives, kept at each step and averaged per frame: a number or nan, never an error."""

from __future__ import annotations

import math

import numpy as np
import torch


def loss_number(loss: object) -> torch.Tensor | float | None:
    """A loss the loop gave, kept for the frame: a tensor detached (read back later, without a sync now), anything
    else as one float; None when it is no single real number (an array of several, 10**400, a string, a meta or
    complex tensor)."""
    if isinstance(loss, torch.Tensor):
        ok = not loss.is_meta and loss.numel() > 0 and not loss.dtype.is_complex
        return loss.detach() if ok else None
    try:
        value = np.asarray(loss, dtype=np.float64)
    except Exception:  # not a number (TypeError, OverflowError, ...), or a __float__ that raises
        return None
    return float(value.reshape(())) if value.size == 1 else None


def mean_loss(losses: list[torch.Tensor | float]) -> float:
    """The mean of the kept losses (nan without any), the tensors read back from their device once."""
    if not losses:
        return math.nan
    numbers = [x for x in losses if not isinstance(x, torch.Tensor)]
    tensors = [x.double().mean() for x in losses if isinstance(x, torch.Tensor)]  # on the device, no sync yet
    if len({t.device for t in tensors}) > 1:  # the model moved between probes
        tensors = [t.cpu() for t in tensors]
    total = sum(numbers) + (float(torch.stack(tensors).sum()) if tensors else 0.0)
    return total / len(losses)
