"""What the user is looking at (time cursor, unit, layer, ordering): a frozen value the shell owns."""

from __future__ import annotations

from dataclasses import dataclass, replace

UNIT_ORDERS = ("index", "active")  # units in index order / most active (mean |h|) first
UNIT_PAGE = 16  # units one PageUp/PageDown scrolls


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

    def move_cursor(self, delta: int, T: int) -> ViewState:
        """Move the time cursor by delta, staying inside 0 .. T-1."""
        return replace(self, cursor_t=_clamp(self.cursor_t + delta, 0, max(T - 1, 0)))

    def move_unit(self, delta: int, H: int, page: int = UNIT_PAGE) -> ViewState:
        """Select the next/previous unit; scroll so it stays within the `page` rows shown."""
        unit = _clamp(self.unit + delta, 0, max(H - 1, 0))
        offset = self.unit_offset
        if self.unit_order == "index":
            offset = _clamp(offset, unit - page + 1, unit)
        return replace(self, unit=unit, unit_offset=_clamp(offset, 0, max(H - 1, 0)))

    def scroll_units(self, pages: int, H: int, page: int = UNIT_PAGE) -> ViewState:
        """Scroll the unit rows by whole pages (PageUp = -1, PageDown = +1)."""
        offset = _clamp(self.unit_offset + pages * page, 0, max(H - page, 0))
        return replace(self, unit_offset=offset)

    def toggle_unit_order(self) -> ViewState:
        """Index order <-> most active first; back to the top of the list."""
        order = UNIT_ORDERS[(UNIT_ORDERS.index(self.unit_order) + 1) % len(UNIT_ORDERS)]
        return replace(self, unit_order=order, unit_offset=0)

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
