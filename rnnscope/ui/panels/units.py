"""UnitsPanel: the Units page's one panel (rnnscope.ui.render.units), its selection and sort kept by the page."""

from __future__ import annotations

from rnnscope.contracts.frames import Frame
from rnnscope.ui.panels.base import FramePanel, part_version
from rnnscope.ui.render.accents import Accents
from rnnscope.ui.render.lines import Line, seg
from rnnscope.ui.render.similar import similar_spans
from rnnscope.ui.render.units import BEST, ranked, render_units
from rnnscope.ui.render.units_similar import similar_lines
from rnnscope.ui.view_state import ViewState

NOT_YET = "no units analysis yet: the engine analyses the units within 1% of the training time (and once at start)"


class UnitsPanel(FramePanel):
    """The ranked units and the selected unit's strip; `selected` is a rank, `sort` BEST or a feature's index;
    `marked` units (indices into the frame's units) and, while `similar` is on, the spans where they (or the
    selected unit) are jointly above `threshold` (rnnscope.ui.render.similar: a few thousand numbers, drawn at once)."""

    title = "units · what each unit means"
    needs_probe = False

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.selected, self.sort = 0, BEST
        self.marked: frozenset[int] = frozenset()
        self.similar, self.threshold = False, 0.5
        self.run = ""  # which run, on the compare screen

    def inputs(self, frame: Frame, view: ViewState) -> tuple:
        looks = (part_version(frame, "probe"), view.cursor_t, self.threshold) if self.similar else ()
        return (part_version(frame, "units"), self.selected, self.sort, self.marked, self.similar, self.run, *looks)

    def measured_at(self, frame: Frame) -> int | None:
        return None if frame.units is None else frame.units.step

    def build(self, frame: Frame, view: ViewState, width: int, height: int, color_system: str | None,
              accents: Accents) -> list[Line]:
        if frame.units is None:
            run = f"{self.run}: " if self.run else ""
            return [[seg(run[:width], accents.label), seg(NOT_YET[: max(0, width - len(run))], accents.waiting)]]
        similar = None
        if self.similar:
            units = self.query_units(frame.units)
            found = similar_spans(frame.units, units, self.threshold, frame.probe, view.cursor_t)
            similar = similar_lines(frame.units, units, self.threshold, found, height, accents)
        return render_units(frame.units, self.selected, self.sort, width, height, color_system, accents,
                            self.marked, similar, self.run)

    def selected_unit(self, units) -> int:
        """The selected unit (an index into the frame's units)."""
        order = ranked(units, self.sort)
        return int(order[max(0, min(self.selected, len(order) - 1))])

    def query_units(self, units) -> list[int]:
        """The units find-similar looks for: the marked ones (those still in the frame; the selected one first, its
        strongest context the query when the probe gives none), else the selected one."""
        selected = self.selected_unit(units)
        marked = sorted(unit for unit in self.marked if unit < len(units.kind))
        return sorted(marked, key=lambda unit: unit != selected) or [selected]
