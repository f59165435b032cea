"""The memory view: a task's answer accuracy by distance (chance marked), or the context curve (`full` marked)."""

from __future__ import annotations

import textwrap

import numpy as np

from rnnscope.contracts.frames import MemoryReading
from rnnscope.ui.render.accents import Accents
from rnnscope.ui.render.lines import Line, fit, fixed, line_width, runs, seg
from rnnscope.ui.render.log_scale import bar_rows

GUTTER = 6  # cells for the y labels
REFERENCE = "┄"  # the chance level / full-context loss, drawn where no bar covers it
WAITING_MEMORY = ("memory is measured at validations (while the 3% side budget has room, at least every 30 s) "
                  "and at every export…")
NOT_RECORDED = "no memory measurement was recorded at or before this step"


def reference_row(value: float, rows: int) -> int:
    """The row (0 = top) of `rows` bar rows in which a height `value` in [0, 1] ends (nan: the bottom row)."""
    if not np.isfinite(value):  # a diverged run's full-context loss
        return rows - 1
    return rows - 1 - min(max(int(value * rows), 0), rows - 1)


def bar_chart(values: np.ndarray, labels: list[str], numbers: list[str], reference: float, width: int, rows: int,
              accents: Accents, top: str) -> list[Line]:
    """Vertical bars of `values` in [0, 1], a dashed reference line, each bar's number and label underneath;
    `top` labels the full height."""
    plot_w = max(width - GUTTER, len(values))
    group = max(plot_w // max(len(values), 1), 1)
    bar_w = max(group - 1, 1)  # one blank column between bars
    heights = np.zeros(group * len(values))  # [columns]
    for i, value in enumerate(values):
        heights[i * group : i * group + bar_w] = value
    chars = [list(row) for row in bar_rows(heights, rows)]
    styles = [[accents.bar] * len(row) for row in chars]
    marked = reference_row(reference, rows)
    for c, ch in enumerate(chars[marked]):
        if ch == " " or (heights[c] < reference and ch != "█"):  # the line shows through short bars
            chars[marked][c], styles[marked][c] = REFERENCE, accents.threshold
    out: list[Line] = []
    for r, (row, row_styles) in enumerate(zip(chars, styles)):
        out.append([seg(fixed(_y_label(r, rows, top), GUTTER), accents.dim), *runs(row, row_styles)])
    out.append([seg(" " * GUTTER), seg("".join(fixed(number, group) for number in under_bars(numbers, group)))])
    out.append([seg(" " * GUTTER), seg("".join(fixed(label, group) for label in under_bars(labels, group)),
                                       accents.dim)])
    return out


def under_bars(texts: list[str], group: int) -> list[str]:
    """The bars' numbers or labels in the `group` - 1 cells under each (a blank between neighbours), all in the
    same form: '2.41' / 'k=16', else '2.4' / '16', else nothing."""
    def shortened(text: str) -> list[str]:
        bare = text.partition("=")[2] or text
        try:
            value = float(bare)
        except ValueError:
            return [text, bare]
        return [text, bare] + ([f"{value:.1f}"] if "." in bare else [])

    forms = [shortened(text) for text in texts]
    for level in range(max((len(f) for f in forms), default=0)):
        chosen = [f[min(level, len(f) - 1)] for f in forms]
        if all(len(text) < group for text in chosen):
            return chosen
    return [""] * len(texts)


def _y_label(row: int, rows: int, top: str) -> str:
    """The top of the scale on the first row, 0 on the last; a single row spans both."""
    if rows == 1:
        return f"0…{top}"
    return top if row == 0 else "0" if row == rows - 1 else ""


def render_memory(memory: MemoryReading | None, width: int, height: int, accents: Accents,
                  waiting: str = WAITING_MEMORY) -> list[Line]:
    """The memory panel's lines: bars, their labels, and a reading (wrapped onto a second line when narrow);
    `waiting` when nothing is measured (a live run: when it will be; a recorded one: that none was)."""
    if memory is None:
        return [[seg(line, accents.waiting)] for line in textwrap.wrap(waiting, max(width, 1))]
    if memory.task is not None:
        chance = seg(f" · {REFERENCE} chance {memory.chance:.2f}", accents.threshold)
        reading = _reading([seg(f"{memory.task}: ", accents.label), seg("answer accuracy by distance"), chance],
                           [seg(f"{memory.task} accuracy", accents.label), chance], width, height)
        chart = bar_chart(memory.accuracy, [f"d={d}" for d in memory.distances],
                          [f"{a:.2f}" for a in memory.accuracy], memory.chance, width, _rows(height, reading),
                          accents, "1.0")
        return [fit(line, width) for line in chart] + reading
    top = float(np.nanmax(memory.context_loss)) if np.isfinite(memory.context_loss).any() else 1.0
    top = top if top > 0 else 1.0
    values = np.nan_to_num(memory.context_loss / top)  # [K] in [0, 1]
    numbers = ([seg(f" · {REFERENCE} full {memory.full:.2f}", accents.threshold),
                seg(f" · uses ~{used_context(memory)} chars", accents.label)] if np.isfinite(memory.full)
               else [seg(" · diverged: no finite loss", accents.exploding)])  # the weights overflowed
    reading = _reading([seg("context curve: ", accents.label), seg("val loss given only k chars"), *numbers],
                       [seg("context", accents.label), *numbers], width, height)
    shown = [f"{v:.2f}" if np.isfinite(v) else "–" for v in memory.context_loss]
    chart = bar_chart(values, [f"k={k}" for k in memory.context_k], shown,
                      memory.full / top, width, _rows(height, reading), accents, f"{top:.2f}")
    return [fit(line, width) for line in chart] + reading


MIN_BAR_ROWS = 3  # below this many bar rows the reading takes its one-line form


def _reading(long: Line, short: Line, width: int, height: int) -> list[Line]:
    """The reading wrapped onto two lines, or its short form on one when two would leave under MIN_BAR_ROWS."""
    lines = wrap(long, width, limit=3)
    if len(lines) == 1 or (len(lines) == 2 and height - 4 >= MIN_BAR_ROWS):
        return lines
    lines = wrap(short, width)
    return lines if height - 2 - len(lines) >= MIN_BAR_ROWS else lines[:1]


def _rows(height: int, reading: list[Line]) -> int:
    """Bar rows left after the numbers, the labels and the reading."""
    return max(height - 2 - len(reading), 1)


def wrap(parts: Line, width: int, limit: int = 2) -> list[Line]:
    """Segments onto at most `limit` lines of `width`, breaking before a segment (its leading ' · ' dropped)."""
    lines: list[Line] = [[]]
    for part in parts:
        if lines[-1] and line_width(lines[-1]) + len(part.text) > width:
            lines.append([seg(part.text.removeprefix(" · "), part.style)])
        else:
            lines[-1].append(part)
    return [fit(line, width) for line in lines[:limit]]


def used_context(memory: MemoryReading, within: float = 0.05) -> int:
    """The smallest k whose loss is within `within` nats of the full-context loss: how far back it reads."""
    close = np.flatnonzero(memory.context_loss <= memory.full + within)
    return int(memory.context_k[close[0]]) if close.size else int(memory.context_k[-1])
