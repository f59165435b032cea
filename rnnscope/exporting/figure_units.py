"""The units page of the exported figure (`units.png`): the top 8 units' strips of the analysis text, each character
on the colour of the unit's value after reading it (Karpathy, Johnson & Fei-Fei 2015, figure 2)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from rnnscope.contracts.units import UnitsReading
from rnnscope.exporting.figure import font_has, quiet_matplotlib

STRIPS = 8  # units on the page
ROWS = 3  # text rows per strip, around the unit's most positive context
WIDTH_IN, DPI = 16.0, 100
FONT, FONT_PT, ADVANCE_EM = "DejaVu Sans Mono", 7.0, 1233 / 2048  # matplotlib's own monospace font and its advance
ROW_IN, TITLE_IN, MARGIN_IN = 0.17, 0.32, 0.15


def columns_for(width_in: float) -> int:
    """How many monospace characters fit `width_in` inches: one colour cell each, one text per row draws them."""
    return int(width_in * 72 / (ADVANCE_EM * FONT_PT))


def strip_window(units: UnitsReading, unit: int, rows: int, columns: int) -> tuple[list[str], np.ndarray]:
    """`rows` lines of `columns` characters of the strip text around the unit's strongest context (newlines shown as
    ⏎ and wrapped like any character, a character the font lacks as ?) and their values [rows, columns] (nan past
    the text)."""
    length = min(len(units.text), len(units.strip))
    centre = units.strip_peak(unit)
    size = rows * columns
    start = max(0, min(centre - size // 2, length - size))
    text = units.text[start: start + size]
    drawn = font_has()
    shown = "".join("⏎" if ch == "\n" else " " if ch.isspace() else ch if drawn(ch) else "?" for ch in text)
    values = np.full(size, np.nan)
    values[: len(text)] = units.strip[start: start + len(text), unit]
    return [shown[i: i + columns] for i in range(0, size, columns)], values.reshape(rows, columns)


def draw_strip(fig, box: tuple[float, float, float, float], units: UnitsReading, unit: int) -> None:
    """One unit's strip in figure-fraction `box` (left, bottom, width, height): a diverging colour per character (blue
    negative, red positive) with the character on it, and a title line above."""
    from matplotlib.font_manager import FontProperties

    columns = columns_for(box[2] * fig.get_figwidth())
    lines, values = strip_window(units, unit, ROWS, columns)
    ax = fig.add_axes(box)
    top = float(np.nanmax(np.abs(values))) if np.isfinite(values).any() else 1.0
    ax.imshow(values, cmap="coolwarm", vmin=-(top or 1.0), vmax=top or 1.0, aspect="auto", interpolation="nearest",
              extent=(-0.5, columns - 0.5, ROWS - 0.5, -0.5))
    mono = FontProperties(family=FONT, size=FONT_PT)
    for row, line in enumerate(lines):
        ax.text(-0.5, row, line, ha="left", va="center", fontproperties=mono, clip_on=True)
    best = int(units.best[unit])
    beyond = units.beyond[unit, best]
    ax.set_title(f"{units.name(unit)}: {units.features[best]}, r {units.r[unit, best]:+.2f}"
                 + ("" if np.isnan(beyond) else f", r beyond the character {beyond:+.2f}")
                 + f"  (colour: the value after reading the character, ±{top:.2f})", fontsize=9, loc="left")
    ax.set_xticks([])
    ax.set_yticks([])


def render_units_figure(units: UnitsReading, path: Path, count: int = STRIPS) -> None:
    """The top `count` units of the ranking, one strip each, into a PNG at `path`."""
    from matplotlib.figure import Figure  # lazily: importing export stays cheap

    chosen = [int(u) for u in units.order[:count]]
    each = ROWS * ROW_IN + TITLE_IN
    height = 2 * MARGIN_IN + TITLE_IN + each * len(chosen)
    with quiet_matplotlib():
        fig = Figure(figsize=(WIDTH_IN, height), dpi=DPI)
        for slot, unit in enumerate(chosen):
            bottom = height - MARGIN_IN - TITLE_IN - each * (slot + 1)
            draw_strip(fig, (0.01, bottom / height, 0.98, ROWS * ROW_IN / height), units, unit)
        fig.suptitle(f"what each unit means, step {units.step}: the top {len(chosen)} units over the analysis text",
                     fontsize=11, y=1 - MARGIN_IN / height, va="top")
        fig.savefig(path, format="png", pil_kwargs={"compress_level": 3})
