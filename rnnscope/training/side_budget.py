"""One budget for everything the engine does beside training: what it cost, its share, and whether more fits."""

from __future__ import annotations

import contextlib
import statistics
import time
from collections import deque
from collections.abc import Callable, Iterator

SIDE_BUDGET = 0.03  # everything beside training together: at most this fraction of the training time
KINDS = ("probe", "validation", "memory", "sample", "norms", "timeline", "units")
WINDOW = 1024  # the medians are over the last this many of each kind (memory stays flat over long runs)


class SideBudget:
    """The engine's side work, timed by kind, against the training-step time of this process (`engine.side`).

    `affords(kind)` says whether one more of `kind`, at the median cost of its recent ones (a cold first pass does
    not decide), keeps everything beside training within `budget` of the training time so far."""

    def __init__(self, budget: float = SIDE_BUDGET, clock: Callable[[], float] = time.perf_counter):
        self.budget, self.clock = budget, clock
        self.train_s = 0.0
        self.side_s = 0.0
        self.spent = {kind: 0.0 for kind in KINDS}  # seconds per kind, whole run
        self._recent = {kind: deque(maxlen=WINDOW) for kind in ("train_step", *KINDS)}

    def add_training(self, seconds: float) -> None:
        """One training step's time (its per-parameter norms excluded: they are side work)."""
        self.train_s += seconds
        self._recent["train_step"].append(seconds)

    def add(self, kind: str, seconds: float) -> None:
        """One piece of side work of `kind` (one of KINDS), interrupted or not: it took the time either way."""
        self.spent[kind] += seconds  # KeyError for an unknown kind: a typo must not go unbudgeted
        self.side_s += seconds
        self._recent[kind].append(seconds)

    @contextlib.contextmanager
    def timed(self, kind: str) -> Iterator[None]:
        """`with side.timed("timeline"): ...` adds the block's wall time to `kind`, also when it raises."""
        if kind not in self.spent:
            raise KeyError(f"unknown side kind {kind!r}: one of {', '.join(KINDS)}")
        started = self.clock()
        try:
            yield
        finally:
            self.add(kind, self.clock() - started)

    def expected(self, kind: str) -> float:
        """The median of the recent costs of `kind` in seconds (0 before the first)."""
        recent = self._recent[kind]
        return statistics.median(recent) if recent else 0.0

    def affords(self, kind: str) -> bool:
        """Whether one more `kind` at its expected cost keeps the side work within the budget."""
        return self.side_s + self.expected(kind) <= self.budget * self.train_s

    def share(self) -> float:
        """The share of the time spent training or beside it that went beside it (0 before anything)."""
        total = self.train_s + self.side_s
        return self.side_s / total if total > 0 else 0.0

    def timings(self) -> dict[str, float | None]:
        """meta.json's and the headless line's `timings`: median ms per kind (None where none ran), side_share."""
        medians = {f"{kind}_ms": round(self.expected(kind) * 1000, 3) if self._recent[kind] else None
                   for kind in ("train_step", *KINDS)}
        return {**medians, "side_share": round(self.share(), 5)}
