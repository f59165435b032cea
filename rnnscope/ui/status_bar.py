"""The one-line status bar: the run's facts, the most important first, cut to fit the width."""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING

from rich.text import Text
from textual.widget import Widget

from rnnscope.contracts.states import ATTACHED, DIVERGED, ENDED, PAUSED, RUNNING, STALE, WAITING, WATCHING

if TYPE_CHECKING:
    from rnnscope.contracts.frames import RunStatus

LOADING = "loading…"
SEPARATOR = " │ "
TIGHT_SEPARATOR = "│"  # a narrow terminal's status line
CORPUS_WIDTH = 24  # longer corpus names are cut with an ellipsis
STATE_STYLES = {RUNNING: "bold black on green", PAUSED: "bold black on yellow", DIVERGED: "bold white on red",
                WATCHING: "bold black on cyan", WAITING: "bold black on yellow", ENDED: "bold white on blue",
                STALE: "bold white on red"}
REVIEW_STYLE = "bold white on magenta"


def _count(n: float) -> str:
    """12345 -> '12.3k', 1234567 -> '1.23M'; '–' before there is a number."""
    if not math.isfinite(n):
        return "–"
    for limit, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(n) >= limit:
            return f"{n / limit:.3g}{suffix}"
    return f"{n:.0f}"


def _losses(train: float, val: float, bpc: bool = True, digits: int = 3) -> str:
    """'train 1.234 val 1.300 (1.78/1.88 bpc)': nats per character, then bits per character (bpc = nats / ln 2)."""
    nats = [f"{x:.{digits}f}" if math.isfinite(x) else "–" for x in (train, val)]
    bits = [f"{x / math.log(2):.2f}" if math.isfinite(x) else "–" for x in (train, val)]
    return f"train {nats[0]} val {nats[1]}" + (f" ({bits[0]}/{bits[1]} bpc)" if bpc else "")


def _short(name: str, width: int) -> str:
    return name if len(name) <= width else name[: width - 1] + "…"


def _clip(status: RunStatus, long: bool = True) -> str:
    if status.config.clip is None:
        return "clip off"
    rate = status.clip_fire_rate
    if not math.isfinite(rate):
        return f"clip {status.config.clip:g}"
    return f"clip {status.config.clip:g}" + (f" fires {rate:.0%}" if long else f" ({rate:.0%})")


def age(seconds: float) -> str:
    """'3 s', '4 min', '2.1 h'; '–' when unknown."""
    if not math.isfinite(seconds):
        return "–"
    seconds = max(0.0, seconds)
    if seconds < 60:
        return f"{seconds:.0f} s"
    return f"{seconds / 60:.0f} min" if seconds < 3600 else f"{seconds / 3600:.1f} h"


def attached_parts(status: RunStatus) -> list[tuple[int, list[Text]]]:
    """An attached run's facts: its state, step, the newest frame's age, the writer, the train loss, the folder."""
    state = [(0, [Text(f" {status.state} ", style=STATE_STYLES[status.state])])]
    if status.state == WAITING:
        return state + [(1, [Text(f"waiting for the first frame in {status.run_dir}", style="italic"),
                             Text("waiting for the first frame", style="italic")])]
    newest = age(time.time() - status.frame_time)
    review = [(1, [Text(f" {status.review} ", style=REVIEW_STYLE), Text(f" {status.review.split(' (')[0]} ",
                                                                        style=REVIEW_STYLE)])] if status.review else []
    return state + review + [
        (1, [Text(f"step {status.step}", style="bold")]),
        (2, [Text(f"newest frame {newest} ago"), Text(f"{newest} ago")]),
        (3, [Text(status.writer), Text(_short(status.writer, 40))]),
        (4, [Text(f"train {status.train_loss:.3f}" if math.isfinite(status.train_loss) else "train –")]),
        (5, [Text(_short(status.run_dir, CORPUS_WIDTH), style="dim")]),
    ]


