"""The fast probe's backward: the adjoint recurrence of each layer (its kind's Cell.adjoint), layer after layer.

A batch of B cotangents goes down through time and layers at once. With connectivity, cotangent b is the
gradient of l_b alone (B = T), so every target's gradient w.r.t. every input comes out of one pass; step t
then touches only the targets b >= t (the others are still zero). Without it B = 2: l_{T-1} and the mean loss.
A probe longer than CONNECTIVITY_ROWS steps measures the connectivity of that many targets only, evenly spaced
(what a screen or figure can show), in a pass of their own, ROW_CHUNK targets at a time: its cost grows with T,
not T², and its memory stays that of ROW_CHUNK cotangents.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from rnnscope import cells
from rnnscope.cells.states import LayerStates, float_weights
from rnnscope.measuring.probe_parts import Flows, step_norms
from rnnscope.training.interrupt import Interrupted

CONNECTIVITY_ROWS = 64  # a longer probe's connectivity: this many target rows, evenly spaced, the last included
ROW_CHUNK = 16  # targets carried back together in such a probe: its memory is [T, ROW_CHUNK, G*H] a pass


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


def _input_gradients(grad_pre: torch.Tensor, weight_ih: torch.Tensor, active: torch.Tensor | None) -> torch.Tensor:
    """dl_b/dx_t [T, B, In] from dl_b/d(pre-activation) [T, B, G*H]; with `active` [T, B] only those pairs."""
    if active is None:
        return grad_pre @ weight_ih  # [T, B, In]
    result = grad_pre.new_zeros(*grad_pre.shape[:2], weight_ih.shape[1])  # [T, B, In]
    result[active] = grad_pre[active] @ weight_ih  # [pairs, In]
    return result


def target_rows(steps: int) -> np.ndarray | None:
    """The targets whose connectivity a probe of `steps` measures: None for every one (up to CONNECTIVITY_ROWS)."""
    if steps <= CONNECTIVITY_ROWS:
        return None
    return np.unique(np.linspace(0, steps - 1, CONNECTIVITY_ROWS).round().astype(np.int64))


def _carried_back(rnn: nn.Module, kind: str, states: list[LayerStates], incoming: torch.Tensor, targets: np.ndarray):
    """dl_b/dx_t [T, B, In] for the cotangents `incoming` [T, B, H], cotangent b entering at step targets[b]
    (ascending): each step carries only the targets at or after it."""
    steps = incoming.shape[0]
    first = np.searchsorted(targets, np.arange(steps)).tolist()  # [T] the first target >= t
    positions = torch.arange(steps, device=incoming.device)  # [T]
    active = torch.as_tensor(targets, device=incoming.device)[None, :] >= positions[:, None]  # [T, B]
    for layer in reversed(range(len(states))):
        weight_ih, weight_hh = float_weights(rnn, layer)[:2]
        grad_pre = cells.cell(kind).adjoint(states[layer], weight_hh, incoming, first)[2]
        incoming = _input_gradients(grad_pre, weight_ih, active)  # [T, B, In]
    return incoming


def _row_connectivity(rnn: nn.Module, kind: str, states: list[LayerStates], direct: torch.Tensor, rows: np.ndarray,
                      interrupted: Interrupted) -> np.ndarray | None:
    """[T, T] float64: rows `rows` hold ||dl_t/dx_s|| (0 for s > t), every other row NaN (not measured); carried
    back ROW_CHUNK targets at a time. None when `interrupted` turned true between two chunks."""
    steps = direct.shape[0]
    result = np.full((steps, steps), np.nan)
    for start in range(0, len(rows), ROW_CHUNK):
        chunk = rows[start:start + ROW_CHUNK]
        incoming = direct.new_zeros(steps, len(chunk), direct.shape[1])  # [T, b, H]
        index = torch.as_tensor(chunk, device=direct.device)
        incoming[index, torch.arange(len(chunk), device=direct.device)] = direct[index]  # target b enters at its step
        result[chunk] = step_norms(_carried_back(rnn, kind, states, incoming, chunk)).T  # [b, T]
        if interrupted():
            return None
    return result


def backward_flows(rnn: nn.Module, kind: str, states: list[LayerStates], direct: torch.Tensor, connectivity: bool,
                   interrupted: Interrupted) -> Flows | None:
    """Every layer's flow norms (and the connectivity: every row, or target_rows' for a long probe) from
    direct = dl_t/dh_t [T, H] of the top layer; None when `interrupted` turned true between two layers."""
    layers, steps = len(states), direct.shape[0]
    rows = target_rows(steps) if connectivity else None
    every_row = connectivity and rows is None
    incoming, readout = _cotangents(direct, every_row)  # [T, B, H], [2, B]
    first = list(range(steps)) if every_row else None  # cotangent b enters at step b
    active = torch.ones(steps, steps, dtype=torch.bool, device=direct.device).triu() if every_row else None  # [T, B]
    grad_h, grad_c, grad_h_total = [None] * layers, [None] * layers, [None] * layers
    for layer in reversed(range(layers)):
        weight_ih, weight_hh = float_weights(rnn, layer)[:2]
        flow_h, flow_c, grad_pre = cells.cell(kind).adjoint(states[layer], weight_hh, incoming, first)
        grad_h[layer], grad_h_total[layer] = step_norms(torch.einsum("kb,tbh->kth", readout, flow_h))  # [T] each
        if flow_c is not None:
            grad_c[layer] = step_norms(torch.einsum("b,tbh->th", readout[0], flow_c))  # [T]
        incoming = _input_gradients(grad_pre, weight_ih, active)  # [T, B, In]
        if interrupted():
            return None
    mapped = step_norms(incoming).T if every_row else None  # [s, t] -> [t, s]
    if rows is not None:
        mapped = _row_connectivity(rnn, kind, states, direct, rows, interrupted)
        if mapped is None:
            return None
    return Flows(
        grad_h=np.stack(grad_h), grad_c=None if grad_c[0] is None else np.stack(grad_c),
        grad_h_total=np.stack(grad_h_total), connectivity=mapped,
    )
