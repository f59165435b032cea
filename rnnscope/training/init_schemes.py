"""Recurrent-weight init schemes (default, xavier, orthogonal, identity per Le et al. 2015) times a gain."""

from __future__ import annotations

import torch
from torch import nn

from rnnscope import cells
from rnnscope.contracts.config import INITS


def _init_gate_blocks(weight_hh: torch.Tensor, scheme: str) -> None:
    """Apply `scheme` to each H x H gate block of one W_hh in place."""
    hidden = weight_hh.shape[1]
    for block in weight_hh.split(hidden, dim=0):  # each [H, H], a view into weight_hh
        if scheme == "xavier":
            nn.init.xavier_uniform_(block)
        elif scheme == "orthogonal":
            nn.init.orthogonal_(block)
        elif scheme == "identity":
            block.copy_(torch.eye(hidden, dtype=block.dtype, device=block.device))


def init_recurrent(model: nn.Module, scheme: str, gain: float) -> None:
    """Re-initialise `model.rnn`'s recurrent weights with `scheme`, then multiply every W_hh by `gain`.

    "default" keeps PyTorch's own init; "xavier" / "orthogonal" redraw each gate block of W_hh
    (drawing from the global torch RNG); "identity" sets each gate block to I and every recurrent
    bias (bias_ih, bias_hh) to 0. Input weights are never touched. The kind's cell says which weights are
    recurrent (rnnscope.cells.base.Cell.recurrent_weights).
    """
    if scheme not in INITS:
        raise ValueError(f"unknown init scheme {scheme!r}: choose one of {', '.join(INITS)}")
    cell = cells.cell(model.kind)
    with torch.no_grad():
        for weight_hh in cell.recurrent_weights(model.rnn):
            _init_gate_blocks(weight_hh, scheme)
            weight_hh.mul_(gain)
        if scheme == "identity":
            for bias in cell.recurrent_biases(model.rnn):
                bias.zero_()

