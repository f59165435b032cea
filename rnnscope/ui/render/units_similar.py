"""The Units page's find-similar lines: the query span and the spans of the analysis text where the same units are
jointly above the threshold, best Jaccard overlap first, each shown in its context with the span marked."""

from __future__ import annotations

from rnnscope.contracts.units import UnitsReading
from rnnscope.ui.render.accents import Accents
from rnnscope.ui.render.lines import Line, corpus_seg, seg
from rnnscope.ui.render.similar import Similar

AROUND = 12  # characters shown before a span


def _span(text: str, start: int, end: int, accents: Accents) -> Line:
    return [corpus_seg(text[max(0, start - AROUND):start], accents.dim), corpus_seg(text[start:end], accents.cursor),
            corpus_seg(text[end:end + 40], accents.dim)]


def similar_lines(frame: UnitsReading, units: list[int], threshold: float, similar: Similar, rows: int,
                  accents: Accents) -> list[Line]:
    """A head line (the units, the threshold, the query) and up to `rows` - 1 matches (uncropped)."""
    names = " + ".join(frame.name(unit) for unit in units)
    head: Line = [seg("similar ", accents.label), seg(f"{names} jointly > {threshold:.1f} (t T) ")]
    where = "probe at the time cursor" if similar.source == "probe" else "strongest context"
    if not similar.searched:
        return [head + [seg("· a recorded analysis keeps no strip: live only (End)", accents.dim)]]
    if similar.query is None:
        return [head + [seg(f"· not jointly above it at the {where}: lower it (t), or mark others (x)", accents.dim)]]
    start, end = similar.query
    head += [seg(f"· {where} {start}–{end}: ", accents.dim), *_span(similar.text, start, end, accents)]
    lines = [head]
    if not similar.matches:
        lines.append([seg(f"  no other span in the first {similar.searched:,} characters analysed", accents.dim)])
    for start, end, overlap in similar.matches[: max(0, rows - 1)]:
        lines.append([seg(f"  {overlap:.2f} @{start:<5} ", accents.label), *_span(frame.text, start, end, accents)])
    return lines
