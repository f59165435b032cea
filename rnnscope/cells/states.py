"""What one layer's passes hand on: the oracle's trace (with its graph) and the fast probe's detached states."""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch import nn


@dataclass
class LayerTrace:
    """One layer's unrolled pass; every tensor is still attached to the autograd graph."""

    hidden: list[torch.Tensor]  # T x [B, H] h_t, the very tensors the next layer and the head consume
    cell: list[torch.Tensor] | None  # T x [B, H] c_t, for a kind with a cell state only
    gates: torch.Tensor  # [G, B, T, H] post-nonlinearity gates in the kind's order (G = 0 for vanilla RNN)
    pre_activation: torch.Tensor | None  # [B, T, H] W_ih x + b_ih + W_hh h + b_hh, vanilla RNN only


@dataclass
class LayerStates:
    """One layer's forward quantities over the probe (batch 1 squeezed), detached from any graph."""

    hidden: torch.Tensor  # [T, H] h_t
    cell: torch.Tensor | None  # [T, H] c_t, for a kind with a cell state only
    gates: torch.Tensor  # [G, T, H] post-nonlinearity gates in the kind's order (G = 0 for a vanilla RNN)
    pre_activation: torch.Tensor | None  # [T, H] W_ih x + b_ih + W_hh h + b_hh, vanilla RNN only
    kept: dict[str, torch.Tensor] = field(default_factory=dict)  # what the kind's backward needs besides, [T, H] each


def layer_weights(rnn: nn.Module, layer: int) -> tuple[torch.Tensor, torch.Tensor | None, torch.Tensor | None,
                                                       torch.Tensor | None]:
    """Layer `layer`'s W_ih [G*H, In], W_hh [G*H, H], b_ih, b_hh [G*H] (None for what the module does not have:
    biases of a module built bias=False, W_hh and b_hh of a cell without a recurrent matrix)."""
    return tuple(  # type: ignore[return-value]
        getattr(rnn, f"{name}_l{layer}", None) for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
    )


def float_weights(rnn: nn.Module, layer: int) -> list[torch.Tensor | None]:
    """Layer `layer`'s W_ih, W_hh, b_ih, b_hh detached in float32 (None for what the module does not have)."""
    return [None if w is None else w.detach().float() for w in layer_weights(rnn, layer)]


def previous_hidden(hidden: torch.Tensor) -> torch.Tensor:
    """h_{t-1} [T, H] for h_t [T, H]: the zero start state, then each step's h moved one step on."""
    return torch.cat((hidden.new_zeros(1, hidden.shape[1]), hidden[:-1]))  # [T, H]
