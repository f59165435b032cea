"""minLSTM's torch part (Feng et al. 2024): f, i = sigmoid(k_f), sigmoid(k_i), f' = f / (f + i), i' = i / (f + i),
h_t = f' h_{t-1} + i' g(k_h)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from rnnscope.cells.facts.minlstm import FACTS
from rnnscope.cells.min_scan import MinCell, g, log_g
from rnnscope.cells.states import LayerStates


class MinLstmCell(MinCell):
    """k = W_ih x + b_ih [.., 3H] in blocks (k_f, k_i, k_h); gates shown: forget f, input i, candidate g(k_h) and
    jacobian f'."""

    blocks = 3

    def steps(self, projected: torch.Tensor):
        pre_forget, pre_input, pre_candidate = projected.chunk(3, dim=-1)  # [..., H] each
        forget, written, candidate = torch.sigmoid(pre_forget), torch.sigmoid(pre_input), g(pre_candidate)
        total = forget + written  # [..., H]
        keep = forget / total  # [..., H] f'
        return torch.stack((forget, written, candidate, keep)), keep, written / total * candidate

    def log_steps(self, projected: torch.Tensor):
        pre_forget, pre_input, pre_candidate = projected.chunk(3, dim=-1)  # [..., H] each
        difference = F.softplus(-pre_forget) - F.softplus(-pre_input)  # [..., H] log i - log f
        return -F.softplus(difference), -F.softplus(-difference) + log_g(pre_candidate)  # log f', log(i' g)

    def pre_gradients(self, state: LayerStates, previous: torch.Tensor, grad_h: torch.Tensor) -> torch.Tensor:
        forget, written, candidate, keep = state.gates  # [T, H] each
        shared = (previous - candidate) * forget * written / (forget + written) ** 2  # [T, H] dh_t/df' * f' i'/(f i)
        to_forget, to_input = shared * (1 - forget), -shared * (1 - written)  # [T, H] dh_t / dk_f, dh_t / dk_i
        to_candidate = (1 - keep) * state.kept["candidate_slope"]  # [T, H] dh_t / dk_h
        return torch.cat([grad_h * part[:, None] for part in (to_forget, to_input, to_candidate)], dim=-1)  # [T,B,3H]

    def set_forget_bias(self, rnn: nn.Module, value: float) -> None:
        """Every layer's forget block of bias_ih := value (there is no bias_hh)."""
        with torch.no_grad():
            for layer in range(rnn.num_layers):
                getattr(rnn, f"bias_ih_l{layer}")[: rnn.hidden_size].fill_(value)  # forget block [H]


CELLS = {facts.name: MinLstmCell(facts) for facts in FACTS}
