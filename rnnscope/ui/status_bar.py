"""The one-line status bar: the run's facts, the most important first, cut to fit the width."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from rich.text import Text
from textual.widget import Widget

from rnnscope.states import DIVERGED, PAUSED, RUNNING

if TYPE_CHECKING:
    from rnnscope.frames import RunStatus

LOADING = "loading…"
SEPARATOR = " │ "
CORPUS_WIDTH = 24  # longer corpus names are cut with an ellipsis
STATE_STYLES = {RUNNING: "bold black on green", PAUSED: "bold black on yellow", DIVERGED: "bold white on red"}


def _count(n: float) -> str:
    """12345 -> '12.3k', 1234567 -> '1.23M'; '–' before there is a number."""
    if not math.isfinite(n):
        return "–"
    for limit, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(n) >= limit:
            return f"{n / limit:.3g}{suffix}"
    return f"{n:.0f}"


def _losses(train: float, val: float, compact: bool = False) -> str:
    """'train 1.234 val 1.300 (1.78/1.88 bpc)': nats per character, then bits per character (compact: no bpc)."""
    nats = [f"{x:.3f}" if math.isfinite(x) else "–" for x in (train, val)]
    bits = [f"{x / math.log(2):.2f}" if math.isfinite(x) else "–" for x in (train, val)]
    return f"train {nats[0]} val {nats[1]}" + ("" if compact else f" ({bits[0]}/{bits[1]} bpc)")


def _short(name: str, width: int) -> str:
    return name if len(name) <= width else name[: width - 1] + "…"


def _clip(status: RunStatus) -> str:
    if status.config.clip is None:
        return "clip off"
    rate = status.clip_fire_rate
    return f"clip {status.config.clip:g}" + (f" fires {rate:.0%}" if math.isfinite(rate) else "")


def status_parts(status: RunStatus, compact: bool = False) -> list[tuple[int, Text]]:
    """(rank, text) per fact, in display order; the highest rank is dropped first when space is short."""
    parts = [
        (0, Text(f" {status.state} ", style=STATE_STYLES.get(status.state, "bold"))),
        (1, Text(f"step {status.step}", style="bold")),
        (3, Text(_losses(status.train_loss, status.val_loss, compact))),
        (4, Text(_clip(status), style="dim" if status.config.clip is None else "")),
        (5, Text(f"init {status.config.init}" + (f" ×{status.config.init_gain:g}" if status.config.init_gain != 1 else ""))),
        (6, Text(f"{status.config.model} {status.config.layers}×{status.config.hidden} {_count(status.n_params)} params")),
        (7, Text(f"{_count(status.chars_per_s)} chars/s")),
        (8, Text(_short(status.corpus, CORPUS_WIDTH))),
        (9, Text(status.device)),
    ]
    if status.state == DIVERGED and status.diverged:
        parts.insert(2, (2, Text(f"diverged at {status.diverged}", style="bold red")))
    return parts


def fit_status(status: RunStatus | None, width: int, loading: str = LOADING, compact: bool = False) -> Text:
    """The status line for `width` cells: drops the least important facts until the rest fit (compact: a
    compare's half-width line, losses without bpc)."""
    if status is None:
        return Text(loading, style="italic")
    parts = status_parts(status, compact)
    for keep in range(max(rank for rank, _ in parts) + 1, 0, -1):
        line = Text(SEPARATOR, style="dim").join(text for rank, text in parts if rank < keep)
        if line.cell_len <= width:
            return line
    line.truncate(width, overflow="ellipsis")
    return line


class StatusBar(Widget):
    """Shows the latest RunStatus on one line ("loading…" before the first frame)."""

    def __init__(self, *, loading: str = LOADING, id: str | None = None) -> None:
        super().__init__(id=id)
        self.shown: RunStatus | None = None  # the status on screen
        self._loading = loading  # what it says before the first frame

    def show_status(self, status: RunStatus) -> None:
        self.shown = status
        self.refresh()

    def render(self) -> Text:
        return fit_status(self.shown, self.size.width, self._loading)
