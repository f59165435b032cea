"""GatesPanel: gate activations (LSTM i/f/g/o, GRU r/z/n) or a vanilla RNN's pre-activation, units x time."""

from __future__ import annotations

from rnnscope import cells
from rnnscope.contracts.frames import LayerProbe
from rnnscope.ui.panels.heatmap_panel import HeatmapPanel
from rnnscope.ui.render.heat_blocks import HeatBlock
from rnnscope.ui.render.palette import DIVERGING, SEQUENTIAL


def _block(name: str, values) -> HeatBlock:
    """A gate's heatmap under its label (rnnscope.cells): tanh diverging on [-1, 1], sigmoid sequential on [0, 1],
    an unbounded positive one sequential on its own range, a custom cell's own gate diverging on its own range."""
    if not cells.known_gate(name):
        return HeatBlock(name, values, DIVERGING)
    gate = cells.gate(name)
    if gate.activation == cells.TANH:
        return HeatBlock(gate.label, values, DIVERGING, gate.range)
    return HeatBlock(gate.label, values, SEQUENTIAL, gate.range if gate.activation == cells.SIGMOID else None)


def gate_blocks(layer: LayerProbe) -> list[HeatBlock]:
    """One heatmap per gate; sigmoid gates on a fixed [0, 1] sequential scale, tanh ones diverging."""
    if not layer.gate_names:
        return [HeatBlock("pre-activation", layer.pre_activation, DIVERGING)]
    return [_block(name, layer.gates[g]) for g, name in enumerate(layer.gate_names)]


class GatesPanel(HeatmapPanel):
    """Gate heatmaps with a colour legend per gate and the probe's characters on the time axis."""

    title = "gates"

    def blocks(self, layer: LayerProbe) -> list[HeatBlock]:
        return gate_blocks(layer)
