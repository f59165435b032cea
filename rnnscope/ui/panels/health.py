"""HealthPanel: sigma_max of the recurrent weights and how saturated the sigmoid gates are."""

from __future__ import annotations

from rnnscope.contracts.frames import Frame
from rnnscope.ui.panels.base import FramePanel, part_version
from rnnscope.ui.panels.heatmap_panel import selected_layer
from rnnscope.ui.render.accents import Accents
from rnnscope.ui.render.health import render_health, slope_lines
from rnnscope.ui.render.lines import Line
from rnnscope.ui.view_state import ViewState


class HealthPanel(FramePanel):
    """Pascanu et al.'s bound (sigma_max per gate block) and Karpathy et al.'s gate saturation."""

    title = "sigma_max & saturation"

    def inputs(self, frame: Frame, view: ViewState) -> tuple:
        return (part_version(frame, "probe"), view.layer, frame.status.config.model)

    def build(self, frame: Frame, view: ViewState, width: int, height: int, color_system: str | None,
              accents: Accents) -> list[Line]:
        _, layer = selected_layer(frame, view)
        vanilla = None
        if not layer.gate_names:
            relu = frame.status.config.model == "rnn-relu"
            vanilla = slope_lines(layer.hidden, layer.pre_activation, relu, accents)
        return render_health(layer.metrics, width, height, accents, vanilla)
