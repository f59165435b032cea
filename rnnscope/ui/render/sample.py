"""A generated sample: the prime dimmed, the continuation wrapped, newlines shown as '⏎' and kept."""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style

from rnnscope.frames import Sample
from rnnscope.ui.render.accents import Accents
from rnnscope.ui.render.lines import Line, seg
from rnnscope.ui.render.visible_chars import NAMED, visible_text

WAITING_SAMPLE = "no sample yet: press g to generate one"
NEWLINE = NAMED["\n"]


def wrap_cells(cells: list[Segment], width: int) -> list[Line]:
    """Single-character segments into lines of at most `width` cells, breaking after every '⏎'."""
    lines: list[Line] = [[]]
    for cell in cells:
        if len(lines[-1]) == width:
            lines.append([])
        lines[-1].append(cell)
        if cell.text == NEWLINE:
            lines.append([])
    return [list(Segment.simplify(line)) for line in lines]


def styled_chars(text: str, style: Style | None) -> list[Segment]:
    return [Segment(ch, style) for ch in visible_text(text)]


def render_sample(sample: Sample | None, temperature: float, width: int, height: int, accents: Accents) -> list[Line]:
    """Header (step, temperature), then prime + continuation; the newest lines when it does not fit."""
    if sample is None:
        return [[seg(WAITING_SAMPLE, accents.waiting)]]
    header = [seg(f"step {sample.step} · T={sample.temperature:.2f}", accents.label)]
    if abs(temperature - sample.temperature) > 1e-9:
        header.append(seg(f"  next T={temperature:.2f} (g)", accents.dim))
    body = wrap_cells(styled_chars(sample.prime, accents.dim) + styled_chars(sample.text, None), max(width, 1))
    return [header, *body[-max(height - 1, 1) :]]
