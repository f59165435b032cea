"""What feeds the dashboard: anything that publishes its parts and takes commands (engine, replay, fakes)."""

from __future__ import annotations

import queue
from collections.abc import Callable, Mapping
from typing import Protocol

Publish = Callable[[Mapping[str, object]], None]
"""Takes the source's current parts (rnnscope.contracts.parts.PARTS); the transport sends on only what changed."""


class FrameSource(Protocol):
    """Runs in one thread or process: publishes its parts, drains `inbox` between steps, returns on Quit."""

    def run(self, publish: Publish, inbox: queue.Queue) -> None: ...


SourceFactory = Callable[[], FrameSource]
