"""The fast probe's forward: each layer's states and gates by its cell kind (Cell.probe_states), layer after layer."""

from __future__ import annotations

import torch
from torch import nn

from rnnscope import cells
from rnnscope.cells.states import LayerStates, layer_weights


def float_weights(rnn: nn.Module, layer: int) -> list[torch.Tensor | None]:
    """Layer `layer`'s W_ih, W_hh, b_ih, b_hh detached in float32 (None for what the module does not have)."""
    return [None if w is None else w.detach().float() for w in layer_weights(rnn, layer)]


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
