"""The client for a source that runs in a thread of the dashboard's process (replay, test fakes).

It offers what rnnscope.runner.engine_client.EngineClient offers (connect, send, stop, finish) and sends the same
updates: the source publishes its parts, PartsOut keeps only what changed, the app's loop receives them.
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import Callable

from rnnscope.contracts import commands
from rnnscope.contracts.parts import PartsOut, Update
from rnnscope.contracts.source import SourceFactory

JOIN_S = 1.0


class SourceLink:
    """Runs source_factory() on one thread; the factory is called there (it may be slow)."""

    def __init__(self, source_factory: SourceFactory) -> None:
        self._source_factory = source_factory
        self.inbox: queue.Queue = queue.Queue()
        self.stopping = False
        self.delivered = 0  # updates handed to the app's loop
        self._thread: threading.Thread | None = None

    def start(self) -> SourceLink:
        return self

    def connect(self, deliver: Callable[[list[Update]], None], fail: Callable[[str], None]) -> None:
        """Called on the app's event loop; updates and a failure are handed to it there."""
        loop = asyncio.get_running_loop()
        self._thread = threading.Thread(target=self.run, args=(loop, deliver, fail), name="rnnscope-source",
                                        daemon=True)
        self._thread.start()

    def run(self, loop: asyncio.AbstractEventLoop, deliver, fail) -> None:
        """The thread's body: build the source and run it until Quit."""
        sent = PartsOut()

        def hand_over(function, argument) -> None:
            if not self.stopping:
                try:
                    loop.call_soon_threadsafe(lambda: self._deliver(function, argument))
                except RuntimeError:  # the app has ended: nobody to tell
                    pass

        def publish(parts) -> None:
            update = sent.update(parts)
            if update is not None:
                self.delivered += 1
                hand_over(deliver, [update])

        try:
            source = self._source_factory()
            if not self.stopping:
                source.run(publish, self.inbox)
        except Exception as error:  # the UI shows it; a traceback would garble the terminal
            hand_over(fail, str(error) or type(error).__name__)

    def _deliver(self, function, argument) -> None:
        """On the app's loop: hand over unless the link stopped meanwhile (the app may be gone). Scheduled as a
        closure, so a failing callback's log never formats the updates' arrays (that took minutes)."""
        if not self.stopping:
            function(argument)

    def send(self, command: commands.Command) -> None:
        """Queue a command for the source to drain between steps (thread-safe, never blocks)."""
        self.inbox.put_nowait(command)

    def stop(self) -> None:
        """Ask the source to quit (the one way: a Quit in its inbox)."""
        if not self.stopping:
            self.stopping = True
            self.inbox.put_nowait(commands.Quit())

    def finish(self, say: Callable[[str], None] = print) -> None:
        self.stop()
        if self._thread is not None:
            self._thread.join(JOIN_S)
