"""A frame as versioned parts: a source sends only the parts that changed, the screen keeps the latest of each.

A part is one field of Frame (PARTS names them). Adding a part (e.g. `memory`) is a field on Frame, an entry
in PARTS and an entry in what the source publishes (Engine.parts); nothing else in the transport changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from rnnscope.contracts.frames import Frame

PARTS = ("status", "vocab", "last_step", "loss_history", "val_history", "events", "probe", "sample", "notice",
         "memory", "lesson_evidence", "tunes", "units")


@dataclass(frozen=True, eq=False)
class Rows:
    """The rows of a history from row `start` on (start 0: the whole history, e.g. after it was thinned)."""

    start: int
    rows: np.ndarray  # [n, columns]

    def onto(self, kept: np.ndarray | None) -> np.ndarray:
        """The whole history: the first `start` rows already kept, then these."""
        if self.start == 0 or kept is None:
            return self.rows
        return np.concatenate([kept[: self.start], self.rows])  # [start + n, columns]


@dataclass(frozen=True, eq=False)
class Update:
    """What changed since the last update: part name -> (version, value); a Rows value extends its history."""

    parts: dict[str, tuple[int, object]]


class PartsOut:
    """The sending side: compares the current parts with what it sent and makes an Update of the differences.

    Parts are compared with `is` or `==` (frames' arrays and probes compare by identity: the engine makes a new
    object when they change); an appendable history (len, stride, rows_from) is sent as the rows added since.
    """

    def __init__(self) -> None:
        self.sent: dict[str, object] = {}  # part name -> the value (or history key) last sent
        self.versions: dict[str, int] = {}

    def update(self, parts: Mapping[str, object]) -> Update | None:
        changed = {}
        for name, value in parts.items():
            key = (value.stride, len(value)) if hasattr(value, "rows_from") else value
            last = self.sent.get(name, _NEVER)
            if last is key or (not isinstance(key, np.ndarray) and last == key):
                continue
            if hasattr(value, "rows_from"):  # rows appended since the last update, or all of them after thinning
                start = last[1] if last is not _NEVER and last[0] == key[0] else 0
                value = Rows(start, value.rows_from(start))
            self.sent[name] = key
            self.versions[name] = self.versions.get(name, 0) + 1
            changed[name] = (self.versions[name], value)
        return Update(changed) if changed else None


_NEVER = object()


class PartStore:
    """The receiving side, one per run: the latest value and version of each part, and the Frame they make."""

    def __init__(self) -> None:
        self.values: dict[str, object] = {}
        self.versions: dict[str, int] = {}
        self.seq = 0  # updates received

    def receive(self, update: Update) -> None:
        """Keep the update's parts as the latest (appended rows joined onto the rows held)."""
        for name, (version, value) in update.parts.items():
            if isinstance(value, Rows):
                value = value.onto(self.values.get(name))
            self.values[name], self.versions[name] = value, version
        self.seq += 1

    def frame(self) -> Frame | None:
        """The picture so far (None before the first status); unsent parts keep Frame's defaults."""
        if "status" not in self.values:
            return None
        return Frame(seq=self.seq, versions=dict(self.versions), **self.values)


def frame_parts(frame: Frame) -> dict[str, object]:
    """A whole Frame as parts (replay and test sources publish frames)."""
    return {name: getattr(frame, name) for name in PARTS}
