"""How a Scope fails inside the user's loop: one RuntimeWarning naming each cause, then it skips or stops; never a
raise into training."""

from __future__ import annotations

import contextlib
import warnings

import numpy as np

OWN = "rnnscope Scope"  # how the scope's own warnings begin


class Guard:
    """Tells each cause once; `stop` ends the watching for good (the caller then closes its files)."""

    def __init__(self, run_dir: str) -> None:
        self.run_dir = run_dir
        self.told: set[str] = set()
        self.stopped: str | None = None  # the cause, once stopped

    def tell(self, cause: str, then: str) -> None:
        """One RuntimeWarning for `cause` (the first time only): what happened and what the scope does now."""
        if cause in self.told:
            return
        self.told.add(cause)
        warnings.warn(f"{OWN} ({self.run_dir}): {cause}; {then}", RuntimeWarning, stacklevel=4)

    def stop(self, cause: str) -> None:
        if self.stopped is None:
            self.stopped = cause
            self.tell(cause, "it stops watching (training goes on, unchanged)")


def failure(what: str, error: Exception) -> str:
    """'the probe failed (IndexError: ...)', cut to a line."""
    return f"{what} failed ({type(error).__name__}: {str(error)[:200]})"


@contextlib.contextmanager
def quiet():
    """numpy's and torch's own warnings about the numbers a probe and its frame meet (an all-NaN slice of a diverged
    model, overflow) kept out of the user's stderr: the frame shows those numbers. The scope's own are passed on."""
    with warnings.catch_warnings(record=True) as caught, np.errstate(all="ignore"):
        warnings.simplefilter("always")
        yield
    for said in caught:
        if str(said.message).startswith(OWN):
            warnings.warn_explicit(said.message, said.category, said.filename, said.lineno)
