"""What minGRU and minLSTM share (Feng et al. 2024, "Were RNNs all we needed?"): the log-space parallel scan, the
positive candidate g, the module with no recurrent matrix, and the probe of a diagonal recurrence.

Definition followed: the paper's log-space version. Each step is h_t = a_t * h_{t-1} + b_t with a_t, b_t in (0, 1)
and (0, inf), computed from x_t alone, so training runs all steps at once: log h_t = A_t + logcumsumexp_s(log b_s -
A_s), A_t = sum_{r <= t} log a_r (Heinsen 2023). The candidate goes through the paper's g(x) = x + 0.5 for x >= 0,
sigmoid(x) below, which keeps it positive so that its logarithm exists. The Jacobian dh_t / dh_{t-1} is diag(a_t):
the probe shows a_t as the last gate, `jacobian`.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from rnnscope.cells.base import Cell
from rnnscope.cells.facts.cell_facts import JACOBIAN
from rnnscope.cells.states import LayerStates, LayerTrace, layer_weights, previous_hidden


def g(x: torch.Tensor) -> torch.Tensor:
    """The paper's positive candidate: x + 0.5 for x >= 0, sigmoid(x) below (continuous, > 0)."""
    return torch.where(x >= 0, x + 0.5, torch.sigmoid(x))


def log_g(x: torch.Tensor) -> torch.Tensor:
    """log g(x), stable for any x."""
    return torch.where(x >= 0, torch.log(F.relu(x) + 0.5), -F.softplus(-x))


def g_slope(x: torch.Tensor) -> torch.Tensor:
    """g'(x): 1 for x >= 0, sigmoid'(x) below."""
    sigmoid = torch.sigmoid(x)
    return torch.where(x >= 0, torch.ones_like(x), sigmoid * (1 - sigmoid))


def log_scan(log_a: torch.Tensor, log_b: torch.Tensor, h0: torch.Tensor | None) -> torch.Tensor:
    """h_t = a_t * h_{t-1} + b_t over dim 1 for log_a, log_b [B, T, H], from h0 [B, H] (None: zeros); [B, T, H]."""
    decay = torch.cumsum(log_a, dim=1)  # [B, T, H] A_t
    hidden = torch.exp(decay + torch.logcumsumexp(log_b - decay, dim=1))  # [B, T, H] from a zero state
    if h0 is not None:
        hidden = hidden + torch.exp(decay) * h0.unsqueeze(1)  # [B, T, H] what is left of h0 after t steps
    return hidden


class MinModule(nn.Module):
    """A stack of min cells, batch-first: forward(x [B, T, In], state [L, B, H] | None) -> (h [B, T, H], state).

    Its parameters are named as PyTorch's fused modules name theirs, layer by layer: weight_ih_l{k} [G*H, In] and
    bias_ih_l{k} [G*H] (G input blocks, no W_hh), drawn uniform(-1/sqrt(H), 1/sqrt(H)) as PyTorch draws an RNN's.
    """

    def __init__(self, cell: MinCell, input_size: int, hidden_size: int, num_layers: int):
        super().__init__()
        self.cell, self.mode = cell, cell.facts.module_mode
        self.input_size, self.hidden_size, self.num_layers = input_size, hidden_size, num_layers
        self.batch_first, self.bias, self.dropout, self.bidirectional = True, True, 0.0, False  # as nn.RNNBase says
        bound = 1.0 / math.sqrt(hidden_size)
        for layer in range(num_layers):
            size_in = input_size if layer == 0 else hidden_size
            weight = torch.empty(cell.blocks * hidden_size, size_in).uniform_(-bound, bound)  # [G*H, In]
            bias = torch.empty(cell.blocks * hidden_size).uniform_(-bound, bound)  # [G*H]
            self.register_parameter(f"weight_ih_l{layer}", nn.Parameter(weight))
            self.register_parameter(f"bias_ih_l{layer}", nn.Parameter(bias))

    def forward(self, inputs: torch.Tensor, state: torch.Tensor | None = None):
        finals = []
        for layer in range(self.num_layers):
            weight_ih, _, bias_ih, _ = layer_weights(self, layer)
            log_a, log_b = self.cell.log_steps(F.linear(inputs, weight_ih, bias_ih))  # [B, T, H] each
            inputs = log_scan(log_a, log_b, None if state is None else state[layer])  # [B, T, H]
            finals.append(inputs[:, -1])
        return inputs, torch.stack(finals)  # [B, T, H], [L, B, H]

    def extra_repr(self) -> str:
        return f"{self.cell.facts.name}, {self.input_size}, {self.hidden_size}, num_layers={self.num_layers}"


