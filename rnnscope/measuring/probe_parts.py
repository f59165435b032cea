"""What the fast probe's backward hands on: every layer's flow norms (one layer's states: rnnscope.cells.states)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch


@dataclass
class Flows:
    """The gradient norms of every layer, float64 [L, T] each (grad_c None without a cell)."""

    grad_h: np.ndarray  # ||dl_{T-1} / dh_t||
    grad_c: np.ndarray | None  # ||dl_{T-1} / dc_t||
    grad_h_total: np.ndarray  # ||dL / dh_t||, L = mean of l_t
    connectivity: np.ndarray | None  # [T, T]


def step_norms(grads: torch.Tensor) -> np.ndarray:
    """L2 norms over the last axis, squared in float64 (a float32 square of ~1e-20 underflows to 0)."""
    return torch.linalg.vector_norm(grads.double(), dim=-1).cpu().numpy()
