"""The units page of the exported figure (`units.png`): the top 8 units' strips of the analysis text, each character
on the colour of the unit's value after reading it (Karpathy, Johnson & Fei-Fei 2015, figure 2)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from rnnscope.contracts.units import UnitsFrame
from rnnscope.exporting.figure import quiet_matplotlib, visible_char

STRIPS = 8  # units on the page
ROWS, COLUMNS = 5, 96  # characters of each strip: rows of the text around the unit's most positive context
WIDTH_IN, DPI = 16.0, 100
STRIP_IN = 1.25  # height of one strip with its title


def strip_window(units: UnitsFrame, unit: int, rows: int = ROWS, columns: int = COLUMNS) -> tuple[str, np.ndarray]:
    """`rows` x `columns` characters of the strip text around the unit's strongest context (newlines shown as ⏎ and
    wrapped like any character) and their values [rows, columns] (nan past the text)."""
    length = min(len(units.text), len(units.strip))
    peak = int(units.contexts[unit, 0, 0])
    centre = peak if 0 <= peak < length else int(np.argmax(units.strip[:length, unit]))
    size = rows * columns
    start = max(0, min(centre - size // 2, length - size))
    text = units.text[start: start + size]
    values = np.full(size, np.nan)
    values[: len(text)] = units.strip[start: start + len(text), unit]
    return text, values.reshape(rows, columns)


def draw_strip(ax, units: UnitsFrame, unit: int, rows: int = ROWS, columns: int = COLUMNS) -> None:
    """One unit's strip on `ax`: a diverging colour per character (blue negative, red positive), the character on it."""
    text, values = strip_window(units, unit, rows, columns)
    top = float(np.nanmax(np.abs(values))) or 1.0
    ax.imshow(values, cmap="coolwarm", vmin=-top, vmax=top, aspect="auto", interpolation="nearest")
    for i, ch in enumerate(text):
        if not ch.isspace() or ch == "\n":
            ax.text(i % columns, i // columns, visible_char(ch), ha="center", va="center", fontsize=6.5,
                    family="monospace")
    best = int(units.best[unit])
    beyond = units.beyond[unit, best]
    ax.set_title(f"{units.name(unit)}: {units.features[best]}, r {units.r[unit, best]:+.2f}"
                 + ("" if np.isnan(beyond) else f", r beyond the character {beyond:+.2f}")
                 + f"  (colour: value after reading the character, ±{top:.2f})", fontsize=9, loc="left")
    ax.set_xticks([])
    ax.set_yticks([])


def render_units_figure(units: UnitsFrame, path: Path, count: int = STRIPS) -> None:
    """The top `count` units of the ranking, one strip each, into a PNG at `path`."""
    from matplotlib.figure import Figure  # lazily: importing export stays cheap

    chosen = [int(u) for u in units.order[:count]]
    with quiet_matplotlib():
        height = STRIP_IN * len(chosen) + 0.8
        fig = Figure(figsize=(WIDTH_IN, height), dpi=DPI)
        axes = fig.subplots(len(chosen), 1, squeeze=False)[:, 0]
        for ax, unit in zip(axes, chosen, strict=True):
            draw_strip(ax, units, unit)
        fig.suptitle(f"what each unit means, step {units.step}: the top {len(chosen)} units over the analysis text",
                     fontsize=11)
        fig.subplots_adjust(left=0.01, right=0.99, top=1 - 0.75 / height, bottom=0.01, hspace=0.45)
        fig.savefig(path, format="png", pil_kwargs={"compress_level": 3})
