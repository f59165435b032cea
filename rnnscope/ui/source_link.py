"""The UI's end of the link to a FrameSource: the command queue, the stop flag and the thread body."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable

from rnnscope import commands
from rnnscope.frames import Frame
from rnnscope.source import SourceFactory


class SourceLink:
    """Owns what the UI shares with the source thread; `run` is the body of that one thread."""

    def __init__(self, source_factory: SourceFactory) -> None:
        self._source_factory = source_factory
        self.commands: queue.Queue = queue.Queue()
        self.stop_event = threading.Event()

    def send(self, command: commands.Command) -> None:
        """Queue a command for the source to drain between steps (thread-safe, never blocks)."""
        self.commands.put_nowait(command)

    def stop(self) -> None:
        """Ask the source to stop: it sees the flag or the Quit command, whichever it checks first."""
        self.stop_event.set()
        self.send(commands.Quit())

    def run(self, publish: Callable[[Frame], None], fail: Callable[[str], None]) -> None:
        """Build the source (the slow part: imports torch) and run it until stopped."""
        try:
            source = self._source_factory()
            if not self.stop_event.is_set():
                source.run(publish, self.commands, self.stop_event)
        except Exception as error:  # the UI shows it; a traceback would garble the terminal
            if not self.stop_event.is_set():
                fail(str(error) or type(error).__name__)
