"""A generated sample: the prime dimmed, the continuation wrapped, newlines shown as '⏎' and kept."""

from __future__ import annotations

import math

from rich.style import Style

from rnnscope.contracts.frames import Sample
from rnnscope.contracts.visible import NAMED
from rnnscope.ui.render.accents import Accents
from rnnscope.ui.render.lines import Line, runs, seg
from rnnscope.ui.render.visible_chars import visible_text

WAITING_SAMPLE = "no sample yet: press g to generate one"
NEWLINE = NAMED["\n"]


def wrap_cells(chars: list[str], styles: list[Style | None], width: int) -> list[Line]:
    """Visible characters into lines of at most `width` cells, breaking after every '⏎'."""
    lines: list[Line] = []
    start = 0
    for i, ch in enumerate(chars):
        if i - start == width:
            lines.append(runs(chars[start:i], styles[start:i]))
            start = i
        if ch == NEWLINE:
            lines.append(runs(chars[start : i + 1], styles[start : i + 1]))
            start = i + 1
    return lines + [runs(chars[start:], styles[start:])]


def render_sample(sample: Sample | None, temperature: float, width: int, height: int, accents: Accents) -> list[Line]:
    """Header (temperature; the panel's title says the step), then prime + continuation; the newest lines when it does not fit."""
    if sample is None:
        return [[seg(WAITING_SAMPLE, accents.waiting)]]
    if not math.isfinite(sample.temperature):  # a watched loop's own sampling function: its temperature is not known
        header = [seg("from the loop's sample()", accents.label)]
    else:
        header = [seg(f"T={sample.temperature:.2f}", accents.label)]
    if abs(temperature - sample.temperature) > 1e-9:
        header.append(seg(f"  next T={temperature:.2f} (g)", accents.dim))
    chars = list(visible_text(sample.prime + sample.text))
    styles = [accents.dim] * len(sample.prime) + [None] * len(sample.text)
    body = wrap_cells(chars, styles, max(width, 1))
    return [header, *body[-max(height - 1, 1) :]]
