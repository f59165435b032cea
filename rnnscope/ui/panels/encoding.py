"""EncodingPanel: the character at the cursor as index, one-hot and embedding, and its nearest neighbours (a watched
model's: its input vector)."""

from __future__ import annotations

from rnnscope.contracts.frames import Frame
from rnnscope.ui.panels.base import FramePanel, part_version, watched
from rnnscope.ui.render.accents import Accents
from rnnscope.ui.render.encoding import render_encoding, render_inputs
from rnnscope.ui.render.lines import NOT_WATCHED, Line
from rnnscope.ui.view_state import ViewState


class EncodingPanel(FramePanel):
    """character -> one-hot -> embedding, for the character under the time cursor."""

    title = "encoding"
    watched_note = NOT_WATCHED

    def inputs(self, frame: Frame, view: ViewState) -> tuple:
        return (part_version(frame, "probe"), part_version(frame, "vocab"), view.cursor_t)

    def lacks(self, frame: Frame) -> bool:
        """A watched model's frame shows its inputs (recorded since Scope re-embeds its probe); older ones had none."""
        return watched(frame) and not frame.probe.embedding.size

    def build(self, frame: Frame, view: ViewState, width: int, height: int, color_system: str | None,
              accents: Accents) -> list[Line]:
        if watched(frame):
            return render_inputs(frame.probe, view.cursor_t, width, color_system, accents)
        return render_encoding(frame.probe, frame.vocab, view.cursor_t, width, color_system, accents)
