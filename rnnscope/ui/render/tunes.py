"""The tunes view of the sample panel: valid tunes k of n beside the training tunes' share, the copied share, and the
newest valid tune's piano roll (half blocks, two pitches a row) with its first lines."""

from __future__ import annotations

import math

import numpy as np

from rnnscope.contracts.tunes import TunesReading
from rnnscope.contracts.visible import safe_text
from rnnscope.music.midi import note_name, piano_roll
from rnnscope.ui.render.accents import Accents
from rnnscope.ui.render.lines import Line, corpus_seg, seg

WAITING_TUNES = "no valid tune yet: samples start from {start!r} and are cut at blank lines"
LABEL = 4  # cells for a row's note name


def tunes_summary(tunes: TunesReading) -> str:
    share = "" if tunes.checked == 0 else f" ({tunes.share:.0%})"
    training = "n/a" if tunes.training_share is None else f"{tunes.training_share:.0%}"
    copied = "n/a" if math.isnan(tunes.copied_share) else f"{tunes.copied_share:.0%}"
    return (f"valid {tunes.valid} of {tunes.checked}{share} · training tunes {training} · copied {copied} · "
            f"{tunes.samples} samples")


def roll_lines(notes: np.ndarray, width: int, rows: int) -> list[Line]:
    """The notes as rows of half blocks (the top row the highest pitches), each labelled with its upper note."""
    columns = max(width - LABEL, 1)
    grid, low, _ = piano_roll(notes, columns)  # [pitches, columns], row 0 the lowest
    if grid.shape[0] == 0 or rows < 1:
        return []
    per_half = max(1, math.ceil(grid.shape[0] / (2 * rows)))  # pitches merged into one half cell when too many
    halves = math.ceil(grid.shape[0] / per_half)
    merged = np.zeros((halves + halves % 2, columns), dtype=bool)  # [even halves, columns]
    for h in range(halves):
        merged[h] = grid[h * per_half : (h + 1) * per_half].any(axis=0)
    lines = []
    for r in range(merged.shape[0] // 2 - 1, -1, -1):  # top line first
        lower, upper = merged[2 * r], merged[2 * r + 1]
        cells = "".join("█" if u and d else "▀" if u else "▄" if d else " " for u, d in zip(upper, lower))
        top = min(low + (2 * r + 2) * per_half - 1, low + grid.shape[0] - 1)
        lines.append([seg(f"{note_name(top):<{LABEL}}"[:LABEL], None), seg(cells, None)])
    return lines


def render_tunes(tunes: TunesReading, width: int, height: int, accents: Accents) -> list[Line]:
    """Summary line, the note (e.g. how to install abc2midi), then the newest valid tune: its step and title, its
    piano roll in what height is left, and its first lines when room remains."""
    lines: list[Line] = [[seg(tunes_summary(tunes)[:width], accents.label)]]
    if tunes.note:
        lines.append([seg(safe_text(tunes.note)[:width], accents.exploding)])
    newest = tunes.newest_valid
    if newest is None:
        lines.append([seg(safe_text(WAITING_TUNES.format(start=tunes.start))[:width], accents.waiting)])
        return lines[:height]
    head = newest.text.split("\n")
    title = next((line[2:] for line in head if line.startswith("T:")), "")
    lines.append([seg(f"newest valid @ step {newest.step:,}: ", accents.dim), corpus_seg(title[: max(width - 30, 0)]),
                  seg(f" ({len(tunes.notes)} notes, copied {newest.copied_share:.0%})", accents.dim)])
    room = height - len(lines)  # the roll first (up to 16 rows), the tune's first lines below it where room is left
    roll = roll_lines(tunes.notes, width, max(min(room, 16), 1))
    lines += roll
    for text in head[: max(height - len(lines), 0)]:
        lines.append([corpus_seg(text[:width])])
    return lines[:height]
