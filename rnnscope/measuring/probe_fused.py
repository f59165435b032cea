"""The fast probe's forward: h_t of every layer from the fused kernel, then all steps' gates in one batch per layer."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch
import torch.nn.functional as F
from torch import _VF, nn

from rnnscope.measuring.probe_parts import LayerStates
from rnnscope.training.cells import layer_weights

FUSED = {"LSTM": _VF.lstm, "GRU": _VF.gru, "RNN_TANH": _VF.rnn_tanh, "RNN_RELU": _VF.rnn_relu}
ACTIVATIONS = {"RNN_TANH": torch.tanh, "RNN_RELU": torch.relu}


def float_weights(rnn: nn.RNNBase, layer: int) -> list[torch.Tensor | None]:
    """Layer `layer`'s W_ih, W_hh, b_ih, b_hh detached in float32 (biases None when the module has none)."""
    return [None if w is None else w.detach().float() for w in layer_weights(rnn, layer)]


@contextmanager
def _without_cudnn(device: torch.device) -> Iterator[None]:
    """On CUDA, cuDNN off for the block (then as it was): its RNN kernels may compute in TF32 (10-bit mantissa)
    where PyTorch's own CUDA kernels keep float32, as the unrolled pass does. Only the enabled flag is touched,
    never the TF32 ones (mixing their legacy and new APIs is an error in PyTorch)."""
    enabled = torch.backends.cudnn.enabled
    if device.type == "cuda" and enabled:
        torch.backends.cudnn.enabled = False
    try:
        yield
    finally:
        if device.type == "cuda" and enabled:
            torch.backends.cudnn.enabled = True


def fused_hidden(mode: str, inputs: torch.Tensor, weights: list[torch.Tensor | None]) -> torch.Tensor:
    """h_t [T, H] of one layer over inputs [T, In] from a zero state, by PyTorch's own fused kernel."""
    params = [w for w in weights if w is not None]
    hidden_size = weights[1].shape[1]
    zeros = inputs.new_zeros(1, 1, hidden_size)  # [layers=1, B=1, H]
    state = (zeros, zeros) if mode == "LSTM" else zeros
    with _without_cudnn(inputs.device):
        output = FUSED[mode](inputs.unsqueeze(0), state, params, len(params) == 4, 1, 0.0, False, False, True)[0]
    return output[0]  # [T, H]


def _cell_states(forget: torch.Tensor, written: torch.Tensor) -> torch.Tensor:
    """c_t = f_t * c_{t-1} + (i_t * g_t) from c_{-1} = 0, for forget and written [T, H]; returns [T, H]."""
    cells = torch.empty_like(written)  # [T, H]
    cells[0] = written[0]
    for t in range(1, written.shape[0]):
        torch.addcmul(written[t], forget[t], cells[t - 1], out=cells[t])
    return cells


def layer_states(mode: str, inputs: torch.Tensor, weights: list[torch.Tensor | None]) -> LayerStates:
    """One layer's states and gates over inputs [T, In]; the gates of all steps from the fused h_{t-1}."""
    weight_ih, weight_hh, bias_ih, bias_hh = weights
    hidden = fused_hidden(mode, inputs, weights)  # [T, H]
    previous = torch.cat((hidden.new_zeros(1, hidden.shape[1]), hidden[:-1]))  # [T, H] h_{t-1}
    from_input = F.linear(inputs, weight_ih, bias_ih)  # [T, G*H]
    from_state = F.linear(previous, weight_hh, bias_hh)  # [T, G*H]
    if mode == "LSTM":
        in_pre, forget_pre, cell_pre, out_pre = (from_input + from_state).chunk(4, dim=1)  # 4 x [T, H]
        in_gate, forget, out_gate = torch.sigmoid(in_pre), torch.sigmoid(forget_pre), torch.sigmoid(out_pre)
        candidate = torch.tanh(cell_pre)  # [T, H]
        cell = _cell_states(forget, in_gate * candidate)  # [T, H]
        return LayerStates(hidden, cell, torch.stack((in_gate, forget, candidate, out_gate)), None)
    if mode == "GRU":
        x_reset, x_update, x_new = from_input.chunk(3, dim=1)  # 3 x [T, H]
        h_reset, h_update, h_new = from_state.chunk(3, dim=1)  # 3 x [T, H]
        reset, update = torch.sigmoid(x_reset + h_reset), torch.sigmoid(x_update + h_update)  # [T, H] each
        new = torch.tanh(x_new + reset * h_new)  # [T, H]
        return LayerStates(hidden, None, torch.stack((reset, update, new)), None, new_recurrent=h_new)
    no_gates = hidden.new_zeros(0, *hidden.shape)  # [0, T, H]
    return LayerStates(hidden, None, no_gates, from_input + from_state)


def forward_states(rnn: nn.RNNBase, inputs: torch.Tensor) -> list[LayerStates]:
    """Every layer's LayerStates over inputs [1, T, In] (read batch-first whatever rnn.batch_first says)."""
    layer_input = inputs[0].float()  # [T, In]
    states = []
    for layer in range(rnn.num_layers):
        state = layer_states(rnn.mode, layer_input, float_weights(rnn, layer))
        states.append(state)
        layer_input = state.hidden  # [T, H]
    return states
