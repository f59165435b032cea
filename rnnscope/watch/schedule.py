"""When a Scope probes: every N steps, or whenever its time so far stays within a share of the loop's wall time; and
the run's step for the loop's own (which may go back each epoch)."""

from __future__ import annotations

import statistics
import time
from collections import deque

from rnnscope.storage.timeline.index import check_step

COSTS_KEPT = 8  # the next probe's cost is guessed as the median of the last few


class ProbeSchedule:
    """Keeps the time spent beside training (`spend`) and says whether a probe is due at a step."""

    def __init__(self, budget: float, every: int | None, clock=time.perf_counter) -> None:
        self.budget = budget
        self.every = every
        self.clock = clock
        self.started: float | None = None  # the first call: the loop's wall time is measured from here
        self.spent = 0.0  # seconds spent beside training (gradient norms, probes, writes)
        self.costs: deque[float] = deque(maxlen=COSTS_KEPT)  # seconds of the last probes (probe + write)
        self.guess: float | None = None  # the next probe's cost: their median, taken once per probe
        self.last_step: int | None = None  # the run step of the last probe
        self.loop_seen: int | None = None  # the loop's latest step as given
        self.offset = 0  # run step = the loop's step + offset

    def run_step(self, step) -> int:
        """The run's step for the loop's `step` (any whole number 0..2**53-1; TypeError / ValueError, one line, for
        anything else). It never goes back: when the loop's step does (a new epoch's `enumerate(loader)`, a restart),
        the run's goes on from the last one + 1, so `every` keeps probing and no frame is taken for a new run."""
        value = check_step(step)
        offset = self.offset + (self.loop_seen + 1 - value if self.loop_seen is not None and value < self.loop_seen
                                else 0)
        run_step = check_step(value + offset)  # past 2**53-1: refused, nothing changed
        self.loop_seen, self.offset = value, offset
        return run_step

    def start(self) -> None:
        if self.started is None:
            self.started = self.clock()

    def spend(self, seconds: float) -> None:
        self.spent += seconds

    def probed(self, step: int, seconds: float) -> None:
        """A probe took `seconds` (already spent: the share counts every probe). The first one is start-up (first
        calls, allocations): not taken as the guess of the next one's cost, so the second comes at once and the
        budget paces the rest, paying the first back too."""
        if self.last_step is not None:
            self.costs.append(seconds)
            self.guess = statistics.median(self.costs)
        self.last_step = step

    def due(self, step: int) -> bool:
        """The first step always; then every `every` steps, or when the guessed cost fits the budget's credit."""
        self.start()
        if self.last_step is None:
            return True
        if self.every is not None:
            return step - self.last_step >= self.every
        if self.guess is None:
            return True
        credit = self.budget * (self.clock() - self.started) - self.spent
        return credit >= self.guess

    def share(self) -> float:
        """The share of the loop's wall time spent beside training so far."""
        elapsed = 0.0 if self.started is None else self.clock() - self.started
        return self.spent / elapsed if elapsed > 0 else 0.0
