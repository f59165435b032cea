"""The step protocol: a watched module as rows of step functions (each layer's directions, or a custom cell's step).

A step is `step(x_t, state) -> (new_state, h_t, gates)`: x_t [1, I] the module's input at one position, state None
at the first step (the step starts from its own zero state) and afterwards whatever it returned, h_t [1, H] the
very tensor the next step reads from its state (the flow is ||dl / dh_t||), gates {name: [1, Hg]} the values the
gates panel shows (the reserved name "pre_activation" is a vanilla cell's W x + U h + b, shown instead of gates).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from rnnscope import cells
from rnnscope.cells.gru import gru_step
from rnnscope.cells.lstm import lstm_step
from rnnscope.cells.rnn import rnn_step

Step = Callable[[torch.Tensor, object], tuple[object, torch.Tensor, dict]]
PRE_ACTIVATION = "pre_activation"


@dataclass(frozen=True)
class Direction:
    """One row of the frame: a step run over the positions forward or (reverse) backward."""

    label: str  # "L0 fwd", "L0 bwd", "L1", "cell"
    step: Step
    reverse: bool = False
    cell_of: Callable[[object], torch.Tensor] | None = None  # the state's c_t [1, H] (an LSTM's), else None


@dataclass
class Row:
    """One direction's unrolled pass in the probe's order; hidden and cell still attached to the graph."""

    direction: Direction
    hidden: list[torch.Tensor]  # T x [1, H]
    cell: list[torch.Tensor] | None  # T x [1, H]
    gates: dict[str, torch.Tensor]  # name -> [T, Hg]


def unroll(layers: list[list[Direction]], inputs: torch.Tensor) -> tuple[list[Row], torch.Tensor]:
    """Every row over inputs [1, T, I] and the module's output [T, H_out] (the last layer's rows side by side)."""
    rows, layer_input, steps = [], inputs[0], inputs.shape[1]  # [T, I]
    for directions in layers:
        made = [_run(direction, layer_input, steps) for direction in directions]
        rows += made
        layer_input = torch.cat([torch.cat(row.hidden) for row in made], dim=1)  # [T, D*H]
    return rows, layer_input


def _run(direction: Direction, inputs: torch.Tensor, steps: int) -> Row:
    order = range(steps - 1, -1, -1) if direction.reverse else range(steps)
    state, hidden, cell, gates = None, [None] * steps, [None] * steps, [None] * steps
    for t in order:
        state, hidden[t], gates[t] = direction.step(inputs[t : t + 1], state)  # x_t [1, I]
        if direction.cell_of is not None:
            cell[t] = direction.cell_of(state)
    names = list(gates[0])
    return Row(direction, hidden, None if direction.cell_of is None else cell,
               {name: torch.cat([g[name] for g in gates]).detach() for name in names})  # [T, Hg] each


def module_directions(rnn: nn.RNNBase) -> list[list[Direction]]:
    """nn.LSTM / nn.GRU / nn.RNN as rows: every layer, each direction its own row (proj_size: h is projected)."""
    kind = cells.by_mode(rnn.mode).name
    suffixes = ("", "_reverse") if rnn.bidirectional else ("",)
    return [[Direction(_label(layer, suffix, rnn.bidirectional), _module_step(rnn, kind, layer, suffix),
                       reverse=bool(suffix), cell_of=(lambda state: state[1]) if kind == "lstm" else None)
             for suffix in suffixes] for layer in range(rnn.num_layers)]


def _label(layer: int, suffix: str, bidirectional: bool) -> str:
    return f"L{layer} {'bwd' if suffix else 'fwd'}" if bidirectional else f"L{layer}"


def _module_step(rnn: nn.RNNBase, kind: str, layer: int, suffix: str) -> Step:
    """The step of one layer and direction, over the module's own parameters (read at each call)."""
    def weights(name: str) -> torch.Tensor | None:
        return getattr(rnn, f"{name}_l{layer}{suffix}", None)

    names = cells.GATE_NAMES[kind]
    width = rnn.proj_size or rnn.hidden_size
    activation = cells.cell(kind).function if cells.facts_of(kind).activation else None  # a vanilla cell's tanh / relu

    def step(x, state):
        w_ih, w_hh, b_ih, b_hh = (weights(n) for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"))
        x_proj = F.linear(x, w_ih, b_ih)  # [1, G*H]
        if kind == "lstm":
            h, c = state or (x.new_zeros(1, width), x.new_zeros(1, rnn.hidden_size))
            full, c, gates = lstm_step(x_proj, h, c, w_hh, b_hh)  # [1, H], [1, H], [4, 1, H]
            h = full if weights("weight_hr") is None else F.linear(full, weights("weight_hr"))  # [1, P]
            return (h, c), h, dict(zip(names, gates))
        h = x.new_zeros(1, width) if state is None else state
        if kind == "gru":
            h, gates = gru_step(x_proj, h, w_hh, b_hh)  # [1, H], [3, 1, H]
            return h, h, dict(zip(names, gates))
        h, pre = rnn_step(x_proj, h, w_hh, b_hh, activation)  # [1, H] each
        return h, h, {PRE_ACTIVATION: pre}

    return step


class StepModule:
    """A custom recurrent module watched through its step function: what Scope reads of a module (parameters,
    input size, its own forward [1, T, I] -> [1, T, H] batch first, or (that, state))."""

    batch_first = True
    bidirectional = False

    def __init__(self, module: nn.Module, step: Step, input_size: int | None) -> None:
        if not callable(step):
            raise ValueError(f"step must be a function step(x_t, state) -> (new_state, h_t, gates), not "
                             f"{type(step).__name__}")
        size = input_size if input_size is not None else getattr(module, "input_size", None)
        if not isinstance(size, int) or isinstance(size, bool) or size < 1:
            raise ValueError("Scope needs the custom module's input size: give input_size=I (or set "
                             "module.input_size)")
        self.module, self.step, self.input_size = module, step, size

    def named_parameters(self):
        return self.module.named_parameters()

    def parameters(self):
        return self.module.parameters()

    def directions(self) -> list[list[Direction]]:
        return [[Direction("cell", self.step)]]
