"""minGRU's torch part (Feng et al. 2024): z = sigmoid(k_z), candidate g(k_h), h_t = (1 - z) h_{t-1} + z g(k_h)."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from rnnscope.cells.facts.mingru import FACTS
from rnnscope.cells.min_scan import MinCell, g, log_g
from rnnscope.cells.states import LayerStates


class MinGruCell(MinCell):
    """k = W_ih x + b_ih [.., 2H] in blocks (k_z, k_h); gates shown: update z, candidate g(k_h), jacobian 1 - z."""

    blocks = 2

    def steps(self, projected: torch.Tensor):
        pre_update, pre_candidate = projected.chunk(2, dim=-1)  # [..., H] each
        update, candidate = torch.sigmoid(pre_update), g(pre_candidate)  # [..., H] each
        keep = 1 - update  # [..., H]
        return torch.stack((update, candidate, keep)), keep, update * candidate

    def log_steps(self, projected: torch.Tensor):
        pre_update, pre_candidate = projected.chunk(2, dim=-1)  # [..., H] each
        return -F.softplus(pre_update), -F.softplus(-pre_update) + log_g(pre_candidate)  # log(1 - z), log(z g)

    def pre_gradients(self, state: LayerStates, previous: torch.Tensor, grad_h: torch.Tensor) -> torch.Tensor:
        update, candidate, _ = state.gates  # [T, H] each
        to_update = (candidate - previous) * update * (1 - update)  # [T, H] dh_t / dk_z
        to_candidate = update * state.kept["candidate_slope"]  # [T, H] dh_t / dk_h
        return torch.cat((grad_h * to_update[:, None], grad_h * to_candidate[:, None]), dim=-1)  # [T, B, 2H]


CELLS = {facts.name: MinGruCell(facts) for facts in FACTS}
