"""The Units page's picture: the ranked units with their best feature, r and r beyond the character, the selected
unit's strip of the analysis text coloured by its value (Karpathy's figure), its contexts and what emerged."""

from __future__ import annotations

import numpy as np

from rnnscope.contracts.units import CONTEXTS, UnitsReading
from rnnscope.ui.render.accents import Accents
from rnnscope.ui.render.heatmap import value_range
from rnnscope.ui.render.lines import Line, corpus_seg, crop, seg
from rnnscope.ui.render.palette import DIVERGING
from rnnscope.ui.render.probe_text import coloured_text

BEST = -1  # sort key: each unit's own best feature (the ranking); a feature's index sorts by that feature


def ranked(frame: UnitsReading, sort: int = BEST) -> np.ndarray:
    """The units best first: by their best feature's |score|, or by their |score| for feature `sort`."""
    if sort == BEST:
        return frame.order
    scores = frame.scores()[:, sort]  # [U]
    return np.argsort(-np.nan_to_num(np.abs(scores)), kind="stable")


def _shown_feature(frame: UnitsReading, unit: int, sort: int) -> int:
    """The feature a unit's row shows: the sort's feature, or the unit's best when sorted by each one's best."""
    return int(frame.best[unit]) if sort == BEST else sort


def _number(value: float) -> str:
    return "  —  " if not np.isfinite(value) else f"{value:+.2f}"


def _row(frame: UnitsReading, unit: int, rank: int, feature: int, width: int, selected: bool, marked: bool,
         accents: Accents) -> Line:
    r = float(frame.r[unit, feature])
    beyond = float(frame.beyond[unit, feature])
    score = abs(frame.score(unit, feature))
    bar = "█" * int(round(min(score, 1.0) * 10)) if np.isfinite(score) else ""
    dot = "•" if marked else " "
    text = f"{rank:>4}{dot}{frame.name(unit):<9} {frame.features[feature]:<13} {_number(r):>6} {_number(beyond):>7}  "
    return [seg(text[:width], accents.cursor if selected else None), seg(bar[: max(0, width - len(text))], accents.bar)]


def ranking_lines(frame: UnitsReading, order: np.ndarray, selected: int, sort: int, rows: int, width: int,
                  accents: Accents, marked: frozenset[int] = frozenset()) -> list[Line]:
    """The header and `rows` units of `order` around the selected rank (`selected`, a position in `order`); the
    `marked` units (for find-similar) with a dot."""
    header = [seg(f"{'rank':>4} {'unit':<9} {'feature':<13} {'r':>6} {'beyond':>7}  |score|"[:width], accents.label)]
    first = max(0, min(selected - rows // 2, len(order) - rows))
    lines = [header]
    for rank in range(first, min(first + rows, len(order))):
        unit = int(order[rank])
        feature = _shown_feature(frame, unit, sort)
        lines.append(_row(frame, unit, rank + 1, feature, width, rank == selected, unit in marked, accents))
    return lines


def strip_lines(frame: UnitsReading, unit: int, width: int, rows: int, color_system: str | None,
                accents: Accents) -> list[Line]:
    """The analysis text's first characters coloured by `unit`, the rows around its most positive context."""
    values = frame.strip[:, unit].astype(np.float32)  # [S]
    text = frame.text[: len(values)]
    if not len(text) or rows <= 0 or width <= 0:
        return []
    lo, hi = value_range(values, DIVERGING)
    return coloured_text(text, values, lo, hi, frame.strip_peak(unit), width, rows, color_system, accents)


def context_lines(frame: UnitsReading, unit: int, width: int, count: int, accents: Accents) -> list[Line]:
    """Up to `count` of the unit's most positive and most negative contexts (±24 characters), the centre marked."""
    lines = []
    for side, sign in ((0, "+"), (1, "−")):
        for _, window, offset in frame.context_windows(unit, side)[:count]:
            before, centre, after = window[:offset], window[offset], window[offset + 1:]
            line = [seg(f" {sign} ", accents.label), corpus_seg(before, accents.dim), corpus_seg(centre, accents.cursor),
                    corpus_seg(after, accents.dim)]
            lines.append(crop(line, width))
    return lines


def emerged_lines(frame: UnitsReading, width: int, accents: Accents, rows: int = 2) -> list[Line]:
    """The memory features that emerged and where, wrapped on up to `rows` lines (the last ends in … when more)."""
    head = "emerged (|r beyond| ≥ 0.6): "
    if not frame.emerged:
        return [crop([seg(head, accents.dim), seg("none yet", accents.dim)], width)]
    words = [f"{e.feature} {e.kind}{e.index} @ {e.step}" for e in frame.emerged]
    lines, line = [], [seg(head, accents.dim)]
    used = len(head)
    for i, word in enumerate(words):
        text = word + ("," if i < len(words) - 1 else "")
        if used + len(text) + 1 > width and used > len(head):
            if len(lines) == rows - 1:
                line.append(seg(" …", accents.dim))
                break
            lines.append(line)
            line, used = [seg("  ")], 2
        line.append(seg((" " if used > 2 and used != len(head) else "") + text, accents.healthy))
        used += len(text) + 1
    lines.append(line)
    return [crop(line, width) for line in lines]


def render_units(frame: UnitsReading, selected: int, sort: int, width: int, height: int, color_system: str | None,
                 accents: Accents, marked: frozenset[int] = frozenset(), similar: list[Line] | None = None,
                 run: str = "") -> list[Line]:
    """The whole page: a title line (led by `run`, the run shown on the compare screen), the features that emerged,
    the ranking (top half; the `marked` units dotted), the selected unit's line, strip and contexts (or, when given,
    the find-similar lines `similar`)."""
    order = ranked(frame, sort)
    selected = max(0, min(selected, len(order) - 1))
    unit = int(order[selected])
    feature = _shown_feature(frame, unit, sort)
    sorting = "each unit's best feature" if sort == BEST else frame.features[sort]
    analysed = f"{len(frame.text):,} chars analysed · {len(order)} units" if frame.text else (
        f"as recorded: the top units and each feature's best ({len(order)}), no strip")
    title = [seg(f"{run} · " if run else "", accents.label),
             seg(f"step {frame.step} · {analysed} · sorted by ", accents.dim), seg(sorting, accents.label),
             seg(" (f / F)", accents.dim)]
    table_rows = max(3, (height - 8) // 2)
    lines = [crop(title, width), *emerged_lines(frame, width, accents)]
    lines += ranking_lines(frame, order, selected, sort, table_rows, width, accents, marked)
    beyond = float(frame.beyond[unit, feature])
    lines.append(crop([seg(f"{frame.name(unit)} ", accents.label), seg(frame.features[feature]),
                        seg(f"  r {_number(float(frame.r[unit, feature]))}  beyond the character {_number(beyond)}"),
                        seg("  ⏎ heatmaps · x mark · / similar", accents.dim)], width))
    strip_rows = -(-min(len(frame.text), len(frame.strip)) // max(width, 1))  # the whole strip when it fits
    room = height - len(lines)
    each = max(1, min(CONTEXTS, (room - min(strip_rows, room - 4)) // 2))  # contexts each way in what is left
    contexts = context_lines(frame, unit, width, each, accents) if similar is None else [
        crop(line, width) for line in similar[: max(2, room // 2)]]
    lines += strip_lines(frame, unit, width, max(room - len(contexts), 1), color_system, accents)
    return (lines + contexts)[:height]
