"""The dashboard's end of the engine process: start it, send commands, hand on its updates, stop it.

Updates arrive on a pipe that the app's event loop watches (no thread, no polling); commands go out on a
second pipe, which a thread in the child reads as they come (a write never waits for a step). Nothing here
imports numpy or torch: the first paint does not wait for them. One client per engine: a second engine is a
second client.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing as mp
import os
import pickle
import signal
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rnnscope.contracts import commands
from rnnscope.runner.engine_process import ChildFailed, child_main

if TYPE_CHECKING:
    from rnnscope.contracts.parts import Update

Deliver = Callable[[list["Update"]], None]
Fail = Callable[[str], None]
QUIT_WAIT_S = 1.0  # after this the dashboard says that the engine is finishing an export
STOP_WAIT_S = 5.0  # an engine that has not quit by then (stopped, stuck) is ended
EXPORT_WAIT_S = 120.0  # an export being finished gets this long (a figure is bounded: seconds)
END_WAIT_S = 2.0  # after SIGTERM, then after SIGKILL


@dataclass
class Traffic:
    """What came over the pipe (benchmarks/dashboard_throughput.py prints it)."""

    updates: int = 0
    bytes: int = 0
    probe_updates: int = 0  # updates that carried a new probe
    probe_bytes: int = 0

    def count(self, item, size: int) -> None:
        with_probe = "probe" in getattr(item, "parts", ())
        self.updates += 1
        self.bytes += size
        self.probe_updates += with_probe
        self.probe_bytes += size * with_probe


class EngineClient:
    """EngineSource(**engine_args) in a spawned child process; the app calls start() after its first paint."""

    def __init__(self, **engine_args) -> None:
        context = mp.get_context("spawn")  # a fork would copy the dashboard's threads and terminal state
        self._updates, updates_in = context.Pipe(duplex=False)
        commands_out, self._commands = context.Pipe(duplex=False)
        self._child_ends = (commands_out, updates_in)
        self.process = context.Process(target=child_main, name="rnnscope-engine", daemon=True,
                                       args=(engine_args, *self._child_ends))
        self._loop: asyncio.AbstractEventLoop | None = None
        self.stopping = False
        self.export_pending = False  # an Export was sent and its notice has not come back yet
        self._early: list[commands.Command] = []  # sent before start(): they go out when it has started
        self.traffic = Traffic()

    def start(self) -> EngineClient:
        """Spawn the child (a few ms: the corpus travels as a path), once; it imports torch while the panels load."""
        if self.process.pid is not None or self.stopping:  # started already, or quit before it started
            return self
        with contextlib.redirect_stderr(sys.__stderr__):  # Textual's capture has no file descriptor to hand on
            self.process.start()
        for end in self._child_ends:  # the child holds the only other ends: either side's exit reads as end of file
            end.close()
        for command in self._early:
            self.send(command)
        self._early.clear()
        return self

    def connect(self, deliver: Deliver, fail: Fail) -> None:
        """Called on the app's event loop: from now on each batch of updates is handed to `deliver` there."""
        self._loop = asyncio.get_running_loop()
        self._loop.add_reader(self._updates.fileno(), self._read, deliver, fail)

    def _read(self, deliver: Deliver, fail: Fail) -> None:
        updates = []
        try:
            while self._updates.poll():
                data = self._updates.recv_bytes()
                item = pickle.loads(data)
                self.traffic.count(item, len(data))
                if isinstance(item, ChildFailed):
                    self._disconnect()
                    fail(item.reason)
                    return
                updates.append(item)
                self.export_pending = self.export_pending and "notice" not in item.parts
        except (EOFError, OSError):
            self._disconnect()
            self.process.join(QUIT_WAIT_S)
            if not self.stopping:
                fail(f"the training process ended unexpectedly (exit code {self.process.exitcode})")
        if updates:
            deliver(updates)

    def _disconnect(self) -> None:
        if self._loop is not None:
            self._loop.remove_reader(self._updates.fileno())
            self._loop = None

    def send(self, command: commands.Command) -> None:
        """Send a command; the engine carries it out between steps. An engine that has gone is not an error
        here: its end of the update pipe says so."""
        if self.stopping:
            return
        self.export_pending = self.export_pending or isinstance(command, commands.Export)
        if self.process.pid is None:  # a key before the start: a big command would fill a pipe nobody reads yet
            self._early.append(command)
            return
        try:
            self._commands.send(command)
        except OSError:  # BrokenPipeError: the child has exited
            pass

    def stop(self) -> None:
        """Ask the engine to quit (the one way): it finishes what it is doing first. A stopped engine (SIGSTOP, a
        debugger) is continued, so that it can."""
        if not self.stopping:
            self.send(commands.Quit())
            self.stopping = True
            self._commands.close()
            self._signal(signal.SIGCONT)
        self._disconnect()
        self._updates.close()  # nobody reads any more: an engine still sending gets a broken pipe and quits

    def _signal(self, signum: int) -> None:
        if self.process.pid is not None and self.process.exitcode is None:
            with contextlib.suppress(OSError):
                os.kill(self.process.pid, signum)

    def finish(self, say: Callable[[str], None] = lambda line: print(line, file=sys.stderr)) -> bool:
        """After the app: wait for the engine to quit, saying so when it takes a while; never forever. An export
        gets EXPORT_WAIT_S, anything else STOP_WAIT_S; then, or at the first Ctrl-C, the engine is ended (SIGTERM,
        which removes an export's temporary folder, then SIGKILL). False when it was ended, not finished."""
        self.stop()
        if self.process.pid is None:
            return True
        try:
            self.process.join(QUIT_WAIT_S)
            if not self.process.is_alive():
                return True
            doing = "finishing the export" if self.export_pending else "waiting for the training process to stop"
            say(f"rnnscope: {doing}… (Ctrl-C abandons it)")
            self.process.join(EXPORT_WAIT_S if self.export_pending else STOP_WAIT_S)
            if not self.process.is_alive():
                return True
            say("rnnscope: the training process does not stop: ending it")
        except KeyboardInterrupt:
            pass
        self.end()
        say("rnnscope: abandoned; nothing half-written is left")
        return False

    def end(self) -> None:
        """SIGTERM (continued, were it stopped), then SIGKILL: bounded waits, a second Ctrl-C goes to the kill."""
        try:
            self._signal(signal.SIGTERM)
            self._signal(signal.SIGCONT)
            self.process.join(END_WAIT_S)
        except KeyboardInterrupt:
            pass
        if self.process.is_alive():
            self._signal(signal.SIGKILL)
            self.process.join(END_WAIT_S)
