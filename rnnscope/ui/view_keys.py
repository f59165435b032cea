"""The dashboard's view keys: the time cursor, the unit and its page, the layer, the unit order, zoom and pages, and
reviewing the recorded frames (`,` `.` End). A part of RnnscopeApp (rnnscope.ui.app), kept in its own file."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from rnnscope.ui.view_state import ViewState

if TYPE_CHECKING:
    from rnnscope.contracts.frames import Frame


class ViewKeys:
    """RnnscopeApp's view actions (they use its frames, view, dashboard and review)."""

    def review_frames(self) -> dict[str, Frame | None]:
        """The runs whose recorded frames `,` and `.` move through, the leading one first."""
        return dict(self.frames)

    def action_review(self, delta: int) -> None:
        """`,` / `.`: one recorded frame back / forward; an unreadable timeline is a notice, nothing changes."""
        from rnnscope.storage.timeline import TimelineError
        from rnnscope.ui.review import Review

        frames = self.review_frames()
        lead = next(iter(frames.values()), None)
        if lead is None or lead.probe is None:  # an attached dashboard waiting for the writer's first frame
            self.notify("review: nothing is recorded yet (the first frame has not arrived)", severity="warning")
            return
        self.review = self.review or Review()
        try:
            self.review.move(frames, delta)
        except TimelineError as error:
            self.notify(f"review: {error}", severity="warning")
        self._repaint()

    def action_live(self) -> None:
        """End: back to the live picture."""
        if self.review is not None:
            self.review.live()
            self._repaint()

    def _change_view(self, change) -> None:
        """Change the view with a ViewState method that needs the frame's sizes; nothing to move before a probe arrives."""
        sizes = self.view_sizes()
        if sizes is None:
            return
        self.view = change(self.view, *sizes)
        self._repaint()

    def view_sizes(self) -> tuple[int, int, int] | None:
        """(T, H, layers) the view moves within; None before a probe arrives."""
        if self.latest is None or self.latest.probe is None:
            return None
        return frame_sizes(self.latest)

    def action_move_cursor(self, delta: int) -> None:
        self._change_view(lambda view, T, H, layers: view.move_cursor(delta, T))

    def action_move_unit(self, delta: int) -> None:
        page, order = self.dashboard.unit_page(), self.shown_unit_order()
        self._change_view(lambda view, T, H, layers: view.move_unit(delta, H, page, order))

    def action_scroll_units(self, pages: int) -> None:
        page = self.dashboard.unit_page()
        self._change_view(lambda view, T, H, layers: view.scroll_units(pages, H, page))

    def shown_unit_order(self) -> list[int] | None:
        """The units in the order the heatmaps show them (by index, or most active first); None before a probe."""
        return unit_order_of(self.latest, self.view)

    def action_next_layer(self) -> None:
        sizes = self.view_sizes()
        if sizes is not None and sizes[2] == 1:
            self.notify("l shows the next layer: this model has one (train with --layers 2 or 3 for more)")
            return
        self._change_view(lambda view, T, H, layers: view.next_layer(layers))

    def action_toggle_unit_order(self) -> None:
        """Index order <-> most active first (ranked on the probe shown now, kept until u is pressed again: from
        the top, the most active unit selected), scrolled so that the selected unit stays on screen."""
        self.view = self.view.toggle_unit_order(activity_ranking(self.units_frame()))
        self.action_move_unit(0)
        self._repaint()

    def action_units_page(self) -> None:
        """U: the Units page (what each unit means), over the dashboard."""
        from rnnscope.ui.units_screen import UnitsScreen

        self.push_screen(UnitsScreen(self.units_frame(), self.view))

    def units_frame(self) -> Frame | None:
        """The frame the Units page shows: the run's, or the one under review (a compare: the selected run's)."""
        return self.latest if self.review is None else self.review.overlay(self.latest)

    def units_run(self) -> str:
        """Which run the Units page shows, for its title: '' with one run (a compare: 'run A' / 'run B')."""
        return ""

    def select_unit(self, layer: int, unit: int) -> None:
        """Move the heatmaps' layer and unit cursor to `unit` of `layer` (scrolled into view)."""
        sizes = self.view_sizes()
        if sizes is None or layer >= sizes[2] or unit >= sizes[1]:
            return
        self.view = replace(self.view, layer=layer, unit=unit)
        self.action_move_unit(0)
        self._repaint()

    def action_zoom(self) -> None:
        self.dashboard.toggle_zoom()

    def action_page(self, index: int) -> None:
        self.dashboard.select_page(index)


def frame_sizes(frame: Frame) -> tuple[int, int, int]:
    """(T, H, layers) of the frame's probe; zeros before the first probe."""
    if frame.probe is None or not frame.probe.layers:
        return 0, 0, 0
    layer = frame.probe.layers[0]
    return layer.hidden.shape[0], layer.hidden.shape[1], len(frame.probe.layers)


def unit_order_of(frame: Frame | None, view: ViewState) -> list[int] | None:
    """The selected layer's units in the view's order (rnnscope.ui.render.window.unit_order)."""
    if frame is None or frame.probe is None or not frame.probe.layers:
        return None
    from rnnscope.ui.panels.heatmap_panel import selected_layer
    from rnnscope.ui.render.window import unit_order

    return unit_order(selected_layer(frame, view)[1].hidden, view.unit_order, view.layer_ranking()).tolist()


def activity_ranking(frame: Frame | None) -> list[list[int]]:
    """Per layer of the frame's probe, its units most active first (none before a probe)."""
    if frame is None or frame.probe is None:
        return []
    from rnnscope.ui.render.window import unit_order

    return [unit_order(layer.hidden, "active").tolist() for layer in frame.probe.layers]
