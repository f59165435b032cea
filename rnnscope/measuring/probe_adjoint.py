"""The fast probe's backward: the adjoint recurrence of each layer (its kind's Cell.adjoint), layer after layer.

A batch of B cotangents goes down through time and layers at once. With connectivity, cotangent b is the
gradient of l_b alone (B = T), so every target's gradient w.r.t. every input comes out of one pass; step t
then touches only the targets b >= t (the others are still zero). Without it B = 2: l_{T-1} and the mean loss.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from rnnscope import cells
from rnnscope.cells.states import LayerStates, float_weights
from rnnscope.measuring.probe_parts import Flows, step_norms
from rnnscope.training.interrupt import Interrupted


def _cotangents(direct: torch.Tensor, connectivity: bool) -> tuple[torch.Tensor, torch.Tensor]:
    """The gradients entering the top layer, [T, B, H], from direct = dl_t/dh_t [T, H], and the readout [2, B]
    that turns a batch into (the last target's gradient, the mean loss's gradient)."""
    steps = direct.shape[0]
    if connectivity:
        incoming = direct.new_zeros(steps, steps, direct.shape[1])  # [T, B=T, H]
        diagonal = torch.arange(steps, device=direct.device)
        incoming[diagonal, diagonal] = direct  # cotangent b: l_b alone, entering at step b
        readout = direct.new_full((2, steps), 1.0 / steps)  # [2, T]
        readout[0] = 0.0
        readout[0, -1] = 1.0
        return incoming, readout
    incoming = direct.new_zeros(steps, 2, direct.shape[1])  # [T, 2, H]
    incoming[-1, 0] = direct[-1]  # l_{T-1}
    incoming[:, 1] = direct / steps  # the mean loss
    return incoming, torch.eye(2, dtype=direct.dtype, device=direct.device)


def _input_gradients(grad_pre: torch.Tensor, weight_ih: torch.Tensor, triangular: bool) -> torch.Tensor:
    """dl_b/dx_t [T, B, In] from dl_b/d(pre-activation) [T, B, G*H]; with `triangular` only the pairs b >= t."""
    if not triangular:
        return grad_pre @ weight_ih  # [T, B, In]
    steps = grad_pre.shape[0]
    upper = torch.ones(steps, steps, dtype=torch.bool, device=grad_pre.device).triu()  # [T, B] b >= t
    result = grad_pre.new_zeros(steps, steps, weight_ih.shape[1])  # [T, B, In]
    result[upper] = grad_pre[upper] @ weight_ih  # [T(T+1)/2, In]
    return result


def backward_flows(rnn: nn.Module, kind: str, states: list[LayerStates], direct: torch.Tensor, connectivity: bool,
                   interrupted: Interrupted) -> Flows | None:
    """Every layer's flow norms (and the connectivity) from direct = dl_t/dh_t [T, H] of the top layer;
    None when `interrupted` turned true between two layers."""
    layers, cell = len(states), cells.cell(kind)
    incoming, readout = _cotangents(direct, connectivity)  # [T, B, H], [2, B]
    grad_h, grad_c, grad_h_total = [None] * layers, [None] * layers, [None] * layers
    for layer in reversed(range(layers)):
        weight_ih, weight_hh = float_weights(rnn, layer)[:2]
        flow_h, flow_c, grad_pre = cell.adjoint(states[layer], weight_hh, incoming, connectivity)
        grad_h[layer], grad_h_total[layer] = step_norms(torch.einsum("kb,tbh->kth", readout, flow_h))  # [T] each
        if flow_c is not None:
            grad_c[layer] = step_norms(torch.einsum("b,tbh->th", readout[0], flow_c))  # [T]
        incoming = _input_gradients(grad_pre, weight_ih, connectivity)  # [T, B, In]
        if interrupted():
            return None
    return Flows(
        grad_h=np.stack(grad_h), grad_c=None if grad_c[0] is None else np.stack(grad_c),
        grad_h_total=np.stack(grad_h_total),
        connectivity=step_norms(incoming).T if connectivity else None,  # [s, t] -> [t, s]
    )
