"""HeatmapPanel: the shared widget for stacked units x time heatmaps (gates, states)."""

from __future__ import annotations

from rnnscope.contracts.frames import Frame, LayerProbe, ProbeReading
from rnnscope.ui.panels.base import FramePanel
from rnnscope.ui.render.accents import Accents
from rnnscope.ui.render.heat_blocks import HeatBlock, heat_layout, render_heat_blocks
from rnnscope.ui.render.lines import Line
from rnnscope.ui.render.palette import palette_for
from rnnscope.ui.view_state import ViewState


def selected_layer(frame: Frame, view: ViewState) -> tuple[int, LayerProbe]:
    """The layer the view selects (clamped to the layers the probe has) and its probe."""
    layers = frame.probe.layers
    index = max(0, min(view.layer, len(layers) - 1))
    return index, layers[index]


def layer_title(probe: ProbeReading, index: int) -> str:
    """'layer 2/4', or with the rows' names a watched module's writer gave: 'L0 bwd (2/4)'."""
    count = len(probe.layers)
    return f"{probe.layer_names[index]} ({index + 1}/{count})" if probe.layer_names else f"layer {index + 1}/{count}"


class HeatmapPanel(FramePanel):
    """Stacks the heatmaps `blocks()` names; subclasses only say which arrays and scales."""

    def blocks(self, layer: LayerProbe) -> list[HeatBlock]:
        raise NotImplementedError

    def page_units(self) -> int | None:
        """Units each heatmap shows at the panel's size now (a page for PageUp / PageDown); None while hidden."""
        width, height = self.size
        if self.frame is None or self.frame.probe is None or not self.display or height == 0:
            return None
        _, layer = selected_layer(self.frame, self.view)
        blocks = self.blocks(layer)
        T, H = layer.hidden.shape
        per_line = palette_for(blocks[0].kind, self.color_system).rows_per_line
        layout = heat_layout(len(blocks), T, H, self.view.cursor_t, width, height, per_line, self.view.unit_order)
        return min(layout.units, H)

    def build(self, frame: Frame, view: ViewState, width: int, height: int, color_system: str | None,
              accents: Accents) -> list[Line]:
        index, layer = selected_layer(frame, view)
        title = f"{layer_title(frame.probe, index)} · " if len(frame.probe.layers) > 1 else ""
        return render_heat_blocks(
            self.blocks(layer), frame.probe.text, layer.hidden, view, width, height, color_system, accents, title
        )
