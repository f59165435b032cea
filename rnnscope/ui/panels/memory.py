"""MemoryPanel: what the model remembers, beside the gradient flow (accuracy by distance or the context curve)."""

from __future__ import annotations

from rnnscope.contracts.frames import Frame
from rnnscope.contracts.states import REPLAY
from rnnscope.ui.panels.base import FramePanel, part_version
from rnnscope.ui.render.accents import Accents
from rnnscope.ui.render.lines import NOT_MEASURED_WATCHED, Line
from rnnscope.ui.render.memory import NOT_RECORDED, WAITING_MEMORY, render_memory
from rnnscope.ui.view_state import ViewState


class MemoryPanel(FramePanel):
    """Bars of answer accuracy per distance with the chance level, or of the loss per context length k."""

    title = "memory"
    needs_probe = False
    watched_note = NOT_MEASURED_WATCHED

    def inputs(self, frame: Frame, view: ViewState) -> tuple:
        return (part_version(frame, "memory"), frame.status.state, frame.status.review)

    def measured_at(self, frame: Frame) -> int | None:
        return None if frame.memory is None else frame.memory.step

    def build(self, frame: Frame, view: ViewState, width: int, height: int, color_system: str | None,
              accents: Accents) -> list[Line]:
        recorded = frame.status.state.startswith(REPLAY) or bool(frame.status.review)  # a finished run's frame
        return render_memory(frame.memory, width, height, accents, NOT_RECORDED if recorded else WAITING_MEMORY)
