"""ProbeTextPanel: the probe coloured by the selected unit and the top next-character guesses."""

from __future__ import annotations

from rnnscope.contracts.frames import Frame
from rnnscope.ui.panels.base import FramePanel
from rnnscope.ui.panels.heatmap_panel import selected_layer
from rnnscope.ui.render.accents import Accents
from rnnscope.ui.render.lines import Line
from rnnscope.ui.render.probe_text import render_probe_text
from rnnscope.ui.view_state import ViewState


class ProbeTextPanel(FramePanel):
    """Karpathy-style text colouring by h_t of the selected unit, the cursor, and what comes next."""

    title = "probe text"

    def build(self, frame: Frame, view: ViewState, width: int, height: int, color_system: str | None,
              accents: Accents) -> list[Line]:
        _, layer = selected_layer(frame, view)
        return render_probe_text(frame.probe, layer.hidden, frame.vocab, view.unit, view.cursor_t, width, height,
                                 color_system, accents)
