"""LSTM's torch part: nn.LSTM, its gate-by-gate step (the oracle), its fast probe and its sampler step."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import _VF, nn

from rnnscope.cells.base import Cell
from rnnscope.cells.facts.lstm import FACTS
from rnnscope.cells.fused import fused_hidden
from rnnscope.cells.states import LayerStates, LayerTrace, layer_weights, previous_hidden


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


def _cell_states(forget: torch.Tensor, written: torch.Tensor) -> torch.Tensor:
    """c_t = f_t * c_{t-1} + (i_t * g_t) from c_{-1} = 0, for forget and written [T, H]; returns [T, H]."""
    cells = torch.empty_like(written)  # [T, H]
    cells[0] = written[0]
    for t in range(1, written.shape[0]):
        torch.addcmul(written[t], forget[t], cells[t - 1], out=cells[t])
    return cells


class LstmCell(Cell):
    """nn.LSTM, gates i, f, g, o."""

    def module(self, input_size: int, hidden_size: int, num_layers: int) -> nn.Module:
        return nn.LSTM(input_size=input_size, hidden_size=hidden_size, num_layers=num_layers, batch_first=True)

    def set_forget_bias(self, rnn: nn.Module, value: float) -> None:
        """Every layer's forget block of bias_ih := value and of bias_hh := 0 (Gers et al. 2000)."""
        hidden = rnn.hidden_size
        with torch.no_grad():
            for layer in range(rnn.num_layers):
                getattr(rnn, f"bias_ih_l{layer}")[hidden : 2 * hidden].fill_(value)  # forget block [H]
                getattr(rnn, f"bias_hh_l{layer}")[hidden : 2 * hidden].zero_()  # forget block [H]

    def unroll_layer(self, rnn: nn.Module, layer: int, inputs: torch.Tensor) -> LayerTrace:
        weight_ih, weight_hh, bias_ih, bias_hh = layer_weights(rnn, layer)
        x_proj = F.linear(inputs, weight_ih, bias_ih)  # [B, T, 4H]
        h = inputs.new_zeros(inputs.shape[0], rnn.hidden_size)  # [B, H]
        c, hidden, cell, per_step = torch.zeros_like(h), [], [], []
        for t in range(inputs.shape[1]):
            h, c, gates = lstm_step(x_proj[:, t], h, c, weight_hh, bias_hh)
            hidden.append(h)
            cell.append(c)
            per_step.append(gates)
        return LayerTrace(hidden, cell, torch.stack(per_step, dim=2), None)

    def hidden_states(self, inputs: torch.Tensor, weights: list[torch.Tensor | None]) -> torch.Tensor:
        return fused_hidden(_VF.lstm, inputs, weights, has_cell=True)  # [T, H]

    def probe_states(self, inputs: torch.Tensor, weights: list[torch.Tensor | None]) -> LayerStates:
        """The gates of all steps in one batch from the fused kernel's h_{t-1}."""
        weight_ih, weight_hh, bias_ih, bias_hh = weights
        hidden = fused_hidden(_VF.lstm, inputs, weights, has_cell=True)  # [T, H]
        previous = previous_hidden(hidden)  # [T, H] h_{t-1}
        fused = F.linear(inputs, weight_ih, bias_ih) + F.linear(previous, weight_hh, bias_hh)  # [T, 4H]
        in_pre, forget_pre, cell_pre, out_pre = fused.chunk(4, dim=1)  # 4 x [T, H]
        in_gate, forget, out_gate = torch.sigmoid(in_pre), torch.sigmoid(forget_pre), torch.sigmoid(out_pre)
        candidate = torch.tanh(cell_pre)  # [T, H]
        cell = _cell_states(forget, in_gate * candidate)  # [T, H]
        return LayerStates(hidden, cell, torch.stack((in_gate, forget, candidate, out_gate)), None)

    def adjoint(self, state: LayerStates, weight_hh: torch.Tensor | None, incoming: torch.Tensor, first: list[int] | None):
        steps, batch, size = incoming.shape
        in_gate, forget, candidate, out_gate = state.gates  # [T, H] each
        tanh_cell = torch.tanh(state.cell)  # [T, H]
        previous_cell = torch.cat((torch.zeros_like(state.cell[:1]), state.cell[:-1]))  # [T, H]
        through_h = out_gate * (1 - tanh_cell**2)  # [T, H] d h_t / d c_t
        factors = torch.stack((candidate * in_gate * (1 - in_gate), previous_cell * forget * (1 - forget),
                               in_gate * (1 - candidate**2)), dim=1)  # [T, 3, H] d c_t / d(i, f, g pre-activation)
        out_factor = tanh_cell * out_gate * (1 - out_gate)  # [T, H] d h_t / d(o pre-activation)
        grad_h, grad_c = torch.zeros_like(incoming), torch.zeros_like(incoming)  # [T, B, H] each
        grad_pre = incoming.new_zeros(steps, batch, 4, size)  # [T, B, 4, H]
        carry_h, carry_c = incoming.new_zeros(batch, size), incoming.new_zeros(batch, size)  # [B, H] from step t+1
        for t in range(steps - 1, -1, -1):
            low = 0 if first is None else first[t]
            dh = torch.add(incoming[t, low:], carry_h[low:], out=grad_h[t, low:])  # [n, H]
            dc = torch.addcmul(carry_c[low:], dh, through_h[t], out=grad_c[t, low:])  # [n, H]
            torch.mul(dc.unsqueeze(1), factors[t], out=grad_pre[t, low:, :3])  # [n, 3, H]
            torch.mul(dh, out_factor[t], out=grad_pre[t, low:, 3])  # [n, H]
            torch.mul(dc, forget[t], out=carry_c[low:])  # [n, H]
            torch.mm(grad_pre[t, low:].view(-1, 4 * size), weight_hh, out=carry_h[low:])  # [n, H]
        return grad_h, grad_c, grad_pre.view(steps, batch, 4 * size)

    def split_state(self, state, layers: int) -> list:
        """(h [1, H], c [1, H]) per layer from the module's (h, c) [L, 1, H] each."""
        h, c = state  # [L, 1, H] each
        return [(h[layer], c[layer]) for layer in range(layers)]

    def sample_step(self, inputs: torch.Tensor, state, weights: list[torch.Tensor]) -> tuple[object, torch.Tensor]:
        state = torch.lstm_cell(inputs, state, *weights)  # (h, c) [1, H] each
        return state, state[0]


CELLS = {facts.name: LstmCell(facts) for facts in FACTS}
