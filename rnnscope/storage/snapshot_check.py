"""Validate a Frame read back from a snapshot: every scalar has its declared type and range, every array its shape,
dtype and range, and a number is non-finite only where the writer can store one (null: nan, or an infinite horizon).

check_frame is the whole frame; check_probe one probe pass and check_memory one memory measurement (a timeline of
probe frames calls them for each)."""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from rnnscope.contracts.config import TASKS
from rnnscope.contracts.frames import EXPLODING, HEALTHY, VANISHING, Frame, LayerProbe, MemoryReading, ProbeReading

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


def _numbers(mapping, where: str, ok=lambda v: True) -> None:
    numbers = isinstance(mapping, dict) and all(isinstance(k, str) and _SCALARS["float"](v) and ok(v)
                                                for k, v in mapping.items())
    if not numbers:
        raise ValueError(f"{where} is not a mapping of names to numbers of the right range")


def _finite(low: float = -math.inf, high: float = math.inf):
    return lambda v: math.isfinite(v) and low <= v <= high


def _missing_or(ok):
    """nan (null in meta.json: a value that was not finite) or a value `ok` accepts."""
    return lambda v: math.isnan(v) or ok(v)


def _non_negative(v: float) -> bool:
    """>= 0, an infinity included (an overflowed norm); nan is not."""
    return v >= 0


def _range(value, where: str, ok) -> None:
    if not ok(value):
        raise ValueError(f"{where} is {value!r:.30}, out of range")


def _values(array: np.ndarray, where: str, ok: str) -> None:
    """`ok`: "finite", "unit" (finite, 0..1), "flow" (>= 0, inf or nan allowed: a gradient norm)."""
    if array.size == 0:
        return
    if ok == "flow":
        bad = array < 0
    else:
        bad = ~np.isfinite(array)
        if ok == "unit":
            bad |= (array < 0) | (array > 1)
    if bad.any():
        raise ValueError(f"array {where} holds values out of range ({ok})")


def _layer(layer: LayerProbe, index: int, T: int) -> None:
    H = layer.hidden.shape[1] if isinstance(layer.hidden, np.ndarray) and layer.hidden.ndim == 2 else None
    _array(layer.hidden, f"hidden_l{index}", (T, H), "f")
    width = None if layer.cell is not None else H  # an LSTM with proj_size: gates and c_t wider than h_t
    _array(layer.gates, f"gates_l{index}", (len(layer.gate_names), T, width), "f")
    _values(layer.hidden, f"hidden_l{index}", "finite")
    _values(layer.gates, f"gates_l{index}", "finite")
    for name, size in (("pre_activation", H), ("cell", layer.gates.shape[2] if layer.gates.size else None)):
        if getattr(layer, name) is not None:
            _array(getattr(layer, name), f"{name}_l{index}", (T, size), "f")
            _values(getattr(layer, name), f"{name}_l{index}", "finite")
    for name in ("grad_h", "grad_c", "grad_h_total"):
        if getattr(layer, name) is not None:
            _array(getattr(layer, name), f"{name}_l{index}", (T,), "f")
            _values(getattr(layer, name), f"{name}_l{index}", "flow")
    _metrics(layer.metrics, f"metrics[{index}]")


def _metrics(metrics, where: str) -> None:
    _scalars(metrics, where)
    sigma = _missing_or(_finite(0))
    if isinstance(metrics.sigma_max, (int, float)):
        _range(metrics.sigma_max, f"{where}.sigma_max", sigma)
    else:
        _numbers(metrics.sigma_max, f"{where}.sigma_max", sigma)
    for saturation in metrics.saturation.values():
        _scalars(saturation, f"{where}.saturation")
        _range(saturation.low, f"{where}.saturation.low", _finite(0, 1))
        _range(saturation.high, f"{where}.saturation.high", _finite(0, 1))
    for name in ("decay_per_step", "memory_horizon", "cell_decay_per_step", "cell_memory_horizon"):
        value = getattr(metrics, name)
        if value is not None:
            _range(value, f"{where}.{name}", _missing_or(_non_negative))
    for name in ("verdict", "cell_verdict"):
        value = getattr(metrics, name)
        if value is not None and value not in VERDICTS:
            raise ValueError(f"{where}.{name} is not one of {', '.join(VERDICTS)}")


