"""ConnectivityPanel: how much each target's loss depends on each earlier input (the probe's connectivity map)."""

from __future__ import annotations

from rnnscope.contracts.frames import Frame
from rnnscope.ui.panels.base import FramePanel, watched
from rnnscope.ui.render.accents import Accents
from rnnscope.ui.render.connectivity import render_connectivity
from rnnscope.ui.render.lines import Line
from rnnscope.ui.view_state import ViewState


class ConnectivityPanel(FramePanel):
    """The triangle ||dl_t/de_s|| (target t down, input s across, log scale), the cursor's target row marked."""

    title = "connectivity"

    def build(self, frame: Frame, view: ViewState, width: int, height: int, color_system: str | None,
              accents: Accents) -> list[Line]:
        return render_connectivity(frame.probe.connectivity, frame.probe.text, view.cursor_t, width, height,
                                   color_system, accents, predicted=not watched(frame))
