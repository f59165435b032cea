"""Lockstep of two runs in two processes: each may train only while it is at most LEAD steps ahead of the other.

Each side writes its step and whether it can train into a small shared array; the other reads it before every
step. No messages and no coordinator: the rule below is the one place that decides who may step.
"""

from __future__ import annotations

from rnnscope.contracts.states import DIVERGED, PAUSED, RUNNING

LEAD = 2  # the most steps one run may be ahead of the other


def may_step(mine: int, state: str, theirs: int, their_live: bool, lead: int = LEAD) -> bool:
    """Whether a run at step `mine` in `state` may train one more step, the other run being at `theirs`.

    Running: while not more than `lead` steps ahead of a live partner (a diverged partner never holds it).
    Paused: only to catch up with a live partner that is ahead by at most `lead` (both stop at the same step
    after space, though the two pauses reach the runs a step or two apart). Diverged: never.

    The divergence rule, the one for every compare (on the screen and headless): a diverged run stops where it
    diverged; its partner is never held by it and trains on alone.
    """
    if state == RUNNING:
        return not their_live or mine < theirs + lead
    if state == PAUSED:
        return their_live and mine < theirs <= mine + lead
    return False


class Lockstep:
    """One side's view of the pair: its own slot (written) and the other's (read), each
    [step, live, export step asked for (A), export step answered (B)]."""

    def __init__(self, mine, theirs, lead: int = LEAD) -> None:
        self.mine, self.theirs, self.lead = mine, theirs, lead  # multiprocessing RawArray('q', 2) or a list

    def tell(self, step: int, state: str) -> None:
        """Say where this run is (after every step and every command)."""
        self.mine[0], self.mine[1] = step, int(state != DIVERGED)

    def may_step(self, step: int, state: str) -> bool:
        return may_step(step, state, int(self.theirs[0]), bool(self.theirs[1]), self.lead)

    def export_step(self, step: int, state: str) -> int:
        """A step neither run has passed, so both can export there: the furthest one, plus the lead while
        running (the other may be that far on before it reads the request)."""
        furthest = max(step, int(self.theirs[0])) if self.theirs[1] else step
        return furthest + (self.lead if state == RUNNING else 0)

    def request_export(self, step: int) -> None:
        self.mine[2] = max(int(self.mine[2]), step)

    def requested(self) -> int:
        """The export step the other run (A) asked for last (-1: none)."""
        return int(self.theirs[2])

    def answer_export(self, step: int) -> None:
        self.mine[3] = step

    def answered(self) -> int:
        """The export step the other run (B) has written its snapshot for."""
        return int(self.theirs[3])


def shared_slots(context=None) -> tuple:
    """Two slots, one per run, each [step 0, live, no export asked, none answered]: shared arrays for the two
    processes of a pair (a spawn context), plain lists for a pair in one process (None)."""
    start = [0, 1, -1, -1]
    return (list(start), list(start)) if context is None else (context.RawArray("q", start), context.RawArray("q", start))
