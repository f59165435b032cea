"""Per-parameter gradient norms of the watched module, read from .grad (never written) without a device sync."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn


class GradNorms:
    """Takes the norms after backward as one tensor on the module's device; turns them into numbers when asked."""

    def __init__(self, rnn: nn.RNNBase) -> None:
        self.rnn = rnn
        self.names = tuple(name for name, _ in rnn.named_parameters())
        self.pending: tuple[int, torch.Tensor] | None = None  # (step, norms [P]) not yet read back

    def take(self, step: int) -> None:
        """The norms of every parameter's gradient now (0 for a parameter without one)."""
        with torch.no_grad():
            norms = [torch.linalg.vector_norm(p.grad.detach(), dtype=torch.float32) if p.grad is not None
                     else torch.zeros((), device=p.device) for p in self.rnn.parameters()]
            self.pending = (step, torch.stack([n.to(norms[0].device) for n in norms]))  # [P]

    def read(self) -> tuple[int, dict[str, float], float] | None:
        """(step, name -> norm, total norm) of the last take, or None when there was none since the last read."""
        if self.pending is None:
            return None
        step, norms = self.pending
        self.pending = None
        values = norms.to("cpu", torch.float64).numpy()  # [P]
        return step, dict(zip(self.names, map(float, values))), float(np.sqrt(np.sum(values ** 2)))
