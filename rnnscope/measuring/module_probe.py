"""The probe of a recurrent module of any cell kind (rnnscope.cells): per-layer states, gates, gradient flow,
connectivity."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from rnnscope import cells
from rnnscope.cells.states import LayerStates
from rnnscope.contracts.frames import LayerProbe
from rnnscope.measuring.flow_metrics import layer_metrics
from rnnscope.measuring.probe_adjoint import backward_flows
from rnnscope.measuring.probe_fused import forward_states
from rnnscope.measuring.probe_parts import Flows
from rnnscope.measuring.probe_sigma import layer_sigmas
from rnnscope.training.interrupt import Interrupted, never

DIRECTION_SEED = 0  # the seed of u in the default loss l_t = u . h_t
SINGLE_THREAD_HIDDEN = 256  # on the CPU, modules up to this hidden size are probed on one thread

# Top layer's hidden states [T, H] -> per-position losses [T]; l_t must depend on h_t alone.
PositionLoss = Callable[[torch.Tensor], torch.Tensor]


@dataclass(frozen=True, eq=False)
class ModuleProbe:
    """What one probe of a recurrent module measured."""

    layers: tuple[LayerProbe, ...]
    losses: np.ndarray  # [T] float32, l_t
    connectivity: np.ndarray | None  # [T, T] float32, [t, s] = ||dl_t / dx_s||, 0 for s > t; None when not asked


def module_kind(rnn: nn.Module) -> str:
    """The cell kind of `rnn` ('lstm', 'gru', ...: rnnscope.cells); ValueError for what the probe cannot read."""
    if getattr(rnn, "bidirectional", False):
        raise ValueError("the probe reads unidirectional modules only: build it with bidirectional=False")
    if getattr(rnn, "proj_size", 0):
        raise ValueError("the probe cannot read an LSTM with proj_size > 0: build it with proj_size=0")
    facts = cells.by_mode(getattr(rnn, "mode", None))
    if facts is None:
        raise ValueError(f"the probe reads nn.LSTM, nn.GRU and nn.RNN modules, not {type(rnn).__name__}")
    return facts.name


def readout_loss(readout: Callable[[torch.Tensor], torch.Tensor], targets: torch.Tensor) -> PositionLoss:
    """l_t = cross-entropy of readout(h_t) [T, V] against targets [T] (class ids)."""
    return lambda hidden: F.cross_entropy(readout(hidden), targets, reduction="none")  # [T]


def default_direction(hidden_size: int, device: torch.device | str = "cpu") -> torch.Tensor:
    """u [H]: a fixed unit vector drawn from seed 0 with a private generator (the global RNGs are untouched)."""
    generator = torch.Generator().manual_seed(DIRECTION_SEED)
    direction = torch.randn(hidden_size, generator=generator, dtype=torch.float64)  # [H]
    return (direction / direction.norm()).to(device, torch.float32)


def direction_loss(hidden_size: int, device: torch.device | str = "cpu") -> PositionLoss:
    """The loss without a readout: l_t = u . h_t, u = default_direction(H)."""
    direction = default_direction(hidden_size, device)  # [H]
    return lambda hidden: hidden @ direction  # [T]


def probe_module(rnn: nn.RNNBase, inputs: torch.Tensor, loss: PositionLoss | None = None, *,
                 connectivity: bool = True, interrupted: Interrupted = never) -> ModuleProbe | None:
    """The fast probe of `rnn` over one sequence, from a zero state, with the numbers of the unrolled pass.

    probe_module(rnn, inputs, loss=None, *, connectivity=True, interrupted=never) -> ModuleProbe | None
      rnn: nn.LSTM / nn.GRU / nn.RNN (tanh or relu), any sizes and layers, with or without biases;
           unidirectional, proj_size 0 (ValueError otherwise). Its batch_first is ignored: the caller passes
      inputs: [1, T, I] on the module's device (T >= 2).
      loss: top layer's hidden states [T, H] -> per-position losses [T], l_t depending on h_t alone
           (readout_loss(head, targets) for a readout); None: l_t = u . h_t (direction_loss).
      connectivity: also compute ModuleProbe.connectivity [T, T] (one batched backward over all T targets).
      interrupted: asked between the passes; None is returned as soon as it is true.
    Runs in float32 with autocast off; reads the parameters without changing them, leaves no .grad, draws no
    random numbers and does not touch train/eval mode. On the CPU a module of hidden size <= 256 is probed on one
    intra-op thread (the process's count is restored after): its small products gain nothing from more, and on a
    loaded 2-core machine each waits for the second core (cost: benchmarks/README.md, probe_cost).
    """
    kind = module_kind(rnn)
    with _threads_for(rnn, inputs.device), torch.autocast(inputs.device.type, enabled=False), torch.no_grad():
        states = forward_states(rnn, kind, inputs)
        losses, direct = _losses_and_direct_grads(states[-1].hidden, loss)  # [T], [T, H]
        if interrupted():
            return None
        flows = backward_flows(rnn, kind, states, direct, connectivity, interrupted)
    if flows is None:
        return None
    return package(rnn, kind, states, flows, losses)


@contextmanager
def _threads_for(rnn: nn.RNNBase, device: torch.device) -> Iterator[None]:
    """One intra-op thread while probing a small module on the CPU (see probe_module), then the count as it was."""
    threads = torch.get_num_threads()
    single = device.type == "cpu" and rnn.hidden_size <= SINGLE_THREAD_HIDDEN and threads > 1
    if single:
        torch.set_num_threads(1)
    try:
        yield
    finally:
        if single:
            torch.set_num_threads(threads)


def _losses_and_direct_grads(top: torch.Tensor, loss: PositionLoss | None) -> tuple[torch.Tensor, torch.Tensor]:
    """l_t [T] and dl_t / dh_t [T, H] at the top layer (the gradient that enters the recurrence at step t)."""
    if loss is None:
        loss = direction_loss(top.shape[1], top.device)
    with torch.enable_grad():
        hidden = top.detach().requires_grad_(True)  # [T, H]
        losses = loss(hidden)  # [T]
        (direct,) = torch.autograd.grad(losses.sum(), hidden)  # [T, H]
    return losses.detach(), direct


def _numpy(tensor: torch.Tensor | None) -> np.ndarray | None:
    """A detached float32 CPU copy (None stays None)."""
    return None if tensor is None else tensor.detach().to("cpu", torch.float32).numpy()


def package(rnn: nn.RNNBase, kind: str, states: list[LayerStates], flows: Flows,
            losses: torch.Tensor) -> ModuleProbe:
    """The per-layer LayerProbes (with their metrics) and the connectivity as float32 numpy."""
    layers = []
    sigmas = cells.cell(kind).flow_bounds(states) or layer_sigmas(rnn, kind)
    for layer, (state, sigma) in enumerate(zip(states, sigmas)):
        gates = _numpy(state.gates)  # [G, T, H]
        grad_h = flows.grad_h[layer].astype(np.float32)  # [T]
        grad_c = None if flows.grad_c is None else flows.grad_c[layer].astype(np.float32)  # [T]
        layers.append(LayerProbe(
            gate_names=cells.GATE_NAMES[kind], gates=gates, pre_activation=_numpy(state.pre_activation),
            cell=_numpy(state.cell), hidden=_numpy(state.hidden), grad_h=grad_h, grad_c=grad_c,
            grad_h_total=flows.grad_h_total[layer].astype(np.float32),
            metrics=layer_metrics(kind, gates, grad_h, sigma, grad_c),
        ))
    connectivity = None if flows.connectivity is None else flows.connectivity.astype(np.float32)
    return ModuleProbe(tuple(layers), _numpy(losses), connectivity)
