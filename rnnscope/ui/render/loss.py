"""The loss curve: train and val loss (nats) against step in braille, a marker at every event."""

from __future__ import annotations

import math

import numpy as np

from rnnscope.contracts.frames import Event
from rnnscope.contracts.loss_axis import y_range
from rnnscope.ui.render.accents import Accents
from rnnscope.ui.render.braille import braille_cells, dot_mask
from rnnscope.ui.render.lines import Line, fixed, line_width, runs, seg, short_number

GUTTER = 6  # cells for the y labels
EVENT_MARK = "▼"
WAITING_LOSS = "waiting for the first training step…"


def bpc(nats: float) -> float:
    """Bits per character from nats per character."""
    return nats / math.log(2)


def losses_line(train: float, val: float, styles: tuple, accents: Accents, width: int, units: bool = True) -> Line:
    """'train 1.234  val 1.300 nats (1.78 / 1.88 bpc)', without the bpc when narrow; '–' before a number. Without
    `units` (a watched model's loss, whose units rnnscope does not know) the numbers alone."""
    def number(nats: float) -> str:
        return f"{nats:.3f}" if math.isfinite(nats) else "–"

    def bits(nats: float) -> str:
        return f"{bpc(nats):.2f}" if math.isfinite(nats) else "–"

    line = [seg("train ", styles[0]), seg(number(train)), seg("  val ", styles[1]), seg(number(val))]
    if not units:
        return line
    line.append(seg(" nats", accents.dim))
    wide = line + [seg(f" ({bits(train)} / {bits(val)} bpc)", accents.dim)]
    return wide if line_width(wide) <= width else line


def y_labels(lo: float, hi: float, clipped: bool, rows: int) -> list[str]:
    """The gutter of each plot row: hi on the top row ('↑' when values above it are drawn there), lo at the bottom."""
    width = GUTTER - 1
    top = short_number(hi, width - 1) + "↑" if clipped else short_number(hi, width)
    return [fixed(top if r == 0 else short_number(lo, width) if r == rows - 1 else "", width) + " "
            for r in range(rows)]


def mark_events(chars: list[list[str]], styles: list[list], columns: list[int], accents: Accents) -> None:
    """Put the event marker in the top row and a thin rule in the blank cells of each event's column."""
    for row, (row_chars, row_styles) in enumerate(zip(chars, styles)):
        for column in columns:
            if row == 0 or row_chars[column] == " ":
                row_chars[column] = EVENT_MARK if row == 0 else "┊"
                row_styles[column] = accents.event


BEST_MARK = "▲"  # under the loss plot: the step of the best validation loss


def recent_events(events: list[Event], width: int, accents: Accents) -> Line:
    """' 120 clip off · 300 init xavier', newest last: as many whole events as fit `width` (at least the newest), so
    the line is never cut inside a word."""
    notes: Line = []
    for event in reversed(events):
        item = [seg(f" {event.step} "), seg(event.label, accents.dim)]
        longer = item + ([seg(" ·", accents.dim), *notes] if notes else [])
        if notes and line_width(longer) > width:
            break
        notes = longer
    return notes


def render_loss(loss_history: np.ndarray, val_history: np.ndarray, events: tuple[Event, ...], width: int,
                height: int, accents: Accents, own_model: bool = True, best_step: int | None = None,
                waiting: str = WAITING_LOSS) -> list[Line]:
    """The plot with y labels, the step range, the latest losses and the list of recent events. Not `own_model` (a
    watched model's loss): no units (rnnscope's own are nats and bits per character), no word of toggles; `waiting`
    before a step."""
    if len(loss_history) == 0:
        return [[seg(waiting, accents.waiting)]]
    train_x, train_y = loss_history[:, 0], loss_history[:, 1]
    val_x, val_y = (val_history[:, 0], val_history[:, 1]) if len(val_history) else (np.empty(0), np.empty(0))
    y_lo, y_hi, clipped = y_range([loss_history, val_history])
    x_lo, x_hi = float(train_x.min()), float(max(train_x.max(), val_x.max() if len(val_x) else 0))
    plot_w, plot_h = max(width - GUTTER, 2), max(height - 3, 1)
    ranges = ((x_lo, x_hi), (y_lo, y_hi))
    masks = [dot_mask(train_x, train_y, *ranges, plot_w, plot_h), dot_mask(val_x, val_y, *ranges, plot_w, plot_h)]
    chars, styles = braille_cells(masks, [accents.train, accents.val])
    shown = [e for e in events if x_lo <= e.step <= x_hi]
    span = (x_hi - x_lo) or 1.0
    mark_events(chars, styles, [min(int((e.step - x_lo) / span * plot_w), plot_w - 1) for e in shown], accents)
    plot = [runs(row, row_styles) for row, row_styles in zip(chars, styles)]
    out = [[seg(label, accents.dim), *line] for label, line in zip(y_labels(y_lo, y_hi, clipped, plot_h), plot)]
    first, last = f"step {x_lo:.0f}", f"{x_hi:.0f}"
    axis = list(first + last.rjust(max(plot_w - len(first), 0)))
    if best_step is not None and x_lo <= best_step <= x_hi:  # the best validation step: ▲ under its column
        column = min(int((best_step - x_lo) / ((x_hi - x_lo) or 1.0) * plot_w), plot_w - 1)
        if column < len(axis) and axis[column] == " ":
            axis[column] = BEST_MARK
    out.append([seg(" " * GUTTER), seg("".join(axis), accents.dim)])
    val_now = float(val_y[-1]) if len(val_y) else math.nan
    out.append(losses_line(float(train_y[-1]), val_now, (accents.train, accents.val), accents, width, own_model))
    if shown:
        out.append([seg(EVENT_MARK, accents.event), *recent_events(shown[-4:], width - len(EVENT_MARK), accents)])
    elif own_model:
        out.append([seg("no events yet (toggles and re-inits are marked here)", accents.dim)])
    return out
