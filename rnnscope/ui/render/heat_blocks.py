"""Stacked heatmaps (units x time) sharing one unit window and one time axis: the gates and state panels."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnscope.ui.render.accents import Accents
from rnnscope.ui.render.heatmap import colour_bar, heatmap_rows, value_range
from rnnscope.ui.render.lines import Line, seg, si
from rnnscope.ui.render.palette import palette_for
from rnnscope.ui.render.window import time_axis, time_window, unit_order, unit_window, units_label
from rnnscope.ui.view_state import ViewState

LEGEND_WIDTH = 10  # cells of colour bar in each block's header


@dataclass(frozen=True, eq=False)
class HeatBlock:
    """One heatmap: a named [T, H] array and the kind of colour scale it needs."""

    name: str
    values: np.ndarray  # [T, H]
    kind: str  # SEQUENTIAL / DIVERGING
    fixed_range: tuple[float, float] | None = None  # e.g. (0, 1) for sigmoid gates; None = from the data


def block_header(block: HeatBlock, lo: float, hi: float, legend: Line, accents: Accents) -> Line:
    """'forget ▮▮▮▮ 0…1  data 0.02…0.99': name, colour scale and value range."""
    values = block.values
    finite = values if np.isfinite(values).all() else values[np.isfinite(values)]
    data = f"  data {si(float(finite.min()))}…{si(float(finite.max()))}" if finite.size else "  data nan"
    return [seg(f"{block.name} ", accents.label), *legend, seg(f" {si(lo)}…{si(hi)}"), seg(data, accents.dim)]


def row_labels(units: list[int], per_line: int, selected: int, gutter: int, accents: Accents) -> list[Line]:
    """The gutter of each heatmap line: its first unit's index, '▸' on the line holding the selected unit."""
    out: list[Line] = []
    for i in range(0, len(units), per_line):
        here = selected in units[i : i + per_line]
        label = seg(f"{units[i]:>{gutter - 1}}", accents.cursor if here else accents.dim)
        out.append([label, seg("▸" if here else " ")])
    return out


def render_heat_blocks(
    blocks: list[HeatBlock], text: str, hidden: np.ndarray, view: ViewState, width: int, height: int,
    color_system: str | None, accents: Accents, title: str = "",
) -> list[Line]:
    """Lines for `blocks` stacked vertically in width x height cells (hidden [T, H] orders the units)."""
    T, H = hidden.shape
    gutter = len(str(H - 1)) + 1
    start, stop = time_window(T, view.cursor_t, max(width - gutter, 1))
    palettes = [palette_for(block.kind, color_system) for block in blocks]
    per_line = palettes[0].rows_per_line if palettes else 2
    lines_each = max((height - 2 - len(blocks)) // max(len(blocks), 1), 1)
    shown, offset = unit_window(unit_order(hidden, view.unit_order), view.unit_offset, min(lines_each * per_line, H))
    out: list[Line] = [[seg(title, accents.label), seg(units_label(view.unit_order, offset, len(shown), H))]]
    prefixes = row_labels(shown.tolist(), per_line, view.unit, gutter, accents)
    for block, palette in zip(blocks, palettes):
        lo, hi = block.fixed_range or value_range(block.values, block.kind)
        out.append(block_header(block, lo, hi, colour_bar(palette, LEGEND_WIDTH), accents))
        grid = block.values[start:stop][:, shown].T  # [units shown, columns]
        out += [prefix + cells for prefix, cells in zip(prefixes, heatmap_rows(grid, lo, hi, palette))]
    out.append(time_axis(text, start, stop, view.cursor_t, gutter, accents))
    return out
