"""Validate a frame read back from the timeline: its probe and memory as rnnscope.snapshot_check checks a snapshot's."""

from __future__ import annotations

import numpy as np

from rnnscope.config import GATE_NAMES, TANH_GATES
from rnnscope.frames import MemoryFrame, ProbeFrame
from rnnscope.snapshot_check import check_memory, check_probe


def check_timeline_frame(probe: ProbeFrame, memory: MemoryFrame | None) -> None:
    """ValueError (one line) naming the first field of a read-back frame that the screen could not draw."""
    embedding = probe.embedding
    if not (isinstance(embedding, np.ndarray) and embedding.ndim == 2):
        raise ValueError("embedding is not a [V, E] array")
    if not all(layer.gate_names in GATE_NAMES.values() for layer in probe.layers):
        raise ValueError("a layer names gates of no model")
    check_probe(probe, vocab_size=embedding.shape[0])
    for index, layer in enumerate(probe.layers):  # a gate is a sigmoid in 0..1 or a tanh in -1..1
        for gate, name in zip(layer.gates, layer.gate_names):
            if gate.size and not (gate.min() >= (-1 if name in TANH_GATES else 0) and gate.max() <= 1):
                raise ValueError(f"array gates_l{index} holds {name} gate values out of range")
    if memory is not None:
        check_memory(memory)
