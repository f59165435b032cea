"""The loss curve: train and val loss (nats) against step in braille, a marker at every event."""

from __future__ import annotations

import math

import numpy as np

from rnnscope.frames import Event
from rnnscope.ui.render.accents import Accents
from rnnscope.ui.render.braille import braille_cells, dot_mask
from rnnscope.ui.render.lines import Line, fixed, runs, seg, si

GUTTER = 6  # cells for the y labels
EVENT_MARK = "▼"
WAITING_LOSS = "waiting for the first training step…"


def bpc(nats: float) -> float:
    """Bits per character from nats per character."""
    return nats / math.log(2)


def loss_text(name: str, nats: float, style, accents: Accents) -> Line:
    """'train 1.234 nats (1.78 bpc)' or 'val –' before the first evaluation."""
    if not math.isfinite(nats):
        return [seg(f"{name} ", style), seg("–  ", accents.dim)]
    return [seg(f"{name} ", style), seg(f"{nats:.3f}"), seg(f" nats ({bpc(nats):.2f} bpc)  ", accents.dim)]


def mark_events(chars: list[list[str]], styles: list[list], columns: list[int], accents: Accents) -> None:
    """Put the event marker in the top row and a thin rule in the blank cells of each event's column."""
    for row, (row_chars, row_styles) in enumerate(zip(chars, styles)):
        for column in columns:
            if row == 0 or row_chars[column] == " ":
                row_chars[column] = EVENT_MARK if row == 0 else "┊"
                row_styles[column] = accents.event


def render_loss(loss_history: np.ndarray, val_history: np.ndarray, events: tuple[Event, ...], width: int,
                height: int, accents: Accents) -> list[Line]:
    """The plot with y labels, the step range, the latest losses and the list of recent events."""
    if len(loss_history) == 0:
        return [[seg(WAITING_LOSS, accents.waiting)]]
    train_x, train_y = loss_history[:, 0], loss_history[:, 1]
    val_x, val_y = (val_history[:, 0], val_history[:, 1]) if len(val_history) else (np.empty(0), np.empty(0))
    both = np.concatenate([train_y, val_y])
    finite = both[np.isfinite(both)]
    y_lo, y_hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    x_lo, x_hi = float(train_x.min()), float(max(train_x.max(), val_x.max() if len(val_x) else 0))
    plot_w, plot_h = max(width - GUTTER, 2), max(height - 3, 1)
    ranges = ((x_lo, x_hi), (y_lo, y_hi))
    masks = [dot_mask(train_x, train_y, *ranges, plot_w, plot_h), dot_mask(val_x, val_y, *ranges, plot_w, plot_h)]
    chars, styles = braille_cells(masks, [accents.train, accents.val])
    shown = [e for e in events if x_lo <= e.step <= x_hi]
    span = (x_hi - x_lo) or 1.0
    mark_events(chars, styles, [min(int((e.step - x_lo) / span * plot_w), plot_w - 1) for e in shown], accents)
    plot = [runs(row, row_styles) for row, row_styles in zip(chars, styles)]
    out: list[Line] = []
    for row, line in enumerate(plot):
        label = si(y_hi) if row == 0 else si(y_lo) if row == plot_h - 1 else ""
        out.append([seg(fixed(label, GUTTER - 1) + " ", accents.dim), *line])
    first, last = f"step {x_lo:.0f}", f"{x_hi:.0f}"
    out.append([seg(" " * GUTTER), seg(first + last.rjust(max(plot_w - len(first), 0)), accents.dim)])
    val_now = float(val_y[-1]) if len(val_y) else math.nan
    out.append(loss_text("train", float(train_y[-1]), accents.train, accents) + loss_text("val", val_now, accents.val, accents))
    notes = [seg(EVENT_MARK, accents.event)]
    for e in shown[-4:]:
        notes += [seg(f" {e.step} "), seg(e.label, accents.dim), seg(" ·", accents.dim)]
    out.append(notes[:-1] if shown else [seg("no events yet (toggles and re-inits are marked here)", accents.dim)])
    return out
