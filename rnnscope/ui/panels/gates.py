"""GatesPanel: gate activations (LSTM i/f/g/o, GRU r/z/n) or a vanilla RNN's pre-activation, units x time."""

from __future__ import annotations

from rnnscope.contracts.config import TANH_GATES
from rnnscope.contracts.frames import LayerProbe
from rnnscope.ui.panels.heatmap_panel import HeatmapPanel
from rnnscope.ui.render.heat_blocks import HeatBlock
from rnnscope.ui.render.palette import DIVERGING, SEQUENTIAL

# How each gate is labelled on screen (the lecture's words); tanh (signed) outputs are config.TANH_GATES.
GATE_LABELS = {"input": "input (store)", "forget": "forget", "cell": "cell g (update)", "output": "output",
               "reset": "reset", "update": "update", "new": "new (candidate)"}


def gate_blocks(layer: LayerProbe) -> list[HeatBlock]:
    """One heatmap per gate; sigmoid gates on a fixed [0, 1] sequential scale, tanh ones diverging."""
    if not layer.gate_names:
        return [HeatBlock("pre-activation", layer.pre_activation, DIVERGING)]
    return [
        HeatBlock(GATE_LABELS.get(name, name), layer.gates[g], DIVERGING, (-1.0, 1.0))
        if name in TANH_GATES
        else HeatBlock(GATE_LABELS.get(name, name), layer.gates[g], SEQUENTIAL, (0.0, 1.0))
        for g, name in enumerate(layer.gate_names)
    ]


class GatesPanel(HeatmapPanel):
    """Gate heatmaps with a colour legend per gate and the probe's characters on the time axis."""

    title = "gates"

    def blocks(self, layer: LayerProbe) -> list[HeatBlock]:
        return gate_blocks(layer)
