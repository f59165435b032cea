"""Start-up without garbage-collection passes: what a process makes while it starts (Textual's, numpy's and torch's
modules, the corpus, the panels) lives as long as the run, so collecting it is wasted time on the dashboard's
first paint (cost: benchmarks/README.md, ui_latency). `starting()` first thing, `started()` once the run is set up."""

from __future__ import annotations

import gc


def starting() -> None:
    """No collection passes until `started()` (cheap allocations only: nothing is freed later than it would be by
    reference counting, which frees all but cycles)."""
    gc.disable()


def started() -> None:
    """The start-up is over: what it made is frozen (never scanned again by a collection) and collection resumes.
    Harmless when called again, or without `starting()`."""
    gc.freeze()
    gc.enable()


def resume() -> None:
    """Collection resumes (without a freeze): the command line's safety net when a mode ended before its start-up
    was over (a refusal, --help), so that nothing in this process goes on without collection."""
    gc.enable()
