"""Which units (rows) and time steps (columns) fit on screen, and the time axis labelled with characters."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from rnnscope.ui.render.accents import Accents
from rnnscope.ui.render.lines import Line, seg
from rnnscope.ui.render.visible_chars import visible


def unit_order(hidden: np.ndarray, order: str, kept: Sequence[int] | None = None) -> np.ndarray:
    """[H] unit indices: index order, or most active (mean |h_t| over the probe) first; `kept`, a ranking of H
    units taken earlier (rnnscope.ui.view_state.ViewState.ranking), stands instead of this probe's."""
    H = hidden.shape[1]
    if order != "active":
        return np.arange(H)
    if kept is not None and len(kept) == H:
        return np.asarray(kept, dtype=np.int64)
    activity = np.nan_to_num(np.mean(np.abs(hidden), axis=0))  # [H]
    return np.argsort(-activity, kind="stable")


def unit_window(order: np.ndarray, offset: int, count: int) -> tuple[np.ndarray, int]:
    """The units shown (up to `count`, from position `offset` of `order`) and the clamped offset."""
    offset = max(0, min(offset, len(order) - count))
    return order[offset : offset + count], offset


def units_label(order_name: str, offset: int, shown: int, H: int) -> str:
    """'units 0-23 of 128' in index order; 'most active 1-24 of 128' when sorted by activity."""
    prefix = "most active" if order_name == "active" else "units"
    first = offset + 1 if order_name == "active" else offset
    return f"{prefix} {first}-{first + shown - 1} of {H}"


def time_window(T: int, cursor: int, width: int) -> tuple[int, int]:
    """[start, stop) of the time steps shown in `width` columns, centred on the cursor when T is wider."""
    if T <= width:
        return 0, T
    start = max(0, min(cursor - width // 2, T - width))
    return start, start + width


def steps_label(start: int, stop: int, T: int, room: int) -> str:
    """' · t 12-45/52 ←→' when the panel shows part of the probe's time steps (←→ moves it) and `room` cells hold
    it, shorter forms when they hold only those, '' when the panel shows every step or nothing fits."""
    if stop - start >= T:
        return ""
    forms = (f" · t {start}-{stop - 1}/{T} ←→", f" t {start}-{stop - 1}/{T}", f" t{start}-{stop - 1}")
    return next((form for form in forms if len(form) <= room), "")


def time_axis(text: str, start: int, stop: int, cursor: int, gutter: int, accents: Accents) -> Line:
    """The probe's characters under the heatmap columns [start, stop), the cursor's column highlighted."""
    line: Line = [seg(" " * gutter)]
    before = "".join(visible(ch) for ch in text[start:cursor])
    after = "".join(visible(ch) for ch in text[cursor + 1 : stop])
    if start <= cursor < stop:
        line += [seg(before, accents.dim), seg(visible(text[cursor]), accents.cursor), seg(after, accents.dim)]
    else:
        line.append(seg("".join(visible(ch) for ch in text[start:stop]), accents.dim))
    return line
