"""The fast probe's forward: each layer's states and gates by its cell kind (Cell.probe_states), layer after layer."""

from __future__ import annotations

import torch
from torch import nn

from rnnscope import cells
from rnnscope.cells.states import LayerStates, float_weights


def forward_states(rnn: nn.Module, kind: str, inputs: torch.Tensor) -> list[LayerStates]:
    """Every layer's LayerStates over inputs [1, T, In] (read batch-first whatever rnn.batch_first says)."""
    cell = cells.cell(kind)
    layer_input = inputs[0].float()  # [T, In]
    states = []
    for layer in range(rnn.num_layers):
        state = cell.probe_states(layer_input, float_weights(rnn, layer))
        states.append(state)
        layer_input = state.hidden  # [T, H]
    return states
