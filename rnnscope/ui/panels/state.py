"""StatePanel: cell state c_t (LSTM) and hidden state h_t, units x time, diverging around 0."""

from __future__ import annotations

from rnnscope.contracts.frames import LayerProbe
from rnnscope.ui.panels.heatmap_panel import HeatmapPanel
from rnnscope.ui.render.heat_blocks import HeatBlock
from rnnscope.ui.render.palette import DIVERGING


def state_blocks(layer: LayerProbe) -> list[HeatBlock]:
    """c_t (when the cell has one) and h_t, each on a scale symmetric about 0."""
    blocks = [HeatBlock("cell c_t", layer.cell, DIVERGING)] if layer.cell is not None else []
    return blocks + [HeatBlock("hidden h_t", layer.hidden, DIVERGING)]


class StatePanel(HeatmapPanel):
    """Cell and hidden state heatmaps sharing the gates panel's unit and time windows."""

    title = "cell & hidden state"

    def shown_title(self, frame) -> str:
        """A cell without a cell state (GRU, vanilla RNN) shows its hidden state only."""
        layers = frame.probe.layers if frame is not None and frame.probe is not None else ()
        return "hidden state" if layers and layers[0].cell is None else self.title

    def blocks(self, layer: LayerProbe) -> list[HeatBlock]:
        return state_blocks(layer)
