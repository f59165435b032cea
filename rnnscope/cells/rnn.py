"""The vanilla RNN's torch part, tanh and ReLU: nn.RNN, its step (the oracle), fast probe, sampler step, switch."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import _VF, nn

from rnnscope.cells.base import Cell
from rnnscope.cells.facts.cell_facts import CellFacts
from rnnscope.cells.facts.rnn import FACTS
from rnnscope.cells.fused import fused_hidden
from rnnscope.cells.states import LayerStates, LayerTrace, layer_weights, previous_hidden

ACTIVATIONS = ("tanh", "relu")


def rnn_step(x_proj, h, weight_hh, bias_hh, activation):
    """One vanilla RNN step from x_proj = x W_ih^T + b_ih [B, H]; returns h_t and pre-activation [B, H]."""
    pre = x_proj + F.linear(h, weight_hh, bias_hh)  # [B, H]
    return activation(pre), pre


def switch_activation(rnn: nn.RNN, activation: str) -> None:
    """Switch an nn.RNN's nonlinearity ("tanh" | "relu") in place, keeping its weights."""
    if activation not in ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}: choose tanh or relu")
    rnn.nonlinearity = activation
    rnn.mode = f"RNN_{activation.upper()}"


class RnnCell(Cell):
    """nn.RNN with tanh or ReLU: no gates, the pre-activation instead."""

    def __init__(self, facts: CellFacts):
        super().__init__(facts)
        self.activation = facts.name.removeprefix("rnn-")  # "tanh" | "relu"
        self.function = torch.tanh if self.activation == "tanh" else torch.relu
        self.kernel = _VF.rnn_tanh if self.activation == "tanh" else _VF.rnn_relu
        self.step = torch.rnn_tanh_cell if self.activation == "tanh" else torch.rnn_relu_cell

    def module(self, input_size: int, hidden_size: int, num_layers: int) -> nn.Module:
        return nn.RNN(input_size=input_size, hidden_size=hidden_size, num_layers=num_layers, batch_first=True,
                      nonlinearity=self.activation)

    def unroll_layer(self, rnn: nn.Module, layer: int, inputs: torch.Tensor) -> LayerTrace:
        weight_ih, weight_hh, bias_ih, bias_hh = layer_weights(rnn, layer)
        x_proj = F.linear(inputs, weight_ih, bias_ih)  # [B, T, H]
        h = inputs.new_zeros(inputs.shape[0], rnn.hidden_size)  # [B, H]
        steps = range(inputs.shape[1])
        hidden, per_step = [], []
        for t in steps:
            h, pre = rnn_step(x_proj[:, t], h, weight_hh, bias_hh, self.function)
            hidden.append(h)
            per_step.append(pre)
        no_gates = h.new_zeros(0, h.shape[0], len(steps), rnn.hidden_size)  # [0, B, T, H]
        return LayerTrace(hidden, None, no_gates, torch.stack(per_step, dim=1))

    def hidden_states(self, inputs: torch.Tensor, weights: list[torch.Tensor | None]) -> torch.Tensor:
        return fused_hidden(self.kernel, inputs, weights)  # [T, H]

    def probe_states(self, inputs: torch.Tensor, weights: list[torch.Tensor | None]) -> LayerStates:
        """h_t by the fused kernel, the pre-activations of all steps in one batch from its h_{t-1}."""
        weight_ih, weight_hh, bias_ih, bias_hh = weights
        hidden = fused_hidden(self.kernel, inputs, weights)  # [T, H]
        previous = previous_hidden(hidden)  # [T, H] h_{t-1}
        pre = F.linear(inputs, weight_ih, bias_ih) + F.linear(previous, weight_hh, bias_hh)  # [T, H]
        no_gates = hidden.new_zeros(0, *hidden.shape)  # [0, T, H]
        return LayerStates(hidden, None, no_gates, pre)

    def adjoint(self, state: LayerStates, weight_hh: torch.Tensor | None, incoming: torch.Tensor, first: list[int] | None):
        steps, batch, size = incoming.shape
        if self.activation == "relu":
            slope = (state.pre_activation > 0).to(incoming.dtype)  # [T, H] relu' (0 at 0, as autograd's)
        else:
            slope = 1 - state.hidden**2  # [T, H] tanh'
        grad_h, grad_pre = torch.zeros_like(incoming), torch.zeros_like(incoming)  # [T, B, H] each
        carry_h = incoming.new_zeros(batch, size)  # [B, H]
        for t in range(steps - 1, -1, -1):
            low = 0 if first is None else first[t]
            dh = torch.add(incoming[t, low:], carry_h[low:], out=grad_h[t, low:])  # [n, H]
            torch.mm(torch.mul(dh, slope[t], out=grad_pre[t, low:]), weight_hh, out=carry_h[low:])  # [n, H]
        return grad_h, None, grad_pre

    def sample_step(self, inputs: torch.Tensor, state, weights: list[torch.Tensor]) -> tuple[object, torch.Tensor]:
        state = self.step(inputs, state, *weights)  # [1, H]
        return state, state


CELLS = {facts.name: RnnCell(facts) for facts in FACTS}
