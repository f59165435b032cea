"""The instrumented probe pass: gates, states and gradient flow through time for the current weights."""

from __future__ import annotations

import time

import numpy as np
import torch
import torch.nn.functional as F

from rnnscope.config import GATE_NAMES
from rnnscope.core.cells import LayerTrace, unroll
from rnnscope.core.flow_metrics import layer_metrics
from rnnscope.core.model import CharModel
from rnnscope.core.interrupt import Interrupted, never
from rnnscope.frames import LayerProbe, ProbeFrame


def _numpy(tensor: torch.Tensor) -> np.ndarray:
    """A detached float32 CPU copy."""
    return tensor.detach().to("cpu", torch.float32).numpy()


def _step_norms(grads: tuple[torch.Tensor, ...], layers: int) -> np.ndarray:
    """Per-step L2 norms of layers*T gradients of shape [1, H], as [layers, T].

    Squared in float64: a float32 sum of squares would underflow to 0 for a gradient of ~1e-20.
    """
    stacked = torch.stack(grads).reshape(layers, -1, grads[0].shape[-1])  # [L, T, H]
    return _numpy(stacked.double().norm(dim=-1))  # [L, T]


def _layer_probe(
    model: CharModel, layer: int, trace: LayerTrace,
    grad_h: np.ndarray, grad_c: np.ndarray | None, grad_h_total: np.ndarray,
) -> LayerProbe:
    """Package layer `layer`'s batch-1 trace and gradient norms [T] as numpy, with its metrics."""
    gates = _numpy(trace.gates[:, 0])  # [G, T, H]
    weight_hh = _numpy(getattr(model.rnn, f"weight_hh_l{layer}"))  # [G*H, H]
    pre_activation = trace.pre_activation
    return LayerProbe(
        gate_names=GATE_NAMES[model.kind],
        gates=gates,
        pre_activation=None if pre_activation is None else _numpy(pre_activation[0]),  # [T, H]
        cell=None if trace.cell is None else _numpy(torch.cat(trace.cell)),  # [T, H]
        hidden=_numpy(torch.cat(trace.hidden)),  # [T, H]
        grad_h=grad_h,
        grad_c=grad_c,
        grad_h_total=grad_h_total,
        metrics=layer_metrics(model.kind, gates, grad_h, weight_hh, grad_c),
    )


def run_probe(model: CharModel, ids: np.ndarray, targets: np.ndarray, text: str, step: int,
              interrupted: Interrupted = never) -> ProbeFrame | None:
    """One instrumented forward + two backward passes over the probe (batch 1, zero initial state); None when
    `interrupted()` turned true between two of the three (a command is waiting).

    Reads the model's current weights without changing them, leaves no .grad on parameters, draws
    no random numbers and does not touch train/eval mode (no dropout is involved).
    """
    started = time.perf_counter()
    device = model.head.weight.device
    ids_t = torch.as_tensor(ids, dtype=torch.long, device=device).unsqueeze(0)  # [1, T]
    targets_t = torch.as_tensor(targets, dtype=torch.long, device=device)  # [T]
    with torch.enable_grad():
        embedded = model.embedding(ids_t)  # [1, T, E]
        traces = unroll(model.rnn, embedded)
        logits = model.head(torch.cat(traces[-1].hidden))  # [T, V]
        losses = F.cross_entropy(logits, targets_t, reduction="none")  # [T]
        hiddens = [h for trace in traces for h in trace.hidden]  # L*T x [1, H]
        cells = [c for trace in traces for c in (trace.cell or [])]  # L*T x [1, H], LSTM only
        if interrupted():
            return None
        grads_last = torch.autograd.grad(losses[-1], hiddens + cells, retain_graph=True)
        if interrupted():
            return None
        mean_loss = losses.mean()
        grads_total = torch.autograd.grad(mean_loss, hiddens)
    layers = len(traces)
    grad_h = _step_norms(grads_last[: len(hiddens)], layers)  # [L, T]
    grad_c = _step_norms(grads_last[len(hiddens):], layers) if cells else [None] * layers  # [L, T]
    grad_h_total = _step_norms(grads_total, layers)  # [L, T]
    layer_probes = tuple(
        _layer_probe(model, layer, trace, grad_h[layer], grad_c[layer], grad_h_total[layer])
        for layer, trace in enumerate(traces)
    )
    return ProbeFrame(
        step=step,
        text=text,
        ids=np.asarray(ids, dtype=np.int64),
        targets=np.asarray(targets, dtype=np.int64),
        probs=_numpy(torch.softmax(logits, dim=-1)),  # [T, V]
        loss=float(mean_loss.detach()),
        layers=layer_probes,
        embedding=_numpy(model.embedding.weight),  # [V, E]
        cost_ms=(time.perf_counter() - started) * 1000.0,
    )
