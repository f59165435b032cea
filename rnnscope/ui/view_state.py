"""What the user is looking at (time cursor, unit, layer, ordering): a frozen value the shell owns."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

UNIT_ORDERS = ("index", "active")  # units in index order / most active (mean |h|) first
UNIT_PAGE = 16  # units one PageUp/PageDown scrolls when no heatmap is on screen to say how many it shows


def _clamp(value: int, low: int, high: int) -> int:
    return max(low, min(value, high))


@dataclass(frozen=True)
class ViewState:
    """The shell's view of the frame; panels read it and never change it."""

    cursor_t: int = 0  # time cursor: position in the probe (0 .. T-1)
    unit: int = 0  # selected unit (an index into H, whatever the ordering)
    unit_offset: int = 0  # first unit row shown (a position in the current ordering)
    layer: int = 0  # selected recurrent layer
    unit_order: str = "index"  # one of UNIT_ORDERS
    ranking: tuple[tuple[int, ...], ...] = ()  # per layer, the units most active first, as ranked when u was pressed

    def move_cursor(self, delta: int, T: int) -> ViewState:
        """Move the time cursor by delta, staying inside 0 .. T-1."""
        return replace(self, cursor_t=_clamp(self.cursor_t + delta, 0, max(T - 1, 0)))

    def move_unit(self, delta: int, H: int, page: int | None = None, order: Sequence[int] | None = None) -> ViewState:
        """Select the unit `delta` rows down (up when negative) in the shown `order` (index order when None), and
        scroll so that it stays within the `page` units shown."""
        page = page or UNIT_PAGE
        order = list(order) if order is not None and len(order) == H else list(range(H))
        if not order:
            return self
        position = _clamp(order.index(_clamp(self.unit, 0, H - 1)) + delta, 0, H - 1)
        offset = _clamp(self.unit_offset, position - page + 1, position)
        return replace(self, unit=int(order[position]), unit_offset=_clamp(offset, 0, max(H - page, 0)))

    def scroll_units(self, pages: int, H: int, page: int | None = None) -> ViewState:
        """Scroll the unit rows by whole pages of the `page` units shown (PageUp = -1, PageDown = +1)."""
        page = page or UNIT_PAGE
        offset = _clamp(self.unit_offset + pages * page, 0, max(H - page, 0))
        return replace(self, unit_offset=offset)

    def toggle_unit_order(self, ranking: Sequence[Sequence[int]] = ()) -> ViewState:
        """Index order <-> most active first (`ranking`: per layer, the units by activity on the latest probe, kept
        until the next toggle: the rows do not move at every probe). Into the ranking: at its top, the most active
        unit selected; back to index order: the selected unit kept."""
        order = UNIT_ORDERS[(UNIT_ORDERS.index(self.unit_order) + 1) % len(UNIT_ORDERS)]
        if order != "active":
            return replace(self, unit_order=order, unit_offset=0, ranking=())
        ranking = tuple(tuple(int(unit) for unit in units) for units in ranking)
        layer = ranking[self.layer] if self.layer < len(ranking) else ()
        return replace(self, unit_order=order, unit_offset=0, ranking=ranking, unit=layer[0] if layer else self.unit)

    def layer_ranking(self) -> tuple[int, ...] | None:
        """The selected layer's kept ranking (None in index order or without one)."""
        if self.unit_order != "active" or self.layer >= len(self.ranking):
            return None
        return self.ranking[self.layer]

    def next_layer(self, layers: int) -> ViewState:
        """Cycle through the recurrent layers."""
        return replace(self, layer=(self.layer + 1) % max(layers, 1))

    def clamp(self, T: int, H: int, layers: int) -> ViewState:
        """Fit the view to a frame of T steps, H units and `layers` layers (after a model change)."""
        return replace(
            self,
            cursor_t=_clamp(self.cursor_t, 0, max(T - 1, 0)),
            unit=_clamp(self.unit, 0, max(H - 1, 0)),
            unit_offset=_clamp(self.unit_offset, 0, max(H - 1, 0)),
            layer=_clamp(self.layer, 0, max(layers - 1, 0)),
        )
