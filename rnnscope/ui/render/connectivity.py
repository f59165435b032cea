"""The connectivity map: ||dl_t/de_s|| as a triangle, target t down, input s across, on a log colour scale."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from rich.segment import Segment
from rich.style import Style

from rnnscope.contracts.frames import CONNECTIVITY_MAX_T
from rnnscope.ui.render.accents import Accents
from rnnscope.ui.render.heatmap import colour_bar
from rnnscope.ui.render.lines import Line, corpus_seg, fit, seg, si
from rnnscope.ui.render.log_scale import log10_safe, log_range
from rnnscope.ui.render.palette import SEQUENTIAL, Palette, palette_for, table
from rnnscope.ui.render.window import time_axis

LEGEND_WIDTH = 8
LOWER_HALF = "▄"
NOT_MEASURED = "no connectivity in this probe (a snapshot from before it existed)"
TOO_LONG = f"no connectivity: measured for probes of up to {CONNECTIVITY_MAX_T} steps (this one has {{T}}; --probe sets it)"


def bucket_edges(count: int, buckets: int) -> np.ndarray:
    """Start indices of `buckets` consecutive groups of range(count) (one per index when it fits)."""
    return np.arange(count) if count <= buckets else np.linspace(0, count, buckets + 1).astype(int)[:-1]


def bucket_max(logs: np.ndarray, rows: np.ndarray, columns: np.ndarray) -> np.ndarray:
    """logs [T, T] reduced to [len(rows), len(columns)] by the maximum over each group (-inf stays -inf)."""
    return np.maximum.reduceat(np.maximum.reduceat(logs, rows, axis=0), columns, axis=1)


def triangle_levels(logs: np.ndarray, lo: float, hi: float, palette: Palette) -> np.ndarray:
    """Palette levels of grouped log values; -inf (no input s <= t in the group) gets the empty level."""
    levels = palette.quantize(np.where(np.isfinite(logs), logs, lo), lo, hi)  # [R, C]
    return np.where(np.isneginf(logs), palette.levels if palette.rows_per_line == 2 else 0, levels)


@lru_cache(maxsize=8)
def _lower_only(palette: Palette) -> np.ndarray:
    """Cells for a pair whose upper row is empty, by the lower row's level (the empty level: a blank)."""
    cells = [Segment(LOWER_HALF, Style(color=swatch.style.bgcolor)) for swatch in palette.swatches]
    return table(cells + [Segment(" ")])


def map_lines(levels: np.ndarray, palette: Palette) -> list[Line]:
    """Levels [R, C] as terminal lines: rows 2k and 2k+1 share line k with half blocks; empty cells stay blank."""
    if palette.rows_per_line == 1:
        return palette.cells[levels].tolist()
    empty = palette.levels
    if levels.shape[0] % 2:
        levels = np.concatenate([levels, np.full((1, levels.shape[1]), empty, dtype=levels.dtype)])
    upper, lower = levels[0::2], levels[1::2]  # [R/2, C] each
    cells = np.where(upper == empty, _lower_only(palette)[lower], palette.cells[upper * (empty + 1) + lower])
    return cells.tolist()


def cursor_line(connectivity: np.ndarray, text: str, cursor: int, accents: Accents, predicted: bool = True) -> Line:
    """The cursor's row in numbers: the character it predicts (when the text's next character is what it predicts:
    not a watched model's axis letters), its peak input and the share of the peak that reaches s = 0 (a task's
    cue)."""
    row = np.nan_to_num(connectivity[cursor].astype(float), nan=0.0)  # [T] (0 beyond t but for a bidirectional one)
    peak, where = float(row.max()), int(row.argmax())
    share = f"{row[0] / peak:.1e}" if 0 < peak < np.inf else "–"
    target = [seg(" "), corpus_seg(text[cursor + 1 : cursor + 2])] if predicted else []
    return [seg(f"t={cursor}", accents.cursor), *target,
            seg(": peak ", accents.dim), seg(si(peak)), seg(f" at s={where}", accents.dim),
            seg(", s=0 ", accents.dim), seg(share), seg(" of it", accents.dim)]


def render_connectivity(connectivity: np.ndarray | None, text: str, cursor: int, width: int, height: int,
                        color_system: str | None, accents: Accents, predicted: bool = True) -> list[Line]:
    """The panel's lines: legend, the triangle (the cursor's target row marked ▸ in the gutter), the input axis
    and the cursor's row in numbers (see cursor_line); the map shrinks to fit by taking each group's largest
    value. A long probe's unmeasured rows (NaN, rnnscope.measuring.probe_adjoint.target_rows) are left out: the
    cursor then reads the nearest measured row at or above it."""
    if connectivity is None:
        why = TOO_LONG.format(T=len(text) - 1) if len(text) - 1 > CONNECTIVITY_MAX_T else NOT_MEASURED
        return [[seg(why, accents.waiting)]][:height]
    T = connectivity.shape[0]
    measured = np.flatnonzero(~np.isnan(connectivity).all(axis=1))  # [R] the target rows a long probe measured
    measured = measured if measured.size else np.arange(T)
    palette = palette_for(SEQUENTIAL, color_system)
    shown = connectivity[measured]  # [R, T]
    below = (measured[:, None] >= np.arange(T)[None, :]) | (np.nan_to_num(shown) > 0)  # [R, T] s <= t, and s > t
    # where a bidirectional module's target reads later inputs (a causal model's are 0 there)
    lo, hi = log_range(shown[below])
    logs = np.where(below, log10_safe(shown), -np.inf)  # [R, T]
    gutter = len(str(T - 1)) + 3  # 't=' never fits; the row's first target, then ▸
    map_rows = max(height - 3, 1) * palette.rows_per_line
    rows, columns = bucket_edges(len(measured), map_rows), bucket_edges(T, max(width - gutter, 1))
    lines = map_lines(triangle_levels(bucket_max(logs, rows, columns), lo, hi, palette), palette)
    row = int(measured[max(np.searchsorted(measured, cursor, side="right") - 1, 0)])  # the cursor's, or the one above
    marked = int(np.searchsorted(rows, np.searchsorted(measured, row), side="right") - 1) // palette.rows_per_line
    legend = [seg("log₁₀ ", accents.dim), *colour_bar(palette, LEGEND_WIDTH),
              seg(f" {si(10**lo)}…{si(10**hi)}  "), seg("target t ↓ input s →", accents.dim)]
    out: list[Line] = [fit(legend, width)]
    for index, cells in enumerate(lines):
        first = int(measured[rows[index * palette.rows_per_line]])
        label = seg(f"{first:>{gutter - 1}}", accents.cursor if index == marked else accents.dim)
        out.append([label, seg("▸" if index == marked else " "), *cells])
    if T <= width - gutter:
        out.append(time_axis(text, 0, T, cursor, gutter, accents))
    else:
        out.append([seg(" " * gutter), seg(f"s=0{'s=' + str(T - 1):>{max(len(columns) - 3, 0)}}", accents.dim)])
    out.append(fit(cursor_line(connectivity, text, min(row, T - 1), accents, predicted), width))
    return out[:height]
