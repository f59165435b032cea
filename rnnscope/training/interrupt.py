"""What the long passes (validation, memory, sample, probe) ask between their pieces: is a command waiting?

The dashboard's engine loop sets Engine.interrupted to "the inbox is not empty", so a key is answered before
the rest of a pass; headless runs and tests never interrupt.
"""

from __future__ import annotations

from collections.abc import Callable

Interrupted = Callable[[], bool]


def never() -> bool:
    """The default: no interruption."""
    return False
