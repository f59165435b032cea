"""Who publishes (rank 0 alone) and the writes that may fail: one warning, then the scope stops writing."""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable


def rank() -> int:
    """This process's rank: torch.distributed's when initialised (no collective), else torchrun's RANK, else 0."""
    import torch.distributed as dist

    if dist.is_available() and dist.is_initialized():
        return dist.get_rank()
    try:
        return int(os.environ.get("RANK", "0"))
    except ValueError:
        return 0


class SafeWrites:
    """Runs writes; the first failure is one warning and ends all writing (the training never sees it)."""

    def __init__(self, run_dir: str) -> None:
        self.run_dir = run_dir
        self.failed = False

    def attempt(self, write: Callable[[], None]) -> bool:
        if self.failed:
            return False
        try:
            write()
        except Exception as error:  # a full disk, a vanished folder, a permission change: never the training's problem
            self.fail(error)
            return False
        return not self.failed

    def fail(self, error: Exception) -> None:
        """A write failed (here, or in the timeline's recorder): one warning, and nothing more is written."""
        self.failed = True
        warnings.warn(f"rnnscope Scope stopped writing to {self.run_dir}: {type(error).__name__}: {error}",
                      RuntimeWarning, stacklevel=4)
