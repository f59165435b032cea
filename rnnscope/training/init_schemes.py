"""Recurrent-weight init schemes (default, xavier, orthogonal, identity per Le et al. 2015) times a gain."""

from __future__ import annotations

import torch
from torch import nn

from rnnscope.contracts.config import INITS


def _recurrent_weights(rnn: nn.RNNBase) -> list[torch.Tensor]:
    """Every layer's W_hh, [G*H, H]."""
    return [getattr(rnn, f"weight_hh_l{layer}") for layer in range(rnn.num_layers)]


def _recurrent_biases(rnn: nn.RNNBase) -> list[torch.Tensor]:
    """Every layer's bias_ih and bias_hh, [G*H] each."""
    layers = range(rnn.num_layers)
    return [getattr(rnn, f"{name}_l{layer}") for layer in layers for name in ("bias_ih", "bias_hh")]


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
    bias (bias_ih, bias_hh) to 0. Input weights are never touched.
    """
    if scheme not in INITS:
        raise ValueError(f"unknown init scheme {scheme!r}: choose one of {', '.join(INITS)}")
    with torch.no_grad():
        for weight_hh in _recurrent_weights(model.rnn):
            _init_gate_blocks(weight_hh, scheme)
            weight_hh.mul_(gain)
        if scheme == "identity":
            for bias in _recurrent_biases(model.rnn):
                bias.zero_()


def set_forget_bias(model: nn.Module, value: float) -> None:
    """LSTM only: every layer's forget block of bias_ih := value and of bias_hh := 0 (Gers et al. 2000)."""
    if not isinstance(model.rnn, nn.LSTM):
        raise ValueError("the forget-gate bias exists for an LSTM only")
    hidden = model.rnn.hidden_size
    with torch.no_grad():
        for layer in range(model.rnn.num_layers):
            getattr(model.rnn, f"bias_ih_l{layer}")[hidden : 2 * hidden].fill_(value)  # forget block [H]
            getattr(model.rnn, f"bias_hh_l{layer}")[hidden : 2 * hidden].zero_()  # forget block [H]
