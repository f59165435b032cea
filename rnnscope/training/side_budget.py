"""One budget for everything the engine does beside training: what it cost, its share, what fits, and when.

How a piece of side work joins (a new analysis with its own cadence): add its name to KINDS, time each pass with
`with engine.budget.timed(KIND): ...`, and take a pass only when `engine.budget.affords(KIND)` (or through a Cadence,
which adds a minimum interval and tells the user once when the work is too costly for that interval). Nothing
else is needed: its medians appear in `timings`, and its cost counts against the one budget shared with the rest.
"""

from __future__ import annotations

import contextlib
import math
import statistics
import time
from collections import deque
from collections.abc import Callable, Iterator

SIDE_BUDGET = 0.03  # everything beside training together: at most this fraction of the training time
PLANNED = 0.9  # work taken when the budget affords it keeps to this part of it: the rest absorbs what is not planned
# (an export, a key, a pass costlier than its median)
KINDS = ("probe", "validation", "memory", "sample", "norms", "timeline", "lesson", "units", "best")
GUESSED = {"best": 1.0}  # seconds a kind is expected to cost before any of its passes is known (a first pass too
# costly to take on trust: --export-best's snapshot, figure and checkpoint, benchmarks/README.md, by hand)
PRIORITY = ("validation", "probe")  # each leaves room for one of those before it; every other kind for both
VALIDATION_SHARE = 0.5  # validation keeps its step schedule; beyond this part of the budget by itself the user is told
OTHER_SHARE = 1 / 3  # a kind not in PRIORITY may take at most this part of the budget by itself (probes keep going)
MEDIAN_AFTER = 3  # fewer costs known than this: the least of them is expected
BRINGS = {"probe": ("timeline",)}  # a kind's pass brings these along: room kept for it is kept for them too
STEPPED = ("validation", "norms")  # taken on the step schedule, never asked: the kinds behind PRIORITY leave room for
# the share they have taken so far
PRIORITY_KINDS = tuple(kind for first in PRIORITY for kind in (first, *BRINGS.get(first, ())))  # PRIORITY with
# what each brings along
HELD_BACK = tuple(kind for kind in KINDS if kind not in (*PRIORITY_KINDS, *STEPPED))  # the kinds behind all of them
AHEAD = {kind: PRIORITY_KINDS[: PRIORITY_KINDS.index(kind)] for kind in PRIORITY}  # room kept for a PRIORITY kind
WINDOW = 1024  # the medians are over the last this many of each kind (memory stays flat over long runs)


