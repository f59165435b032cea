"""Two runs' loss curves on one plot (a compare): each run's train line (smoothed) and validation points in its
own colours, and each run's events marked on its own curve."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from rich.style import Style

from rnnscope.contracts.frames import Event
from rnnscope.contracts.loss_axis import y_range
from rnnscope.ui.render.accents import Accents
from rnnscope.ui.render.braille import braille_cells, dot_mask
from rnnscope.ui.render.lines import Line, line_width, runs, seg
from rnnscope.ui.render.loss import EVENT_MARK, GUTTER, WAITING_LOSS, losses_line, y_labels

SMOOTH_COLUMNS = 3  # the compare plot's train curves are trailing means over this many columns' worth of steps


@dataclass(frozen=True)
class Curves:
    """One run's histories as the overlay draws them."""

    name: str  # "A" / "B"
    loss_history: np.ndarray  # [N, 2] (step, loss)
    val_history: np.ndarray  # [M, 2]
    events: tuple[Event, ...]
    train_style: Style
    val_style: Style


def run_legends(runs_: list[Curves], width: int, accents: Accents) -> list[Line]:
    """Each run's latest losses: on one line when both fit (a row more for the plot), else a line per run."""
    legends = [[seg(f"{c.name} ", accents.label), *losses_line(_last(c.loss_history), _last(c.val_history),
                                                          (c.train_style, c.val_style), accents, width - 2)]
               for c in runs_]
    one_line = [segment for legend in legends for segment in [*legend, seg("   ")]][:-1]
    return [one_line] if line_width(one_line) <= width else legends


def smoothed(history: np.ndarray, plot_w: int) -> np.ndarray:
    """[N, 2] the train losses as a trailing mean over about SMOOTH_COLUMNS plot columns' worth of steps: two noisy
    curves a few hundredths apart overlap as bands; their means are distinct lines. Non-finite losses stay so."""
    window = max(1, round(len(history) / max(plot_w, 1) * SMOOTH_COLUMNS))
    if window == 1:
        return history
    losses = history[:, 1]
    sums = np.cumsum(np.concatenate([[0.0], losses]))  # [N+1]; a nan or inf spreads over its windows
    starts = np.maximum(np.arange(1, len(losses) + 1) - window, 0)  # [N]
    means = (sums[1:] - sums[starts]) / (np.arange(1, len(losses) + 1) - starts)
    return np.column_stack([history[:, 0], means])


def _last(history: np.ndarray) -> float:
    return float(history[-1, 1]) if len(history) else math.nan


def _x_range(runs_: list[Curves]) -> tuple[float, float]:
    xs = np.concatenate([c.loss_history[:, 0] for c in runs_] + [c.val_history[:, 0] for c in runs_])
    return float(xs.min()), float(xs.max())


def _event_cells(curves: Curves, x_range, y_axis, plot_w: int, plot_h: int) -> list[tuple[int, int, Event]]:
    """(row, column, event) of each event shown, on the run's own train curve at the event's step."""
    (x_lo, x_hi), (y_lo, y_hi) = x_range, y_axis
    steps, losses = curves.loss_history[:, 0], curves.loss_history[:, 1]
    cells = []
    for event in curves.events:
        if not x_lo <= event.step <= x_hi:
            continue
        column = min(int((event.step - x_lo) / ((x_hi - x_lo) or 1.0) * plot_w), plot_w - 1)
        y = float(np.interp(event.step, steps, losses))
        level = (y - y_lo) / ((y_hi - y_lo) or 1.0) if math.isfinite(y) else 1.0
        cells.append((min(max(int(round((1 - level) * (plot_h - 1))), 0), plot_h - 1), column, event))
    return cells


def render_loss_overlay(runs_: list[Curves], width: int, height: int, accents: Accents) -> list[Line]:
    """The plot with y labels and step range, one legend line per run, and the recent events of both."""
    drawn = [c for c in runs_ if len(c.loss_history)]
    if not drawn:
        return [[seg(WAITING_LOSS, accents.waiting)]]
    x_range = _x_range(drawn)
    y_lo, y_hi, clipped = y_range([h for c in drawn for h in (c.loss_history, c.val_history)])
    y_axis = (y_lo, y_hi)
    legends = run_legends(runs_, width, accents)
    plot_w, plot_h = max(width - GUTTER, 2), max(height - 2 - len(legends), 1)
    masks, styles = [], []
    for c in drawn:
        for history, style in ((smoothed(c.loss_history, plot_w), c.train_style), (c.val_history, c.val_style)):
            masks.append(dot_mask(history[:, 0], history[:, 1], x_range, y_axis, plot_w, plot_h))
            styles.append(style)
    chars, cell_styles = braille_cells(masks, styles)
    marked = [(c, cell) for c in drawn for cell in _event_cells(c, x_range, y_axis, plot_w, plot_h)]
    for curves, (row, column, _) in marked:
        chars[row][column], cell_styles[row][column] = EVENT_MARK, curves.train_style + accents.event.without_color
    out: list[Line] = []
    x_lo, x_hi = x_range
    for label, row_chars, row_styles in zip(y_labels(y_lo, y_hi, clipped, plot_h), chars, cell_styles):
        out.append([seg(label, accents.dim), *runs(row_chars, row_styles)])
    first, last = f"step {x_lo:.0f}", f"{x_hi:.0f}"
    out.append([seg(" " * GUTTER), seg(first + last.rjust(max(plot_w - len(first), 0)), accents.dim)])
    out += legends
    notes = [[seg(f" {c.name} {e.step} ", c.train_style), seg(e.label, accents.dim), seg(" ·", accents.dim)]
             for c, (_, _, e) in marked]
    out.append([seg(EVENT_MARK, accents.event), *sum(notes[-6:], [])][:-1] if notes
               else [seg("no events yet (each run's toggles are marked on its own curve)", accents.dim)])
    return out
