"""The analysis pass: every layer's hidden state (and cell state) at every character of the analysis text, in one
no-grad pass with the state carried through the whole text."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import torch
import torch.nn.functional as F

from rnnscope import cells
from rnnscope.cells.states import float_weights

SCAN_BLOCK = 64  # the cell-state scan runs SCAN_BLOCK steps inside blocks, then one step per block


class UnitStates(NamedTuple):
    """One kind of state of one layer over the analysis text: a (layer, kind, values) as rank_units reads them."""

    layer: int
    kind: str  # "h" or "c"
    values: np.ndarray  # [N, H] float32


def linear_scan(decay: torch.Tensor, written: torch.Tensor, block: int = SCAN_BLOCK) -> torch.Tensor:
    """c_t = decay_t * c_{t-1} + written_t from c_{-1} = 0, for decay and written [N, H]; [N, H]. Blocked: `block`
    steps inside all blocks at once, then one step per block carries the state across blocks."""
    n, width = written.shape
    blocks = -(-n // block)
    pad = blocks * block - n
    decay = F.pad(decay, (0, 0, 0, pad), value=1.0).view(blocks, block, width)  # [nb, B, H]
    written = F.pad(written, (0, 0, 0, pad)).view(blocks, block, width)  # [nb, B, H]
    local = torch.empty_like(written)  # [nb, B, H] the scan inside each block from a zero state
    reach = torch.empty_like(decay)  # [nb, B, H] product of the decays since the block's start
    local[:, 0], reach[:, 0] = written[:, 0], decay[:, 0]
    for j in range(1, block):
        torch.addcmul(written[:, j], decay[:, j], local[:, j - 1], out=local[:, j])
        torch.mul(reach[:, j - 1], decay[:, j], out=reach[:, j])
    entering = torch.zeros(blocks, width, dtype=written.dtype, device=written.device)  # [nb, H] c before each block
    for k in range(1, blocks):
        entering[k] = local[k - 1, -1] + reach[k - 1, -1] * entering[k - 1]
    return (local + reach * entering[:, None]).view(blocks * block, width)[:n]  # [N, H]


def _lstm_cells(inputs: torch.Tensor, hidden: torch.Tensor, weights: list[torch.Tensor | None]) -> torch.Tensor:
    """c_t [N, H] of an LSTM layer from its inputs [N, In] and its h_t [N, H]: all gates at once, then the scan."""
    weight_ih, weight_hh, bias_ih, bias_hh = weights
    previous = torch.cat((hidden.new_zeros(1, hidden.shape[1]), hidden[:-1]))  # [N, H] h_{t-1}
    pre = F.linear(inputs, weight_ih, bias_ih) + F.linear(previous, weight_hh, bias_hh)  # [N, 4H]
    in_pre, forget_pre, cell_pre, _ = pre.chunk(4, dim=1)  # 3 x [N, H]
    return linear_scan(torch.sigmoid(forget_pre), torch.sigmoid(in_pre) * torch.tanh(cell_pre))


def analyse(model, ids: np.ndarray) -> list[UnitStates]:
    """Every layer's h (and c for an LSTM) of `model` (a CharModel) reading ids [N] from a zero state."""
    device = model.head.weight.device
    with torch.no_grad():
        embedded = model.embedding(torch.as_tensor(ids, dtype=torch.long, device=device)).float()  # [N, E]
    return layer_states(model.rnn, model.kind, embedded)


def layer_states(rnn, kind: str, inputs: torch.Tensor) -> list[UnitStates]:
    """Every layer's h (and c for an LSTM) of `rnn` (a cell kind of rnnscope.cells) reading inputs [N, In] from a
    zero state, no grad."""
    with torch.no_grad():
        cell, layer_input, found = cells.cell(kind), inputs, []
        for layer in range(rnn.num_layers):
            weights = float_weights(rnn, layer)
            hidden = cell.hidden_states(layer_input, weights)  # [N, H]
            found.append(UnitStates(layer, "h", hidden.cpu().numpy()))
            if kind == "lstm":
                found.append(UnitStates(layer, "c", _lstm_cells(layer_input, hidden, weights).cpu().numpy()))
            layer_input = hidden
    return found
