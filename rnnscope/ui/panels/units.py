"""UnitsPanel: the Units page's one panel (rnnscope.ui.render.units), its selection and sort kept by the page."""

from __future__ import annotations

from rnnscope.contracts.frames import Frame
from rnnscope.ui.panels.base import FramePanel, part_version
from rnnscope.ui.render.accents import Accents
from rnnscope.ui.render.lines import Line, seg
from rnnscope.ui.render.units import BEST, render_units
from rnnscope.ui.view_state import ViewState

NOT_YET = "no units analysis yet: the engine analyses the units within 1% of the training time (and once at start)"


class UnitsPanel(FramePanel):
    """The ranked units and the selected unit's strip; `selected` is a rank, `sort` BEST or a feature's index."""

    title = "units · what each unit means"
    needs_probe = False

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.selected, self.sort = 0, BEST

    def inputs(self, frame: Frame, view: ViewState) -> tuple:
        return (part_version(frame, "units"), self.selected, self.sort)

    def measured_at(self, frame: Frame) -> int | None:
        return None if frame.units is None else frame.units.step

    def build(self, frame: Frame, view: ViewState, width: int, height: int, color_system: str | None,
              accents: Accents) -> list[Line]:
        if frame.units is None:
            return [[seg(NOT_YET[:width], accents.waiting)]]
        return render_units(frame.units, self.selected, self.sort, width, height, color_system, accents)