class SideBudget:
    """The engine's side work, timed by kind, against the training-step time of this process (`engine.budget`).

    `affords(*kinds)` says whether one more of each of `kinds`, at the median cost of its recent ones (a cold first
    pass does not decide), keeps everything beside training within `budget` of the training time so far, leaving
    room for the kinds ahead of it in PRIORITY. Work taken only when it affords it keeps the share at or below the
    budget, whatever one pass costs: a costly kind is simply taken less often. Work before the first training step
    (start-up: cold passes, like torch's imports) and after close() (wind-down) is kept in `outside_s`, not
    charged; a start-up cost is what a kind behind the priority expects until its own passes are known (the probe
    and validation are not held back by a cold first pass: their panels keep moving)."""

    def __init__(self, budget: float = SIDE_BUDGET, clock: Callable[[], float] = time.perf_counter):
        self.budget, self.clock = budget, clock
        self.train_s = 0.0
        self.side_s = 0.0
        self.outside_s = 0.0  # start-up and wind-down: before the first training step, after the last
        self.closed = False  # the last training step was taken (close())
        self.spent = {kind: 0.0 for kind in KINDS}  # seconds per kind, whole run
        self._recent = {kind: deque(maxlen=WINDOW) for kind in ("train_step", *KINDS)}
        self._nested = 0.0  # seconds of the timed blocks inside the one being timed
        self.intervals: dict[str, float] = {}  # kind -> its Cadence's interval (the probe's: what to keep room for)

    def add_training(self, seconds: float) -> None:
        """One training step's time (its per-parameter norms excluded: they are side work)."""
        self.train_s += seconds
        self._recent["train_step"].append(seconds)

    def add(self, kind: str, seconds: float) -> None:
        """One piece of side work of `kind` (one of KINDS), interrupted or not: it took the time either way."""
        _known(kind)
        if self.closed:  # wind-down: training is over, nothing can slow it
            self.outside_s += seconds
            return
        if self.train_s == 0:  # start-up: a cold pass; a kind behind the priority waits for its cost to fit
            self.outside_s += seconds
            if kind not in PRIORITY_KINDS:
                self._recent[kind].append(seconds)
            return
        self._recent[kind].append(seconds)
        self.spent[kind] += seconds
        self.side_s += seconds

    @contextlib.contextmanager
    def timed(self, kind: str) -> Iterator[None]:
        """`with budget.timed("timeline"): ...` adds the block's wall time to `kind`, also when it raises; a block
        timed inside it is charged to its own kind only (an export's probe is a probe)."""
        _known(kind)
        started = self.clock()
        outer_nested, self._nested = self._nested, 0.0
        try:
            yield
        finally:
            took = self.clock() - started
            self.add(kind, took - self._nested)
            self._nested = outer_nested + took

    def expected(self, kind: str) -> float:
        """The median of the recent costs of `kind` in seconds, the least of them while there are fewer than
        MEDIAN_AFTER (a cold first pass does not decide); before the first, its GUESSED cost or 0."""
        recent = self._recent[kind]
        if not recent:
            return GUESSED.get(kind, 0.0)
        return statistics.median(recent) if len(recent) >= MEDIAN_AFTER else min(recent)

    def affords(self, *kinds: str) -> bool:
        """Whether one more of each of `kinds` (a kind named twice: two) at its expected cost keeps the side work
        within PLANNED of the budget, with room left for one of each kind ahead of the first in PRIORITY; a first
        kind not in PRIORITY must also keep its own spending within OTHER_SHARE of that and within its equal part of
        what validation and the probe's pace leave (_others_cap), shared with the other such kinds whose cost is known:
        the cheap ones cannot fill every gap and starve a costly one."""
        ahead = AHEAD.get(kinds[0], PRIORITY_KINDS)
        own = self.spent[kinds[0]] + self.expected(kinds[0])
        planned = PLANNED * self.budget * self.train_s
        if kinds[0] not in PRIORITY and own > min(OTHER_SHARE * planned, self._others_cap() / self._others_known(kinds[0])):
            return False  # each kind behind PRIORITY keeps to its part of what they may spend: none starves
        cost = sum(self.expected(kind) for kind in (*kinds, *ahead))
        return self.side_s + cost <= planned

    def _others_known(self, kind: str) -> int:
        """How many kinds behind PRIORITY share what they may spend: those with a known cost, and `kind`."""
        return len({k for k in HELD_BACK if self._recent[k] or k == kind})

    def _others_cap(self) -> float:
        """What the kinds behind PRIORITY may spend together: the planned budget less the STEPPED kinds' share so far
        (at most half the plan) and the probe's at its Cadence's pace (at most half the plan). Without it the cheaper
        kinds fill every gap the budget leaves and the probe panels stand still (the default dashboard's units and
        memory passes did)."""
        planned = PLANNED * self.budget
        if self.train_s <= 0:
            return 0.0
        stepped = min(sum(self.spent[kind] for kind in STEPPED) / self.train_s, planned / 2)
        probe = ("probe", *BRINGS["probe"])
        pace = sum(self.expected(k) for k in probe) / self.intervals["probe"] if "probe" in self.intervals else 0.0
        return max(planned - stepped - min(pace, planned / 2), 0.0) * self.train_s

    def share_of(self, kind: str, every_steps: int) -> float:
        """The share of the training time that `kind`, done every `every_steps` training steps, takes (0 before
        anything is known)."""
        period = every_steps * self.expected("train_step")
        return self.expected(kind) / period if period > 0 else 0.0

    def paid_every_s(self, *kinds: str) -> float:
        """The training time that pays for one of each of `kinds` at the budget (what a too costly kind's interval
        becomes)."""
        return sum(self.expected(kind) for kind in kinds) / (PLANNED * self.budget)

    def close(self) -> None:
        """The run's last training step was taken: what follows (its final probe, memory, export) is wind-down, as
        uncharged as start-up: it cannot slow the training."""
        self.closed = True

    def share(self) -> float:
        """The share of the time spent training or beside it that went beside it (0 before anything)."""
        total = self.train_s + self.side_s
        return self.side_s / total if total > 0 else 0.0

    def timings(self) -> dict[str, float | None]:
        """meta.json's and the headless line's `timings`: median ms per kind (None where none ran), side_share."""
        medians = {f"{kind}_ms": round(self.expected(kind) * 1000, 3) if self._recent[kind] else None
                   for kind in ("train_step", *KINDS)}
        return {**medians, "side_share": round(self.share(), 5)}


def _known(kind: str) -> None:
    """KeyError for an unknown kind: a typo must not go unbudgeted."""
    if kind not in KINDS:
        raise KeyError(f"unknown side kind {kind!r}: one of {', '.join(KINDS)}")


class Cadence:
    """When a piece of side work (`kinds[0]`, with the kinds it brings along, e.g. a probe's timeline write) is due
    while training: `interval` seconds after the last one, once the side budget affords it. One too costly for its
    interval is taken as often as the budget pays for it; `tell(text)` (if given) then says so once."""

    def __init__(self, budget: SideBudget, kinds: tuple[str, ...], interval: float,
                 tell: Callable[[str], None] | None = None, advice: str = ""):
        self.budget, self.kinds, self.interval = budget, kinds, interval
        budget.intervals[kinds[0]] = interval
        self.tell, self.advice = tell, advice
        self.last_time = -math.inf
        self.told = False

    def due(self, now: float) -> bool:
        if now - self.last_time < self.interval:
            return False
        if self.budget.affords(*self.kinds):
            return True
        paid_every = self.budget.paid_every_s(*self.kinds)
        if self.tell is not None and not self.told and paid_every > 1.5 * self.interval:
            self.told = True
            cost_ms = sum(self.budget.expected(kind) for kind in self.kinds) * 1000
            self.tell(f"the {self.kinds[0]} takes {cost_ms:,.0f} ms: taken about every {paid_every:,.0f} s of "
                      f"training instead of every {self.interval:g} s, to keep the work beside training within "
                      f"{self.budget.budget:.0%}{self.advice}")
        return False

    def done(self, now: float) -> None:
        """One was made, started at `now`."""
        self.last_time = now
