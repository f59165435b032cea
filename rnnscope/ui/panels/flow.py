"""FlowPanel: how the gradient of the last position's loss flows back through time (log scale)."""

from __future__ import annotations

from rnnscope.contracts.frames import Frame
from rnnscope.ui.panels.base import FramePanel, part_version
from rnnscope.ui.panels.heatmap_panel import selected_layer
from rnnscope.ui.render.accents import Accents
from rnnscope.ui.render.flow import render_flow
from rnnscope.ui.render.lines import Line
from rnnscope.ui.render.memory import used_context
from rnnscope.ui.view_state import ViewState


class FlowPanel(FramePanel):
    """Bars and colour strips of ||dl_T/dh_t||, decay per step, memory horizon and the verdict."""

    title = "gradient flow"

    def build(self, frame: Frame, view: ViewState, width: int, height: int, color_system: str | None,
              accents: Accents) -> list[Line]:
        index, layer = selected_layer(frame, view)
        backward = bool(frame.probe.layer_names) and frame.probe.layer_names[index].endswith(" bwd")
        memory = frame.memory
        trained = memory is not None and memory.task is None and memory.step > 0  # a text's, of trained weights
        context = used_context(memory) if trained else None
        return render_flow(layer, frame.probe.text, view.cursor_t, width, height, color_system, accents, context,
                           backward)

    def inputs(self, frame: Frame, view: ViewState) -> tuple:
        return (*super().inputs(frame, view), part_version(frame, "memory"))
