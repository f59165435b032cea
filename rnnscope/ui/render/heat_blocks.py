"""Stacked heatmaps (units x time) sharing one unit window and one time axis: the gates and state panels."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnscope.ui.render.accents import Accents
from rnnscope.ui.render.heatmap import colour_bar, heatmap_rows, value_range
from rnnscope.ui.render.lines import Line, fit, line_width, seg, si
from rnnscope.ui.render.palette import palette_for
from rnnscope.ui.render.window import steps_label, time_axis, time_window, unit_order, unit_window, units_label
from rnnscope.ui.view_state import ViewState

LEGEND_WIDTH = 10  # cells of colour bar in each block's header
SIDE_LEGEND = 22  # spare columns right of the heatmaps from which the names and scales go there (no header lines)


@dataclass(frozen=True, eq=False)
class HeatBlock:
    """One heatmap: a named [T, H] array and the kind of colour scale it needs."""

    name: str
    values: np.ndarray  # [T, H]
    kind: str  # SEQUENTIAL / DIVERGING
    fixed_range: tuple[float, float] | None = None  # e.g. (0, 1) for sigmoid gates; None = from the data


def block_header(block: HeatBlock, lo: float, hi: float, legend: Line, accents: Accents, width: int = 200) -> Line:
    """'forget ▮▮▮▮ 0…1  data 0.02…0.99': name, colour scale and value range (the data range left out when the
    line would not fit `width`)."""
    line = [seg(f"{block.name} ", accents.label), *legend, seg(f" {si(lo)}…{si(hi)}")]
    data = seg(f"  {data_range(block.values)}", accents.dim)
    return line + [data] if line_width(line) + len(data.text) <= width else fit(line, width)


def data_range(values: np.ndarray) -> str:
    """'data 0.02…0.99': the finite values' range ('data nan' when none is finite)."""
    finite = values if np.isfinite(values).all() else values[np.isfinite(values)]
    return f"data {si(float(finite.min()))}…{si(float(finite.max()))}" if finite.size else "data nan"


@dataclass(frozen=True)
class HeatLayout:
    """Where the stacked heatmaps go in a panel of a given size."""

    gutter: int  # cells of unit labels (and the selection mark) left of the rows
    start: int  # the time steps shown: [start, stop)
    stop: int
    beside: bool  # each block's name and scale to the right of its rows (a wide panel) instead of a header line
    lines_each: int  # terminal lines per block
    per_line: int  # units per line: 2 with half blocks
    both_labels: bool  # each line's two units are not neighbours (most active first): both are labelled

    @property
    def units(self) -> int:
        """Units each block shows (PageUp / PageDown scroll by this many)."""
        return self.lines_each * self.per_line


def heat_layout(blocks: int, T: int, H: int, cursor: int, width: int, height: int, per_line: int,
                order_name: str) -> HeatLayout:
    """The layout of `blocks` heatmaps of [T, H] in width x height cells (a title line and a time axis included)."""
    digits = len(str(max(H - 1, 0)))
    both = order_name == "active" and per_line == 2  # each line's two units are not neighbours: label both
    gutter = 2 * digits + 2 if both else digits + 1
    start, stop = time_window(T, cursor, max(width - gutter, 1))
    beside = width - gutter - (stop - start) - 1 >= SIDE_LEGEND
    header_lines = 0 if beside else blocks
    lines_each = max((height - 2 - header_lines) // max(blocks, 1), 1)
    return HeatLayout(gutter, start, stop, beside, lines_each, per_line, both)


def row_labels(units: list[int], layout: HeatLayout, selected: int, accents: Accents) -> list[Line]:
    """The gutter of each heatmap line: its first unit's index (both units', '12/7', when they are not neighbours),
    '▸' on the line holding the selected unit."""
    out: list[Line] = []
    for i in range(0, len(units), layout.per_line):
        pair = units[i : i + layout.per_line]
        here = selected in pair
        label = "/".join(map(str, pair)) if layout.both_labels else str(pair[0])
        out.append([seg(f"{label:>{layout.gutter - 1}}", accents.cursor if here else accents.dim),
                    seg("▸" if here else " ")])
    return out


def side_legend(block: HeatBlock, lo: float, hi: float, legend: Line, lines: int, width: int,
                accents: Accents) -> list[Line]:
    """A block's name, colour scale and data range on up to `lines` lines of `width` cells beside its rows."""
    name, scale = [seg(block.name, accents.label)], [*legend, seg(f" {si(lo)}…{si(hi)}")]
    parts = [name, scale, [seg(data_range(block.values), accents.dim)]] if lines >= 3 else (
        [name, scale] if lines == 2 else [name + [seg(" ")] + scale])
    return [fit(line, width) for line in parts]


def render_heat_blocks(
    blocks: list[HeatBlock], text: str, hidden: np.ndarray, view: ViewState, width: int, height: int,
    color_system: str | None, accents: Accents, title: str = "",
) -> list[Line]:
    """Lines for `blocks` stacked vertically in width x height cells (hidden [T, H] orders the units)."""
    T, H = hidden.shape
    palettes = [palette_for(block.kind, color_system) for block in blocks]
    per_line = palettes[0].rows_per_line if palettes else 2
    layout = heat_layout(len(blocks), T, H, view.cursor_t, width, height, per_line, view.unit_order)
    start, stop = layout.start, layout.stop
    shown, offset = unit_window(unit_order(hidden, view.unit_order, view.layer_ranking()), view.unit_offset, min(layout.units, H))
    units = units_label(view.unit_order, offset, len(shown), H)
    steps = steps_label(start, stop, T, width - len(title) - len(units))
    out: list[Line] = [[seg(title, accents.label), seg(units), seg(steps, accents.dim)]]
    prefixes = row_labels(shown.tolist(), layout, view.unit, accents)
    legend_width = width - layout.gutter - (stop - start) - 1
    for block, palette in zip(blocks, palettes):
        lo, hi = block.fixed_range or value_range(block.values, block.kind)
        bar = colour_bar(palette, LEGEND_WIDTH)
        rows = [prefix + cells for prefix, cells in zip(prefixes, heatmap_rows(block.values[start:stop][:, shown].T,
                                                                               lo, hi, palette))]
        if layout.beside:
            notes = side_legend(block, lo, hi, bar, len(rows), legend_width, accents)
            rows = [row + [seg(" ")] + note for row, note in zip(rows, notes)] + rows[len(notes):]
        else:
            out.append(block_header(block, lo, hi, bar, accents, width))
        out += rows
    out.append(time_axis(text, start, stop, view.cursor_t, layout.gutter, accents))
    return out
