"""What feeds the dashboard: anything that publishes Frames and takes commands (engine, replay, fakes)."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Protocol

from rnnscope.frames import Frame

Publish = Callable[[Frame], None]


class FrameSource(Protocol):
    """Runs in one background thread: publishes frames, drains `commands` between steps, stops on `stop`."""

    def run(self, publish: Publish, commands: queue.Queue, stop: threading.Event) -> None: ...


SourceFactory = Callable[[], FrameSource]
