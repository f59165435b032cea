"""EncodingPanel: the character at the cursor as index, one-hot and embedding, and its nearest neighbours."""

from __future__ import annotations

from rnnscope.contracts.frames import Frame
from rnnscope.ui.panels.base import FramePanel, part_version
from rnnscope.ui.render.accents import Accents
from rnnscope.ui.render.encoding import render_encoding
from rnnscope.ui.render.lines import NOT_WATCHED, Line
from rnnscope.ui.view_state import ViewState


class EncodingPanel(FramePanel):
    """character -> one-hot -> embedding, for the character under the time cursor."""

    title = "encoding"
    watched_note = NOT_WATCHED

    def inputs(self, frame: Frame, view: ViewState) -> tuple:
        return (part_version(frame, "probe"), part_version(frame, "vocab"), view.cursor_t)

    def build(self, frame: Frame, view: ViewState, width: int, height: int, color_system: str | None,
              accents: Accents) -> list[Line]:
        return render_encoding(frame.probe, frame.vocab, view.cursor_t, width, color_system, accents)
