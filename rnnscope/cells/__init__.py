"""The cell kinds' registry: every place that depends on the kind asks here (facts without torch, cells with it).

A kind is two files: `cells/facts/<kind>.py` (names, gates, activations, labels, help; standard library only, so the
UI and the contracts may read it) and `cells/<kind>.py` (its PyTorch module, probe, oracle and sampler steps, init
rules and flow metric; see rnnscope.cells.base.Cell). README.md, Development, says how to add one.
"""

from __future__ import annotations

import importlib

from rnnscope.cells.facts import ALL
from rnnscope.cells.facts.cell_facts import JACOBIAN, POSITIVE, SIGMOID, TANH, CellFacts, Gate

KINDS: tuple[str, ...] = tuple(facts.name for facts in ALL)  # the --model choices, in the order `m` cycles
GATE_NAMES: dict[str, tuple[str, ...]] = {facts.name: facts.gate_names for facts in ALL}
_BY_NAME = {facts.name: facts for facts in ALL}
_GATES = {gate.name: gate for facts in ALL for gate in facts.gates}  # a gate name means one thing in every kind

__all__ = ["GATE_NAMES", "JACOBIAN", "KINDS", "POSITIVE", "SIGMOID", "TANH", "CellFacts", "Gate", "by_mode", "cell", "cycle_text",
           "facts_of", "gate", "known_gate"]


def facts_of(kind: str) -> CellFacts:
    """The facts of `kind`; KeyError naming the kinds for one that does not exist."""
    if kind not in _BY_NAME:
        raise KeyError(f"unknown model kind {kind!r}: choose one of {', '.join(KINDS)}")
    return _BY_NAME[kind]


def gate(name: str) -> Gate:
    """The gate called `name` (its activation and label); an unknown name is a sigmoid gate labelled by its name."""
    return _GATES.get(name, Gate(name, SIGMOID, name))


def known_gate(name: str) -> bool:
    """Whether some kind has a gate called `name` (a custom cell's other gate names have no known range)."""
    return name in _GATES


def by_mode(mode: object) -> CellFacts | None:
    """The kind whose PyTorch module has nn.RNNBase.mode `mode` (LSTM, GRU, RNN_TANH, RNN_RELU); None for others."""
    return next((facts for facts in ALL if facts.module_mode is not None and facts.module_mode == mode), None)


def cycle_text() -> str:
    """'lstm → rnn-tanh → rnn-relu → gru': the kinds in the order `m` steps through them."""
    return " → ".join(KINDS)


def cell(kind: str):
    """The torch part of `kind` (a rnnscope.cells.base.Cell); imports torch on first use."""
    return importlib.import_module(facts_of(kind).torch_module).CELLS[kind]
