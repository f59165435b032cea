"""GRU's torch part: nn.GRU, its gate-by-gate step (the oracle), its fast probe and its sampler step."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import _VF, nn

from rnnscope.cells.base import Cell
from rnnscope.cells.facts.gru import FACTS
from rnnscope.cells.fused import fused_hidden
from rnnscope.cells.states import LayerStates, LayerTrace, layer_weights, previous_hidden


def gru_step(x_proj, h, weight_hh, bias_hh):
    """One GRU step from x_proj = x W_ih^T + b_ih [B, 3H]; returns h_t [B, H] and gates [3, B, H]."""
    x_reset, x_update, x_new = x_proj.chunk(3, dim=1)  # 3 x [B, H]
    h_reset, h_update, h_new = F.linear(h, weight_hh, bias_hh).chunk(3, dim=1)  # 3 x [B, H]
    reset = torch.sigmoid(x_reset + h_reset)  # [B, H]
    update = torch.sigmoid(x_update + h_update)  # [B, H]
    new = torch.tanh(x_new + reset * h_new)  # [B, H]
    h_next = (1 - update) * new + update * h  # [B, H]
    return h_next, torch.stack((reset, update, new))


class GruCell(Cell):
    """nn.GRU, gates r, z, n."""

    def module(self, input_size: int, hidden_size: int, num_layers: int) -> nn.Module:
        return nn.GRU(input_size=input_size, hidden_size=hidden_size, num_layers=num_layers, batch_first=True)

    def unroll_layer(self, rnn: nn.Module, layer: int, inputs: torch.Tensor) -> LayerTrace:
        weight_ih, weight_hh, bias_ih, bias_hh = layer_weights(rnn, layer)
        x_proj = F.linear(inputs, weight_ih, bias_ih)  # [B, T, 3H]
        h = inputs.new_zeros(inputs.shape[0], rnn.hidden_size)  # [B, H]
        hidden, per_step = [], []
        for t in range(inputs.shape[1]):
            h, gates = gru_step(x_proj[:, t], h, weight_hh, bias_hh)
            hidden.append(h)
            per_step.append(gates)
        return LayerTrace(hidden, None, torch.stack(per_step, dim=2), None)

    def hidden_states(self, inputs: torch.Tensor, weights: list[torch.Tensor | None]) -> torch.Tensor:
        return fused_hidden(_VF.gru, inputs, weights)  # [T, H]

    def probe_states(self, inputs: torch.Tensor, weights: list[torch.Tensor | None]) -> LayerStates:
        """The gates of all steps in one batch from the fused kernel's h_{t-1}; keeps W_hn h_{t-1} + b_hn."""
        weight_ih, weight_hh, bias_ih, bias_hh = weights
        hidden = fused_hidden(_VF.gru, inputs, weights)  # [T, H]
        previous = previous_hidden(hidden)  # [T, H] h_{t-1}
        x_reset, x_update, x_new = F.linear(inputs, weight_ih, bias_ih).chunk(3, dim=1)  # 3 x [T, H]
        h_reset, h_update, h_new = F.linear(previous, weight_hh, bias_hh).chunk(3, dim=1)  # 3 x [T, H]
        reset, update = torch.sigmoid(x_reset + h_reset), torch.sigmoid(x_update + h_update)  # [T, H] each
        new = torch.tanh(x_new + reset * h_new)  # [T, H]
        return LayerStates(hidden, None, torch.stack((reset, update, new)), None, kept={"new_recurrent": h_new})

    def adjoint(self, state: LayerStates, weight_hh: torch.Tensor | None, incoming: torch.Tensor, first: list[int] | None):
        steps, batch, size = incoming.shape
        reset, update, new = state.gates  # [T, H] each
        previous = previous_hidden(state.hidden)  # [T, H] h_{t-1}
        new_factor = (1 - update) * (1 - new**2)  # [T, H] d h_t / d(n pre-activation)
        update_factor = (previous - new) * update * (1 - update)  # [T, H] d h_t / d(z pre-activation)
        reset_factor = new_factor * state.kept["new_recurrent"] * reset * (1 - reset)  # [T, H] d h_t / d(r pre-act.)
        input_side = torch.stack((reset_factor, update_factor, new_factor), dim=1)  # [T, 3, H]
        state_side = torch.stack((reset_factor, update_factor, new_factor * reset), dim=1)  # [T, 3, H]
        grad_h = torch.zeros_like(incoming)  # [T, B, H]
        grad_pre = incoming.new_zeros(steps, batch, 3, size)  # [T, B, 3, H]
        carry_h = incoming.new_zeros(batch, size)  # [B, H]
        for t in range(steps - 1, -1, -1):
            low = 0 if first is None else first[t]
            dh = torch.add(incoming[t, low:], carry_h[low:], out=grad_h[t, low:])  # [n, H]
            torch.mul(dh.unsqueeze(1), input_side[t], out=grad_pre[t, low:])  # [n, 3, H]
            recurrent = (dh.unsqueeze(1) * state_side[t]).view(-1, 3 * size)  # [n, 3H]
            torch.addmm(dh * update[t], recurrent, weight_hh, out=carry_h[low:])  # [n, H]
        return grad_h, None, grad_pre.view(steps, batch, 3 * size)

    def sample_step(self, inputs: torch.Tensor, state, weights: list[torch.Tensor]) -> tuple[object, torch.Tensor]:
        state = torch.gru_cell(inputs, state, *weights)  # [1, H]
        return state, state


CELLS = {facts.name: GruCell(facts) for facts in FACTS}
