"""GradNormsPanel: the last training step's per-parameter gradient norms, pre/post clipping."""

from __future__ import annotations

from rnnscope.contracts.frames import Frame
from rnnscope.ui.panels.base import FramePanel, part_version, waiting_for_step
from rnnscope.ui.render.accents import Accents
from rnnscope.ui.render.grad_norms import WAITING_STEP, render_grad_norms
from rnnscope.ui.render.lines import Line
from rnnscope.ui.view_state import ViewState


class GradNormsPanel(FramePanel):
    """Log-scale bars per parameter with the clipping threshold marked and whether clipping fired."""

    title = "gradient norms"
    needs_probe = False

    def inputs(self, frame: Frame, view: ViewState) -> tuple:
        return (part_version(frame, "last_step"), frame.status.config.clip, frame.status.state, frame.status.review)

    def build(self, frame: Frame, view: ViewState, width: int, height: int, color_system: str | None,
              accents: Accents) -> list[Line]:
        return render_grad_norms(frame.last_step, frame.status.config.clip, width, height, accents,
                                 waiting_for_step(frame, WAITING_STEP))
