"""The Units page (PRODUCT.md section 13): over the dashboard, the ranked units of the latest frame, updated live;
enter moves the heatmaps' unit cursor and layer to the selected unit; x marks units and / finds the spans where they
are jointly above the threshold (t T)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer

from rnnscope.contracts.frames import Frame
from rnnscope.contracts.units import UnitsReading
from rnnscope.ui.panels.units import UnitsPanel
from rnnscope.ui.render.units import BEST
from rnnscope.ui.view_state import ViewState

PAGE = 10  # ranks PageUp / PageDown move


class UnitsScreen(Screen[None]):
    """One UnitsPanel; the app passes it every new frame (show_frame)."""

    BINDINGS = [
        Binding("escape,U,q", "dismiss", "back", key_display="esc"),
        Binding("up", "select(-1)", "unit", key_display="↑↓"),
        Binding("down", "select(1)", "unit", show=False),
        Binding("pageup", f"select({-PAGE})", "page", show=False),
        Binding("pagedown", f"select({PAGE})", "page", show=False),
        Binding("f", "sort(1)", "sort by feature", key_display="f F"),
        Binding("F", "sort(-1)", "sort back", show=False),
        Binding("enter", "show_in_heatmaps", "show in heatmaps", key_display="⏎"),
        Binding("x", "mark", "mark for similar"),
        Binding("slash", "similar", "find similar", key_display="/"),
        Binding("t", "threshold(-0.1)", "threshold", key_display="t T"),
        Binding("T", "threshold(0.1)", "threshold", show=False),
    ]

    def __init__(self, frame: Frame | None, view: ViewState) -> None:
        super().__init__()
        self.frame, self.view = frame, view
        self.panel = UnitsPanel(id="units-panel")

    def compose(self) -> ComposeResult:
        yield self.panel
        yield Footer()

    def on_mount(self) -> None:
        self._redraw()

    def show_frame(self, frame: Frame | None, view: ViewState) -> None:
        """The app's newest frame (live, reviewed or replayed; on the compare screen the selected run's)."""
        self.frame, self.view = frame, view
        self._redraw()

    @property
    def shown_units(self) -> UnitsReading | None:
        """The shown frame's units analysis, or None."""
        return self.frame.units if self.frame is not None else None

    def _redraw(self) -> None:
        if self.frame is not None:
            self.panel.run = self.app.units_run()
            self.panel.show(self.frame, self.view)

    def action_select(self, delta: int) -> None:
        units = self.shown_units
        if units is not None:
            self.panel.selected = max(0, min(self.panel.selected + delta, len(units.kind) - 1))
            self._redraw()

    def action_sort(self, delta: int) -> None:
        """Cycle: each unit's best feature, then every feature in turn (f forward, F back); back to the top."""
        units = self.shown_units
        if units is None:
            return
        keys = [BEST, *range(len(units.features))]
        self.panel.sort = keys[(keys.index(self.panel.sort) + delta) % len(keys)] if self.panel.sort in keys else BEST
        self.panel.selected = 0
        self._redraw()

    def action_show_in_heatmaps(self) -> None:
        """The heatmaps' unit cursor and layer go to the selected unit; back to the dashboard."""
        units = self.shown_units
        if units is None:
            return
        unit = self.panel.selected_unit(units)
        self.app.select_unit(int(units.layer[unit]), int(units.index[unit]))
        self.dismiss()

    def action_mark(self) -> None:
        """Mark / unmark the selected unit for find-similar."""
        units = self.shown_units
        if units is not None:
            unit = self.panel.selected_unit(units)
            self.panel.marked = self.panel.marked ^ {unit}
            self._redraw()

    def action_similar(self) -> None:
        """Find similar on / off: the spans where the marked (or selected) units are jointly above the threshold."""
        self.panel.similar = not self.panel.similar
        self._redraw()

    def action_threshold(self, delta: float) -> None:
        self.panel.threshold = round(max(0.1, min(self.panel.threshold + delta, 0.9)), 1)
        self._redraw()