def status_parts(status: RunStatus, compact: bool = False) -> list[tuple[int, list[Text]]]:
    """(rank, forms) per fact in display order, each fact's forms from the longest to the shortest; the highest
    rank is dropped first when even the shortest forms do not fit. Compact (a compare's half-width line): the
    settings the keys change (clip, init, model) outrank the losses, which the compare's loss panel shows."""
    if status.state in ATTACHED:
        return attached_parts(status)
    config = status.config
    gain = f" ×{config.init_gain:g}" if config.init_gain != 1 else ""
    model = f"{config.model} {config.layers}×{config.hidden}"
    clip_style = "dim" if config.clip is None else ""
    facts = [
        ((0, 0), [Text(f" {status.state} ", style=STATE_STYLES.get(status.state, "bold"))]),
        ((1, 1), [Text(f"step {status.step}", style="bold")]),
        ((3, 5), [Text(_losses(status.train_loss, status.val_loss, not compact))] * 2
         + [Text(_losses(status.train_loss, status.val_loss, False)),
            Text(_losses(status.train_loss, status.val_loss, False, 2))]),
        ((4, 2), [Text(_clip(status), style=clip_style)] * 3 + [Text(_clip(status, long=False), style=clip_style)]),
        ((5, 3), [Text(f"init {config.init}{gain}")]),
        ((6, 4), [Text(f"{model} {_count(status.n_params)} params"), Text(model)] if status.n_params else [Text(model)]),
        ((7, 6), [Text(f"{_count(status.chars_per_s)} chars/s")] * 3 + [Text(f"{_count(status.chars_per_s)} c/s")]),
        ((8, 7), [Text(_short(status.corpus, width)) for width in (CORPUS_WIDTH, 16, 16, 10)]),
        ((9, 8), [Text(status.device)]),
    ]
    if status.watched:  # a Scope's run replayed: its losses have no unit, it told no clip or init, its module
        facts = [facts[0], facts[1], ((3, 5), [Text(_losses(status.train_loss, status.val_loss, False))]),
                 ((6, 4), [Text(status.writer or model)])]
    elif not status.n_params:  # a run known by its timeline alone (a replay of one that exported nothing)
        unknown = {7: not math.isfinite(status.chars_per_s), 8: not status.corpus, 9: not status.device}
        facts = [(ranks, forms) for ranks, forms in facts if not unknown.get(ranks[0])]
    parts = [(ranks[compact], forms) for ranks, forms in facts]
    if status.review:  # the panels show a recorded frame (rnnscope.ui.review); the step above goes on
        parts.insert(2, (1, [Text(f" {status.review} ", style=REVIEW_STYLE)] * 4
                         + [Text(f" {status.review.split(' (')[0]} ", style=REVIEW_STYLE)]))
    if status.state == DIVERGED and status.diverged:
        parts.insert(2, (2, [Text(f"diverged at {status.diverged}", style="bold red")]))
    return parts


def fit_status(status: RunStatus | None, width: int, loading: str = LOADING, compact: bool = False) -> Text:
    """The status line for `width` cells: every fact in its longest form that fits (all facts shorten together:
    fewer words, then tighter separators), then drops the least important facts until the rest fit (compact: a
    compare's half-width line)."""
    if status is None:
        return Text(loading, style="italic")
    parts = status_parts(status, compact)
    levels = max(len(forms) for _, forms in parts)
    for separator in (SEPARATOR, TIGHT_SEPARATOR):
        for level in range(levels):
            line = _joined(parts, level, separator)
            if line.cell_len <= width:
                return line
    for keep in range(max(rank for rank, _ in parts), 0, -1):
        line = _joined([(rank, forms) for rank, forms in parts if rank < keep], levels, TIGHT_SEPARATOR)
        if line.cell_len <= width:
            return line
    line.truncate(width, overflow="ellipsis")
    return line


def _joined(parts: list[tuple[int, list[Text]]], level: int, separator: str) -> Text:
    """The facts at form `level` (a fact with fewer forms keeps its shortest), joined by `separator`."""
    return Text(separator, style="dim").join(forms[min(level, len(forms) - 1)] for _, forms in parts)


class StatusBar(Widget):
    """Shows the latest RunStatus on one line ("loading…" before the first frame)."""

    def __init__(self, *, loading: str = LOADING, id: str | None = None) -> None:
        super().__init__(id=id)
        self.shown: RunStatus | None = None  # the status on screen
        self._loading = loading  # what it says before the first frame
        self._ticking = None  # the once-a-second repaint of an attached run's age

    def show_status(self, status: RunStatus) -> None:
        self.shown = status
        self.refresh()
        if status.state in (WATCHING, STALE, ENDED) and self._ticking is not None:  # the newest frame's age grows
            self._ticking.resume()

    def on_mount(self) -> None:
        # Made here, in the app's context (show_status may run in a callback scheduled from the source's thread).
        self._ticking = self.set_interval(1.0, self.refresh, pause=True)

    def render(self) -> Text:
        return fit_status(self.shown, self.size.width, self._loading)
