"""The probe of a module as rows of steps (bidirectional, projected, custom): unrolled, then torch.autograd.

A forward row's flow is ||dl_{T-1} / dh_t||, a backward row's ||dl_0 / dh_t|| (the loss at its own last step, the
first position), both shown in the probe's order; a backward row's decay and horizon are read in its own time
(from position 0 towards T-1). The connectivity [t, s] = ||dl_t / dx_s|| is full for a bidirectional module.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from rnnscope import cells
from rnnscope.contracts.frames import LayerProbe
from rnnscope.measuring.flow_metrics import layer_metrics, sigma_max
from rnnscope.measuring.module_probe import PositionLoss, direction_loss
from rnnscope.measuring.probe_parts import step_norms
from rnnscope.watch.steps import PRE_ACTIVATION, Direction, Row, unroll


@dataclass(frozen=True, eq=False)
class RowsProbe:
    """What one probe of the rows measured (a ModuleProbe with the module's output beside it)."""

    layers: tuple[LayerProbe, ...]
    losses: np.ndarray  # [T] float32
    connectivity: np.ndarray | None  # [T, T] float32
    top: torch.Tensor  # [T, H_out] the module's output, detached


def probe_rows(layers: list[list[Direction]], inputs: torch.Tensor, loss: PositionLoss | None,
               connectivity: bool, sigmas: list | None = None) -> RowsProbe:
    """States, gates, flows and connectivity of every row over inputs [1, T, I] (sigmas: per row, else nan)."""
    with torch.enable_grad():
        embedded = inputs.detach().float().requires_grad_(connectivity)  # [1, T, I]
        rows, top = unroll(layers, embedded)  # top [T, H_out]
        losses = (loss or direction_loss(top.shape[1], top.device))(top)  # [T]
        hiddens = [h for row in rows for h in row.hidden]  # R*T x [1, H]
        held = [c for row in rows for c in (row.cell or [])]  # the cells' c_t
        last = _grads(losses[-1], hiddens + held)
        first = _grads(losses[0], hiddens + held) if any(row.direction.reverse for row in rows) else None
        total = _grads(losses.mean(), hiddens)
        reached = _reached(losses, embedded) if connectivity else None  # [T, T, I]
    steps, probes, start, cell_start = len(losses), [], 0, len(hiddens)
    for index, row in enumerate(rows):
        flow = first if row.direction.reverse else last
        grad_h = step_norms(torch.cat(flow[start : start + steps]))  # [T]
        grad_c = None
        if row.cell is not None:
            grad_c = step_norms(torch.cat(flow[cell_start : cell_start + steps]))  # [T]
            cell_start += steps
        sigma = float("nan") if sigmas is None else sigmas[index]
        probes.append(_layer(row, grad_h, grad_c, step_norms(torch.cat(total[start : start + steps])), sigma))
        start += steps
    return RowsProbe(tuple(probes), losses.detach().cpu().numpy().astype(np.float32),
                     step_norms(reached).astype(np.float32) if connectivity else None, top.detach())


def _reached(losses: torch.Tensor, embedded: torch.Tensor) -> torch.Tensor:
    """dl_t / dx_s [T, T, I] for every target t: one batched backward (vmap) where the step's operations allow it,
    else one backward per target."""
    try:
        rows = torch.autograd.grad(losses, embedded, torch.eye(len(losses), dtype=losses.dtype, device=losses.device),
                                   retain_graph=True, is_grads_batched=True)[0]  # [T, 1, T, I]
        return rows[:, 0]
    except (RuntimeError, NotImplementedError):  # an operation vmap cannot batch
        return torch.stack([torch.autograd.grad(losses[t], embedded, retain_graph=True)[0][0]
                            for t in range(len(losses))])  # [T, T, I]


def _grads(output: torch.Tensor, tensors: list[torch.Tensor]) -> list[torch.Tensor]:
    """d output / d each of `tensors`, zeros for one it does not depend on."""
    grads = torch.autograd.grad(output, tensors, retain_graph=True, allow_unused=True)
    return [torch.zeros_like(t) if g is None else g for g, t in zip(grads, tensors)]


def _layer(row: Row, grad_h: np.ndarray, grad_c: np.ndarray | None, grad_h_total: np.ndarray, sigma) -> LayerProbe:
    gates = dict(row.gates)
    pre = gates.pop(PRE_ACTIVATION, None)  # [T, H]
    names = tuple(gates)
    stacked = np.stack([_numpy(g) for g in gates.values()]) if names else \
        np.zeros((0, len(row.hidden), row.hidden[0].shape[1]), np.float32)  # [G, T, H]
    own = (lambda a: a[::-1]) if row.direction.reverse else (lambda a: a)  # the row's own time, for its metrics
    saturated = {name: gate for name, gate in zip(names, stacked) if cells.known_gate(name)
                 and cells.gate(name).activation == cells.SIGMOID}
    return LayerProbe(
        gate_names=names, gates=stacked, pre_activation=None if pre is None else _numpy(pre),
        cell=None if row.cell is None else _numpy(torch.cat(row.cell)), hidden=_numpy(torch.cat(row.hidden)),
        grad_h=grad_h.astype(np.float32), grad_c=None if grad_c is None else grad_c.astype(np.float32),
        grad_h_total=grad_h_total.astype(np.float32),
        metrics=layer_metrics(None, stacked, own(grad_h), sigma, None if grad_c is None else own(grad_c),
                              saturated=saturated),
    )


def _numpy(tensor: torch.Tensor) -> np.ndarray:
    return tensor.detach().to("cpu", torch.float32).numpy()


def module_sigmas(rnn: nn.RNNBase) -> list:
    """sigma_max per row of an nn.LSTM / GRU / RNN: of W_hh's gate blocks, or of W_hr W_block with proj_size."""
    kind = cells.by_mode(rnn.mode).name
    suffixes = ("", "_reverse") if rnn.bidirectional else ("",)
    sigmas = []
    for layer in range(rnn.num_layers):
        for suffix in suffixes:
            weight = getattr(rnn, f"weight_hh_l{layer}{suffix}").detach().to("cpu", torch.float64)  # [G*H, P]
            projection = getattr(rnn, f"weight_hr_l{layer}{suffix}", None)  # [P, H]
            if projection is not None:  # the blocks W_hr W_block [G, P, P], stacked as sigma_max takes them
                weight = (projection.detach().to("cpu", torch.float64)
                          @ weight.reshape(-1, rnn.hidden_size, weight.shape[1])).reshape(-1, weight.shape[1])
            sigmas.append(sigma_max(weight.numpy(), kind))
    return sigmas
