"""Bounded run histories: memory stays flat however long the run, the whole run's shape is kept."""

from __future__ import annotations

from collections import deque

import numpy as np


class DecimatingHistory:
    """Rows of floats; when full, every other row is dropped and only every stride-th new row is kept."""

    def __init__(self, columns: int, capacity: int = 4096):
        self.capacity = capacity - capacity % 2
        self._rows = np.zeros((self.capacity, columns), dtype=np.float64)  # [capacity, columns]
        self._count = 0
        self._stride = 1
        self._seen = 0

    def append(self, *row: float) -> None:
        self._seen += 1
        if (self._seen - 1) % self._stride:
            return
        if self._count == self.capacity:
            self._rows[: self.capacity // 2] = self._rows[0 : self.capacity : 2]
            self._count = self.capacity // 2
            self._stride *= 2
        self._rows[self._count] = row
        self._count += 1

    def __len__(self) -> int:
        return self._count

    @property
    def stride(self) -> int:
        """Changes whenever the kept rows are thinned (the rows before then are no longer the same)."""
        return self._stride

    def rows_from(self, start: int) -> np.ndarray:
        """A copy of the kept rows from `start` on, [N - start, columns] (what a screen lacks)."""
        return self._rows[start: self._count].copy()

    def array(self) -> np.ndarray:
        """A copy of the kept rows, [N, columns]."""
        return self._rows[: self._count].copy()

    def state(self) -> dict:
        return {"rows": self.array(), "stride": self._stride, "seen": self._seen}

    def set_state(self, rows: np.ndarray, stride: int, seen: int) -> None:
        self._count = min(len(rows), self.capacity)
        self._rows[: self._count] = rows[-self._count :] if self._count else rows[:0]
        self._stride = stride
        self._seen = seen


class RecentWindow:
    """The last `size` values, for smoothed loss, the clip fire rate and the step time."""

    def __init__(self, size: int = 100):
        self._values: deque[float] = deque(maxlen=size)

    def add(self, value: float) -> None:
        self._values.append(value)

    def clear(self) -> None:
        self._values.clear()

    def mean(self) -> float:
        return float(np.mean(self._values)) if self._values else float("nan")
