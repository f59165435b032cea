"""Small helpers to build lines of Segments (a line is a list of single-style runs)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from operator import itemgetter

from rich.segment import Segment
from rich.style import Style

from rnnscope.ui.render.visible_chars import visible_text

Line = list[Segment]
TEXT = itemgetter(0)  # a Segment's text (faster than the attribute in per-cell loops)
WAITING = "waiting for the first probe…"
NOT_WATCHED = "not available for a watched model (it has no vocabulary)"
NO_WATCHED_SAMPLE = "no sample: give Scope(..., sample=fn), fn() returning your model's generated text"
NO_STEP_RECORDED = "no training step was recorded at or before this step"  # a replay's or review's frame
NO_STEP_YET = "waiting for the run's first recorded step…"  # --attach: the run is another process's
NOT_MEASURED_WATCHED = "not measured for a watched model (Scope records the states, gates and gradient flow)"


def seg(text: str, style: Style | None = None) -> Segment:
    """A segment of program-made text (labels, numbers); corpus text goes through `corpus_seg`."""
    return Segment(text, style)


def corpus_seg(text: str, style: Style | None = None) -> Segment:
    """A segment of corpus text, made visible and safe (one cell per character, no control codes)."""
    return Segment(visible_text(text), style)


def cells_of(fraction: float, scale: int) -> int:
    """How many of `scale` cells a bar to `fraction` (0..1) fills: clamped, and none for nan or an infinity (the
    number beside the bar shows it)."""
    if not math.isfinite(fraction):
        return 0
    return int(round(min(max(fraction, 0.0), 1.0) * scale))


def line_width(line: Sequence[Segment]) -> int:
    """Cells a line takes; every renderer only emits single-cell characters, so this is len()."""
    return len("".join(map(TEXT, line)))


def crop(line: Line, width: int) -> Line:
    """The line's first `width` cells, cut without a mark."""
    out: Line = []
    room = width
    for segment in line:
        if room <= 0:
            break
        out.append(Segment(segment.text[:room], segment.style))
        room -= len(out[-1].text)
    return out


def fit(line: Line, width: int) -> Line:
    """Crop a line to `width` cells (ending in '…' when cut) or leave it as it is."""
    if line_width(line) <= width:
        return line
    return crop(line, max(width - 1, 0)) + [Segment("…" if width else "")]


def fixed(text: str, width: int) -> str:
    """Text padded or cut to exactly `width` cells."""
    return text[:width].ljust(width)


def si(value: float) -> str:
    """A short number for a log-scale label: 3.2e-05, 0.012, 4.56, 1.2e+03."""
    magnitude = abs(value)
    if value != value:
        return "nan"
    if magnitude == 0 or 1e-2 <= magnitude < 1e3:
        return f"{value:.3g}"
    return f"{value:.1e}"


def short_number(value: float, width: int) -> str:
    """`value` in at most `width` cells, for an axis label that must never be cut: 4.16, 0.28, 4.6k, 1.2M, 3e12."""
    if not math.isfinite(value):
        return str(value)[:width]
    forms = [f"{value:.{digits}g}" for digits in (3, 2, 1)]
    forms = [form for form in forms if "e" not in form]
    magnitude = abs(value)
    for limit, suffix in ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")):
        if 1e3 > magnitude / limit >= 1:
            forms += [f"{value / limit:.{digits}g}{suffix}" for digits in (3, 2, 1)]
    mantissa, _, exponent = f"{value:.0e}".partition("e")
    forms.append(f"{mantissa}e{int(exponent)}")
    return next((form for form in forms if len(form) <= width), forms[-1][:width])


def runs(chars: Sequence[str], styles: Sequence[Style | None]) -> Line:
    """One segment per run of cells sharing a style object (styles come from shared tables, so `is` suffices)."""
    if not chars:
        return []
    bounds = [0, *(i for i in range(1, len(chars)) if styles[i] is not styles[i - 1]), len(chars)]
    return [Segment("".join(chars[a:b]), styles[a]) for a, b in zip(bounds, bounds[1:])]