class MinCell(Cell):
    """A min cell: h_t = a_t * h_{t-1} + b_t from the input projection k_t = W_ih x_t + b_ih [.., G*H] alone."""

    blocks = 0  # G, the input projection's blocks

    def steps(self, projected: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """From k [..., G*H]: the gates shown [S, ..., H] (the last, `jacobian`, is a_t), a_t and b_t [..., H]."""
        raise NotImplementedError

    def log_steps(self, projected: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """log a_t and log b_t [..., H] from k [..., G*H], computed in log space (the scan's inputs)."""
        raise NotImplementedError

    def pre_gradients(self, state: LayerStates, previous: torch.Tensor, grad_h: torch.Tensor) -> torch.Tensor:
        """dl/dk [T, B, G*H] from dl/dh_t grad_h [T, B, H], the layer's states and h_{t-1} [T, H]."""
        raise NotImplementedError

    def module(self, input_size: int, hidden_size: int, num_layers: int) -> nn.Module:
        return MinModule(self, input_size, hidden_size, num_layers)

    def recurrent_weights(self, rnn: nn.Module) -> list[torch.Tensor]:
        return []  # no W_hh: the init schemes leave a min cell as it is

    def recurrent_biases(self, rnn: nn.Module) -> list[torch.Tensor]:
        return []

    def flow_bounds(self, states: list[LayerStates]) -> list[dict[str, float]]:
        """||dh_t / dh_{t-1}|| = max_i a_t,i (a diagonal Jacobian): its largest value over the probe, per layer."""
        return [{JACOBIAN: float(state.gates[-1].max())} for state in states]

    def unroll_layer(self, rnn: nn.Module, layer: int, inputs: torch.Tensor) -> LayerTrace:
        weight_ih, _, bias_ih, _ = layer_weights(rnn, layer)
        projected = F.linear(inputs, weight_ih, bias_ih)  # [B, T, G*H]
        h = inputs.new_zeros(inputs.shape[0], rnn.hidden_size)  # [B, H]
        hidden, per_step = [], []
        for step in projected.unbind(dim=1):  # T x [B, G*H]: one backward node for all steps, not a slice each
            gates, keep, write = self.steps(step)  # [S, B, H], [B, H], [B, H]
            h = keep * h + write  # [B, H]
            hidden.append(h)
            per_step.append(gates)
        return LayerTrace(hidden, None, torch.stack(per_step, dim=2), None)

    def probe_states(self, inputs: torch.Tensor, weights: list[torch.Tensor | None]) -> LayerStates:
        """Step by step: the gates of all steps at once (they read x_t only), then h_t = a_t * h_{t-1} + b_t."""
        weight_ih, _, bias_ih, _ = weights
        projected = F.linear(inputs, weight_ih, bias_ih)  # [T, G*H]
        gates, keep, write = self.steps(projected)  # [S, T, H], [T, H], [T, H]
        hidden = torch.empty_like(write)  # [T, H]
        hidden[0] = write[0]
        for t in range(1, write.shape[0]):
            torch.addcmul(write[t], keep[t], hidden[t - 1], out=hidden[t])
        slope = g_slope(projected[:, -hidden.shape[1]:])  # [T, H] g'(k) of the candidate block (the last)
        return LayerStates(hidden, None, gates, None, kept={"candidate_slope": slope})

    def adjoint(self, state: LayerStates, weight_hh: torch.Tensor | None, incoming: torch.Tensor, first: list[int] | None):
        steps, batch, size = incoming.shape
        keep = state.gates[-1]  # [T, H] the diagonal of dh_t / dh_{t-1}
        grad_h = torch.zeros_like(incoming)  # [T, B, H]
        carry = incoming.new_zeros(batch, size)  # [B, H]
        for t in range(steps - 1, -1, -1):
            low = 0 if first is None else first[t]
            dh = torch.add(incoming[t, low:], carry[low:], out=grad_h[t, low:])  # [n, H]
            torch.mul(dh, keep[t], out=carry[low:])  # [n, H]
        previous = previous_hidden(state.hidden)  # [T, H] h_{t-1}
        return grad_h, None, self.pre_gradients(state, previous, grad_h)

    def sample_step(self, inputs: torch.Tensor, state, weights: list[torch.Tensor]) -> tuple[object, torch.Tensor]:
        weight_ih, _, bias_ih, _ = weights
        _, keep, write = self.steps(F.linear(inputs, weight_ih, bias_ih))  # [1, H] each
        state = keep * state + write  # [1, H]
        return state, state
