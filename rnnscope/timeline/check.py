"""Validate a probe frame read back from the timeline: types, shapes, ranges and finiteness of every field.

(rnnscope.snapshot_check validates a snapshot's whole Frame; a shared probe check belongs there once it exists.)
"""

from __future__ import annotations

import math

import numpy as np

from rnnscope.config import GATE_NAMES, TANH_GATES
from rnnscope.frames import MemoryFrame, ProbeFrame
from rnnscope.snapshot_check import VERDICTS


def _number(value, where: str, low: float = -math.inf) -> None:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and value >= low
    if not ok:
        raise ValueError(f"{where} is {value!r:.40}, not a finite number" + (f" >= {low:g}" if low > -math.inf else ""))


def _array(array, where: str, shape: tuple, kinds: str = "f", low: float = -math.inf, high: float = math.inf) -> None:
    """`shape` holds ints (must match) and None (any size); every value finite and within [low, high]."""
    if not isinstance(array, np.ndarray) or array.dtype.kind not in kinds or array.ndim != len(shape) or any(
            want is not None and got != want for got, want in zip(array.shape, shape)):
        got = f"{array.dtype} {array.shape}" if isinstance(array, np.ndarray) else type(array).__name__
        want = tuple("N" if s is None else s for s in shape)
        raise ValueError(f"{where} is {got}, expected shape {want} of {'integers' if kinds == 'iu' else 'numbers'}")
    if array.size and not (np.isfinite(array).all() and array.min() >= low and array.max() <= high):
        raise ValueError(f"{where} holds values that are not finite or lie outside [{low:g}, {high:g}]")


def _metrics(metrics, where: str) -> None:
    for name in ("verdict", "cell_verdict"):
        value = getattr(metrics, name)
        if (value is not None or name == "verdict") and value not in VERDICTS:
            raise ValueError(f"{where}.{name} is not one of {', '.join(VERDICTS)}")
    for name in ("decay_per_step", "memory_horizon", "cell_decay_per_step", "cell_memory_horizon"):
        value = getattr(metrics, name)
        if value is not None and not isinstance(value, float):  # nan and inf are meaningful here
            raise ValueError(f"{where}.{name} is not a number")
    sigmas = metrics.sigma_max.values() if isinstance(metrics.sigma_max, dict) else [metrics.sigma_max]
    for sigma in sigmas:
        if not isinstance(sigma, float):
            raise ValueError(f"{where}.sigma_max is not a number")
    for gate, saturation in metrics.saturation.items():
        _number(saturation.low, f"{where}.saturation.{gate}.low", 0.0)
        _number(saturation.high, f"{where}.saturation.{gate}.high", 0.0)


def _layers(probe: ProbeFrame, T: int) -> None:
    if not probe.layers:
        raise ValueError("it has no layers")
    for index, layer in enumerate(probe.layers):
        if layer.gate_names not in GATE_NAMES.values():
            raise ValueError(f"layer {index} names unknown gates")
        H = layer.hidden.shape[1] if isinstance(layer.hidden, np.ndarray) and layer.hidden.ndim == 2 else None
        _array(layer.hidden, f"hidden_l{index}", (T, H))
        _array(layer.gates, f"gates_l{index}", (len(layer.gate_names), T, H))
        for g, name in enumerate(layer.gate_names):
            _array(layer.gates[g], f"gates_l{index} {name}", (T, H), low=-1.0 if name in TANH_GATES else 0.0,
                   high=1.0)
        for name in ("pre_activation", "cell"):
            if getattr(layer, name) is not None:
                _array(getattr(layer, name), f"{name}_l{index}", (T, H))
        for name in ("grad_h", "grad_c", "grad_h_total"):
            if getattr(layer, name) is not None or name != "grad_c":
                _array(getattr(layer, name), f"{name}_l{index}", (T,), low=0.0)
        _metrics(layer.metrics, f"layer {index} metrics")


def _memory(memory: MemoryFrame) -> None:
    _number(memory.step, "memory.step", 0.0)
    K, D = len(memory.context_k), len(memory.distances)
    _array(memory.context_k, "memory.context_k", (K,), "iu", low=1)
    _array(memory.context_loss[np.isfinite(memory.context_loss)], "memory.context_loss", (None,), low=0.0)
    _array(memory.distances, "memory.distances", (D,), "iu", low=1)
    _array(memory.accuracy, "memory.accuracy", (D,), low=0.0, high=1.0)
    _array(memory.items, "memory.items", (D,), "iu", low=0)
    if not K:
        raise ValueError("memory.context_k is empty")


def check_timeline_frame(probe: ProbeFrame, memory: MemoryFrame | None) -> None:
    """ValueError (one line) naming the first field of a read-back frame that the screen could not draw."""
    if not (isinstance(probe.step, int) and probe.step >= 0):
        raise ValueError("step is not a whole number >= 0")
    if not (isinstance(probe.text, str) and len(probe.text) >= 2):
        raise ValueError("text is not a string of 2 or more characters")
    _number(probe.loss, "loss", 0.0)
    _number(probe.cost_ms, "cost_ms", 0.0)
    T = len(probe.text) - 1
    V = probe.probs.shape[1] if isinstance(probe.probs, np.ndarray) and probe.probs.ndim == 2 else None
    _array(probe.probs, "probs", (T, V), low=0.0, high=1.0)
    _array(probe.ids, "ids", (T,), "iu", low=0, high=V - 1)
    _array(probe.targets, "targets", (T,), "iu", low=0, high=V - 1)
    _array(probe.embedding, "embedding", (V, None))
    if getattr(probe, "connectivity", None) is not None:
        _array(probe.connectivity, "connectivity", (T, T), low=0.0)
    _layers(probe, T)
    if memory is not None:
        _memory(memory)
