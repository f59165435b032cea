"""The test oracle, not used by the app: the probe's gate-by-gate unrolled pass with torch.autograd (slow, plainly right)."""

# Tests and benchmarks check the fast probe against it. It ships in the package only because benchmarks/cuda_check.py
# runs from an installed wheel on a GPU machine; no module of rnnscope imports it (tests/measuring/test_oracle_unrolled.py).


from __future__ import annotations

import torch
from torch import nn

from rnnscope import cells
from rnnscope.cells.states import LayerStates
from rnnscope.measuring.module_probe import ModuleProbe, PositionLoss, direction_loss, module_kind, package
from rnnscope.measuring.probe_parts import Flows, step_norms


def probe_module_unrolled(rnn: nn.RNNBase, inputs: torch.Tensor, loss: PositionLoss | None = None, *,
                          connectivity: bool = True) -> ModuleProbe:
    """What probe_module computes (same arguments), by the unrolled pass and autograd: the gradients are those of
    the graph's own h_t / c_t tensors, the connectivity one backward pass per target."""
    kind = module_kind(rnn)
    with torch.autocast(inputs.device.type, enabled=False), torch.enable_grad():
        embedded = inputs.detach().float().requires_grad_(connectivity)  # [1, T, In]
        traces = cells.cell(kind).unroll(rnn, embedded)
        top = torch.cat(traces[-1].hidden)  # [T, H]
        losses = (loss or direction_loss(top.shape[1], top.device))(top)  # [T]
        hiddens = [h for trace in traces for h in trace.hidden]  # L*T x [1, H]
        cell_tensors = [c for trace in traces for c in (trace.cell or [])]  # L*T x [1, H], LSTM only
        grads_last = torch.autograd.grad(losses[-1], hiddens + cell_tensors, retain_graph=True)
        grads_total = torch.autograd.grad(losses.mean(), hiddens, retain_graph=connectivity)
        rows = [torch.autograd.grad(losses[t], embedded, retain_graph=True)[0][0] for t in range(len(losses))
                ] if connectivity else []  # T x [T, In]
    layers, steps = len(traces), len(losses)

    def per_step(grads) -> torch.Tensor:
        return step_norms(torch.stack(grads).reshape(layers, steps, -1))  # [L, T]

    flows = Flows(
        grad_h=per_step(grads_last[: len(hiddens)]),
        grad_c=per_step(grads_last[len(hiddens):]) if cell_tensors else None,
        grad_h_total=per_step(grads_total),
        connectivity=step_norms(torch.stack(rows)) if connectivity else None,  # [T, T]
    )
    states = [LayerStates(torch.cat(trace.hidden).detach(), None if trace.cell is None else torch.cat(trace.cell).detach(),
                          trace.gates[:, 0].detach(),
                          None if trace.pre_activation is None else trace.pre_activation[0].detach())
              for trace in traces]
    return package(rnn, kind, states, flows, losses.detach())
