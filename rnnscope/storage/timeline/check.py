"""Validate a frame read back from the timeline: its probe and memory as rnnscope.storage.snapshot_check checks a snapshot's."""

from __future__ import annotations

import dataclasses

import numpy as np

from rnnscope import cells
from rnnscope.contracts.frames import MemoryReading, ProbeReading
from rnnscope.contracts.visible import safe_text
from rnnscope.storage.snapshot_check import check_memory, check_probe

MAX_GATE_NAME = 16  # characters of a custom cell's gate name


def _positions_as_characters(probe: ProbeReading) -> ProbeReading:
    """A watched model's frame (positions, not characters: ids 0..T-1, targets among the readout's V classes, V = 0
    without a readout; `embedding` none, or [T, I] the module's input at each position) checked for those fields,
    returned with neutral ones for check_probe."""
    T, V = len(probe.labels), probe.probs.shape[-1] if probe.probs.ndim == 2 else -1
    if not (probe.ids.shape == (T,) and (probe.ids == np.arange(T)).all()):
        raise ValueError("a watched model's probe_ids are not its positions 0..T-1")
    if V < 0 or probe.targets.shape != (T,) or not ((probe.targets >= 0) & (probe.targets < max(V, 1))).all():
        raise ValueError("a watched model's probe_targets lie outside its readout's classes")
    if probe.embedding.size and (probe.embedding.shape[0] != T or not np.isfinite(probe.embedding).all()):
        raise ValueError("a watched model's inputs are not [T, I] finite numbers")
    classes = max(V, 1)
    return dataclasses.replace(probe, ids=np.zeros(T, np.int64), embedding=np.zeros((classes, 0), np.float32),
                               probs=probe.probs if V else np.ones((T, 1), np.float32))


def custom_gate_names(names: tuple[str, ...]) -> bool:
    """A custom cell's gate names (rnnscope.watch.steps): distinct, short, visible-safe strings."""
    return all(isinstance(name, str) and 0 < len(name) <= MAX_GATE_NAME and safe_text(name) == name
               for name in names) and len(set(names)) == len(names)


def check_timeline_frame(probe: ProbeReading, memory: MemoryReading | None) -> None:
    """ValueError (one line) naming the first field of a read-back frame that the screen could not draw."""
    if probe.labels:
        probe = _positions_as_characters(probe)
    embedding = probe.embedding
    if not (isinstance(embedding, np.ndarray) and embedding.ndim == 2):
        raise ValueError("embedding is not a [V, E] array")
    if not all(layer.gate_names in cells.GATE_NAMES.values() or custom_gate_names(layer.gate_names)
               for layer in probe.layers):
        raise ValueError("a layer names gates of no model")
    check_probe(probe, vocab_size=embedding.shape[0])
    for index, layer in enumerate(probe.layers):  # a gate lies in its activation's range (sigmoid 0..1, tanh -1..1)
        for gate, name in zip(layer.gates, layer.gate_names):
            if not cells.known_gate(name):  # a custom cell's own gate: any finite values
                continue
            low, high = cells.gate(name).range
            if gate.size and not (gate.min() >= low and gate.max() <= high):
                raise ValueError(f"array gates_l{index} holds {name} gate values out of range")
    if memory is not None:
        check_memory(memory)
