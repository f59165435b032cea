"""What the dashboard benchmarks share: the screen size, the warm-up, and waiting for the app to get somewhere."""

from __future__ import annotations

import asyncio
import time

SIZE = (160, 48)  # the size the targets are stated at
WARM_STEPS = 5  # steps trained before anything is timed


async def until(predicate, timeout: float = 120.0) -> None:
    """Poll `predicate` on the app's loop every 2 ms; TimeoutError after `timeout` seconds."""
    deadline = time.perf_counter() + timeout
    while not predicate():
        if time.perf_counter() > deadline:
            raise TimeoutError("the dashboard did not get there in time")
        await asyncio.sleep(0.002)
