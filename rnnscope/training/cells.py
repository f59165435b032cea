"""LSTM, GRU and vanilla RNN cells unrolled gate by gate over the fused module's own parameter tensors."""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

RNN_ACTIVATIONS = {"RNN_TANH": torch.tanh, "RNN_RELU": torch.relu}


@dataclass
class LayerTrace:
    """One layer's unrolled pass; every tensor is still attached to the autograd graph."""

    hidden: list[torch.Tensor]  # T x [B, H] h_t, the very tensors the next layer and the head consume
    cell: list[torch.Tensor] | None  # T x [B, H] c_t, LSTM only
    gates: torch.Tensor  # [G, B, T, H] post-nonlinearity gates in PyTorch order (G = 0 for vanilla RNN)
    pre_activation: torch.Tensor | None  # [B, T, H] W_ih x + b_ih + W_hh h + b_hh, vanilla RNN only


def lstm_step(x_proj, h, c, weight_hh, bias_hh):
    """One LSTM step from x_proj = x W_ih^T + b_ih [B, 4H]; returns h_t, c_t [B, H] and gates [4, B, H]."""
    fused = x_proj + F.linear(h, weight_hh, bias_hh)  # [B, 4H]
    in_pre, forget_pre, cell_pre, out_pre = fused.chunk(4, dim=1)  # 4 x [B, H]
    in_gate, forget_gate = torch.sigmoid(in_pre), torch.sigmoid(forget_pre)  # [B, H] each
    out_gate = torch.sigmoid(out_pre)  # [B, H]
    candidate = torch.tanh(cell_pre)  # [B, H]
    c_next = forget_gate * c + in_gate * candidate  # [B, H]
    h_next = out_gate * torch.tanh(c_next)  # [B, H]
    return h_next, c_next, torch.stack((in_gate, forget_gate, candidate, out_gate))


def gru_step(x_proj, h, weight_hh, bias_hh):
    """One GRU step from x_proj = x W_ih^T + b_ih [B, 3H]; returns h_t [B, H] and gates [3, B, H]."""
    x_reset, x_update, x_new = x_proj.chunk(3, dim=1)  # 3 x [B, H]
    h_reset, h_update, h_new = F.linear(h, weight_hh, bias_hh).chunk(3, dim=1)  # 3 x [B, H]
    reset = torch.sigmoid(x_reset + h_reset)  # [B, H]
    update = torch.sigmoid(x_update + h_update)  # [B, H]
    new = torch.tanh(x_new + reset * h_new)  # [B, H]
    h_next = (1 - update) * new + update * h  # [B, H]
    return h_next, torch.stack((reset, update, new))


def rnn_step(x_proj, h, weight_hh, bias_hh, activation):
    """One vanilla RNN step from x_proj = x W_ih^T + b_ih [B, H]; returns h_t and pre-activation [B, H]."""
    pre = x_proj + F.linear(h, weight_hh, bias_hh)  # [B, H]
    return activation(pre), pre


def layer_weights(rnn: nn.RNNBase, layer: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None,
                                                        torch.Tensor | None]:
    """Layer `layer`'s W_ih [G*H, In], W_hh [G*H, H], b_ih, b_hh [G*H] (both None for a module built bias=False)."""
    return tuple(  # type: ignore[return-value]
        getattr(rnn, f"{name}_l{layer}", None) for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
    )


def unroll_layer(rnn: nn.RNNBase, layer: int, inputs: torch.Tensor) -> LayerTrace:
    """Run layer `layer` of `rnn` step by step over inputs [B, T, In] from a zero state."""
    weight_ih, weight_hh, bias_ih, bias_hh = layer_weights(rnn, layer)
    x_proj = F.linear(inputs, weight_ih, bias_ih)  # [B, T, G*H]
    h = inputs.new_zeros(inputs.shape[0], rnn.hidden_size)  # [B, H]
    steps = range(inputs.shape[1])
    hidden, per_step = [], []
    if rnn.mode == "LSTM":
        c, cell = torch.zeros_like(h), []
        for t in steps:
            h, c, gates = lstm_step(x_proj[:, t], h, c, weight_hh, bias_hh)
            hidden.append(h)
            cell.append(c)
            per_step.append(gates)
        return LayerTrace(hidden, cell, torch.stack(per_step, dim=2), None)
    if rnn.mode == "GRU":
        for t in steps:
            h, gates = gru_step(x_proj[:, t], h, weight_hh, bias_hh)
            hidden.append(h)
            per_step.append(gates)
        return LayerTrace(hidden, None, torch.stack(per_step, dim=2), None)
    activation = RNN_ACTIVATIONS[rnn.mode]
    for t in steps:
        h, pre = rnn_step(x_proj[:, t], h, weight_hh, bias_hh, activation)
        hidden.append(h)
        per_step.append(pre)
    no_gates = h.new_zeros(0, h.shape[0], len(steps), rnn.hidden_size)  # [0, B, T, H]
    return LayerTrace(hidden, None, no_gates, torch.stack(per_step, dim=1))


def unroll(rnn: nn.RNNBase, inputs: torch.Tensor) -> list[LayerTrace]:
    """Run every layer of `rnn` step by step over inputs [B, T, E] from a zero state."""
    traces = []
    for layer in range(rnn.num_layers):
        trace = unroll_layer(rnn, layer, inputs)
        traces.append(trace)
        inputs = torch.stack(trace.hidden, dim=1)  # [B, T, H]
    return traces
