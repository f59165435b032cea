"""Validate a Frame read back from a snapshot: every scalar has its declared type, every array its shape and dtype."""

from __future__ import annotations

import dataclasses

import numpy as np

from rnnscope.config import TASKS
from rnnscope.frames import EXPLODING, HEALTHY, VANISHING, Frame, LayerProbe, MemoryFrame

VERDICTS = (VANISHING, HEALTHY, EXPLODING)

_SCALARS = {
    "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "float": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "str": lambda v: isinstance(v, str),
    "bool": lambda v: isinstance(v, bool),
}


def _scalars(obj, where: str) -> None:
    """ValueError naming the first scalar field of dataclass `obj` whose value is not of its declared type."""
    for field in dataclasses.fields(obj):
        kinds = [k.strip() for k in field.type.split("|")]
        value = getattr(obj, field.name)
        if value is None and "None" in kinds:
            continue
        checks = [_SCALARS[k] for k in kinds if k in _SCALARS]
        if checks and len(checks) == len([k for k in kinds if k != "None"]) and not any(c(value) for c in checks):
            raise ValueError(f"{where}.{field.name} is {type(value).__name__}, not {field.type}")


def _array(array, name: str, shape: tuple, kinds: str) -> None:
    """`shape` holds ints (must match) and None (any size)."""
    if not isinstance(array, np.ndarray) or array.dtype.kind not in kinds or array.ndim != len(shape) or any(
            want is not None and got != want for got, want in zip(array.shape, shape)):
        got = f"{array.dtype} {array.shape}" if isinstance(array, np.ndarray) else type(array).__name__
        raise ValueError(f"array {name} is {got}, expected shape {tuple('N' if s is None else s for s in shape)} "
                         f"of {'integers' if kinds == 'iu' else 'numbers'}")


def _numbers(mapping, where: str) -> None:
    numbers = isinstance(mapping, dict) and all(isinstance(k, str) and _SCALARS["float"](v) for k, v in mapping.items())
    if not numbers:
        raise ValueError(f"{where} is not a mapping of names to numbers")


def _layer(layer: LayerProbe, index: int, T: int) -> None:
    H = layer.hidden.shape[1] if isinstance(layer.hidden, np.ndarray) and layer.hidden.ndim == 2 else None
    _array(layer.hidden, f"hidden_l{index}", (T, H), "f")
    _array(layer.gates, f"gates_l{index}", (len(layer.gate_names), T, H), "f")
    for name in ("pre_activation", "cell"):
        if getattr(layer, name) is not None:
            _array(getattr(layer, name), f"{name}_l{index}", (T, H), "f")
    for name in ("grad_h", "grad_c", "grad_h_total"):
        if getattr(layer, name) is not None:
            _array(getattr(layer, name), f"{name}_l{index}", (T,), "f")
    metrics = layer.metrics
    _scalars(metrics, f"metrics[{index}]")
    if not isinstance(metrics.sigma_max, (int, float)):
        _numbers(metrics.sigma_max, f"metrics[{index}].sigma_max")
    for saturation in metrics.saturation.values():
        _scalars(saturation, f"metrics[{index}].saturation")
    for name in ("verdict", "cell_verdict"):
        value = getattr(metrics, name)
        if value is not None and value not in VERDICTS:
            raise ValueError(f"metrics[{index}].{name} is not one of {', '.join(VERDICTS)}")


def _memory(memory: MemoryFrame) -> None:
    _scalars(memory, "meta.memory")
    if memory.task not in (None, *TASKS):
        raise ValueError(f"meta.memory.task is not one of {', '.join(TASKS)}")
    K = len(memory.context_k) if isinstance(memory.context_k, np.ndarray) else None
    _array(memory.context_k, "meta.memory.context_curve.k", (K,), "iu")
    _array(memory.context_loss, "meta.memory.context_curve.loss", (K,), "f")
    if not K:
        raise ValueError("meta.memory.context_curve has no k")
    D = len(memory.distances) if isinstance(memory.distances, np.ndarray) else None
    _array(memory.distances, "meta.memory.task.by_distance.distance", (D,), "iu")
    _array(memory.accuracy, "meta.memory.task.by_distance.accuracy", (D,), "f")
    _array(memory.items, "meta.memory.task.by_distance.items", (D,), "iu")
    if memory.task is not None and not (memory.chance is not None and len(memory.distance_range) == 2
                                        and all(_SCALARS["int"](d) for d in memory.distance_range)):
        raise ValueError("meta.memory.task needs a chance and a distance [MIN, MAX]")


def check_frame(frame: Frame) -> None:
    """ValueError (one line) for the first field of a replayed frame that the screen could not draw."""
    _scalars(frame.status, "meta")
    _scalars(frame.status.config, "meta")  # model, sizes, lr, clip, init, ... as rebuilt from meta's fields
    vocab = frame.vocab
    if not vocab or not all(isinstance(c, str) and len(c) == 1 for c in vocab) or len(set(vocab)) != len(vocab):
        raise ValueError("meta.vocab is not a list of distinct single characters")
    V = len(vocab)
    for event in frame.events:
        _scalars(event, "meta.events")
    for stats in (frame.last_step, frame.sample):
        if stats is not None:
            _scalars(stats, f"meta.{type(stats).__name__}")
    if frame.last_step is not None:
        _numbers(frame.last_step.grad_norms, "meta.last_step.grad_norms")
        _numbers(frame.last_step.grad_norms_post, "meta.last_step.grad_norms_post")
    _array(frame.loss_history, "loss_history", (None, 2), "fiu")
    _array(frame.val_history, "val_history", (None, 2), "fiu")
    _array(frame.grad_norm_history, "grad_norm_history", (None, 3), "fiu")
    probe = frame.probe
    _scalars(probe, "meta.probe")
    T = len(probe.text) - 1
    if T < 1:
        raise ValueError("meta.probe.text is shorter than 2 characters")
    _array(probe.ids, "probe_ids", (T,), "iu")
    _array(probe.targets, "probe_targets", (T,), "iu")
    if not all(((a >= 0) & (a < V)).all() for a in (probe.ids, probe.targets)):
        raise ValueError(f"probe ids lie outside the vocabulary of {V} characters")
    _array(probe.probs, "probe_probs", (T, V), "f")
    _array(probe.embedding, "embedding.weight", (V, None), "f")
    if not probe.layers:
        raise ValueError("meta.metrics lists no layers")
    for index, layer in enumerate(probe.layers):
        _layer(layer, index, T)
    if probe.connectivity is not None:
        _array(probe.connectivity, "connectivity", (T, T), "f")
    if frame.memory is not None:
        _memory(frame.memory)
