"""What the fast probe's forward and backward hand on: one layer's states, every layer's flow norms."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch


@dataclass
class LayerStates:
    """One layer's forward quantities over the probe (batch 1 squeezed), detached from any graph."""

    hidden: torch.Tensor  # [T, H] h_t
    cell: torch.Tensor | None  # [T, H] c_t, LSTM only
    gates: torch.Tensor  # [G, T, H] post-nonlinearity gates in PyTorch order (G = 0 for a vanilla RNN)
    pre_activation: torch.Tensor | None  # [T, H] W_ih x + b_ih + W_hh h + b_hh, vanilla RNN only
    new_recurrent: torch.Tensor | None = None  # [T, H] W_hn h_{t-1} + b_hn, GRU only (the backward needs it)


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