def check_memory(memory: MemoryReading) -> None:
    """ValueError (one line) for the first field of a memory measurement the screen could not draw."""
    _scalars(memory, "meta.memory")
    if memory.task not in (None, *TASKS):
        raise ValueError(f"meta.memory.task is not one of {', '.join(TASKS)}")
    K = len(memory.context_k) if isinstance(memory.context_k, np.ndarray) else None
    _array(memory.context_k, "meta.memory.context_curve.k", (K,), "iu")
    _array(memory.context_loss, "meta.memory.context_curve.loss", (K,), "f")
    if not K:
        raise ValueError("meta.memory.context_curve has no k")
    if (memory.context_k < 1).any() or (memory.context_loss < 0).any() or np.isinf(memory.context_loss).any():
        raise ValueError("meta.memory.context_curve holds a k below 1 or a loss out of range")
    _range(memory.full, "meta.memory.context_curve.full", _missing_or(_finite(0)))
    D = len(memory.distances) if isinstance(memory.distances, np.ndarray) else None
    _array(memory.distances, "meta.memory.task.by_distance.distance", (D,), "iu")
    _array(memory.accuracy, "meta.memory.task.by_distance.accuracy", (D,), "f")
    _array(memory.items, "meta.memory.task.by_distance.items", (D,), "iu")
    _values(memory.accuracy, "meta.memory.task.by_distance.accuracy", "unit")
    if (memory.distances < 1).any() or (memory.items < 0).any():
        raise ValueError("meta.memory.task.by_distance holds a distance below 1 or a negative item count")
    if memory.task is not None and not (memory.chance is not None and len(memory.distance_range) == 2
                                        and all(_SCALARS["int"](d) for d in memory.distance_range)):
        raise ValueError("meta.memory.task needs a chance and a distance [MIN, MAX]")
    if memory.task is not None:
        _range(memory.chance, "meta.memory.task.chance", _finite(0, 1))
        _range(memory.distance_range, "meta.memory.task.distance", lambda d: 1 <= d[0] <= d[1])


def check_probe(probe: ProbeReading, vocab_size: int) -> None:
    """ValueError (one line) for the first field of one probe pass that the screen could not draw: text, ids and
    targets within the vocabulary, probabilities in 0..1, states finite, gradient norms not negative, each layer's
    metrics in range."""
    _scalars(probe, "meta.probe")
    _range(probe.step, "meta.probe.step", lambda v: v >= 0)
    _range(probe.loss, "meta.probe.loss", _missing_or(_finite(0)))
    _range(probe.cost_ms, "meta.probe.cost_ms", _finite(0))
    T, V = len(probe.text) - 1, vocab_size
    if T < 1:
        raise ValueError("meta.probe.text is shorter than 2 characters")
    _array(probe.ids, "probe_ids", (T,), "iu")
    _array(probe.targets, "probe_targets", (T,), "iu")
    if not all(((a >= 0) & (a < V)).all() for a in (probe.ids, probe.targets)):
        raise ValueError(f"probe ids lie outside the vocabulary of {V} characters")
    _array(probe.probs, "probe_probs", (T, V), "f")
    _values(probe.probs, "probe_probs", "unit")
    _array(probe.embedding, "embedding.weight", (V, None), "f")
    _values(probe.embedding, "embedding.weight", "finite")
    if not probe.layers:
        raise ValueError("meta.metrics lists no layers")
    for index, layer in enumerate(probe.layers):
        _layer(layer, index, T)
    if probe.connectivity is not None:
        _array(probe.connectivity, "connectivity", (T, T), "f")
        _values(probe.connectivity, "connectivity", "flow")


def _status(frame: Frame) -> None:
    status = frame.status
    _scalars(status, "meta")
    _scalars(status.config, "meta")  # model, sizes, lr, clip, init, ... as rebuilt from meta's fields
    status.config.validate()  # the ranges of the options themselves: clip > 0, lr, sizes, seed
    for name in ("step", "n_params", "threads"):
        _range(getattr(status, name), f"meta.{name}", lambda v: v >= 0)
    _range(status.clip_fire_rate, "meta.clip_fire_rate", _finite(0, 1))
    for name in ("train_loss", "val_loss", "chars_per_s"):
        _range(getattr(status, name), f"meta.{name}", _missing_or(_finite(0)))


def _history(array: np.ndarray, name: str, columns: int) -> None:
    _array(array, name, (None, columns), "fiu")
    steps, values = array[:, 0], array[:, 1:]
    if not (np.isfinite(steps).all() and (steps >= 0).all()) or (values < 0).any():
        raise ValueError(f"array {name} holds a step or a value out of range")


def check_frame(frame: Frame) -> None:
    """ValueError (one line) for the first field of a replayed frame that the screen could not draw."""
    _status(frame)
    vocab = frame.vocab
    if not vocab or not all(isinstance(c, str) and len(c) == 1 for c in vocab) or len(set(vocab)) != len(vocab):
        raise ValueError("meta.vocab is not a list of distinct single characters")
    for event in frame.events:
        _scalars(event, "meta.events")
        _range(event.step, "meta.events.step", lambda v: v >= 0)
    for stats in (frame.last_step, frame.sample):
        if stats is not None:
            _scalars(stats, f"meta.{type(stats).__name__}")
            _range(stats.step, f"meta.{type(stats).__name__}.step", lambda v: v >= 0)
    if frame.sample is not None:
        _range(frame.sample.temperature, "meta.sample.temperature", lambda v: math.isfinite(v) and v > 0)
    if frame.last_step is not None:
        norm = _missing_or(_non_negative)
        _numbers(frame.last_step.grad_norms, "meta.last_step.grad_norms", norm)
        _numbers(frame.last_step.grad_norms_post, "meta.last_step.grad_norms_post", norm)
        for name in ("loss", "total_pre", "total_post"):
            _range(getattr(frame.last_step, name), f"meta.last_step.{name}", norm)
    _history(frame.loss_history, "loss_history", 2)
    _history(frame.val_history, "val_history", 2)
    _history(frame.grad_norm_history, "grad_norm_history", 3)
    check_probe(frame.probe, len(vocab))
    if frame.memory is not None:
        check_memory(frame.memory)
