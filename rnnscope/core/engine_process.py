"""The engine in a child process: training never shares Python's GIL with the dashboard.

The dashboard's source thread runs `EngineProcess.run`, which starts EngineSource in a spawned child and
relays: commands from the screen go to the child as they come, frames come back and only the newest is
published. Everything crossing is plain data (RunConfig, Corpus, Frame of numpy arrays, commands).
"""

from __future__ import annotations

import multiprocessing as mp
import multiprocessing.connection
import queue
import signal
import threading
from dataclasses import dataclass

from rnnscope import commands
from rnnscope.source import Publish

FRAME_WAIT_S = 0.1  # how often the relay looks at the stop flag and the child's health
JOIN_S = 2.0  # how long a stopping child may take before it is terminated


@dataclass(frozen=True)
class ChildFailed:
    """Sent instead of a frame when the child cannot go on."""

    reason: str


class EngineProcess:
    """A FrameSource: EngineSource(**engine_args) in a child process.

    Call start() before the dashboard takes over the terminal: spawning needs the real stdio file
    descriptors, and the child imports torch while the dashboard paints its first screen.
    """

    def __init__(self, **engine_args):
        context = mp.get_context("spawn")  # a fork would copy the dashboard's threads and terminal state
        self.frames, self.child_commands, self.child_stop = context.Queue(), context.Queue(), context.Event()
        self.child = context.Process(target=_child_main, name="rnnscope-engine", daemon=True,
                                     args=(engine_args, self.frames, self.child_commands, self.child_stop))

    def start(self) -> EngineProcess:
        self.child.start()
        return self

    def run(self, publish: Publish, command_queue: queue.Queue, stop: threading.Event) -> None:
        frames, child_commands, child_stop, child = self.frames, self.child_commands, self.child_stop, self.child
        if child.pid is None:
            child.start()
        relay = threading.Thread(target=_relay_commands, args=(command_queue, child_commands), daemon=True)
        relay.start()
        try:
            while not stop.is_set():
                newest = _newest(frames)
                if isinstance(newest, ChildFailed):
                    raise RuntimeError(newest.reason)
                if newest is not None:
                    publish(newest)
                elif not child.is_alive():  # exit code 0: it obeyed a Quit
                    if child.exitcode:
                        raise RuntimeError(f"the training process ended unexpectedly (exit code {child.exitcode})")
                    return
        finally:
            child_stop.set()
            child_commands.put(commands.Quit())
            child.join(JOIN_S)
            if child.is_alive():
                child.terminate()


def _newest(frames):
    """The newest item the child sent (older frames are dropped), or None after a quiet wait."""
    try:
        item = frames.get(timeout=FRAME_WAIT_S)
    except queue.Empty:
        return None
    while not isinstance(item, ChildFailed):
        try:
            item = frames.get_nowait()
        except queue.Empty:
            break
    return item


def _relay_commands(command_queue: queue.Queue, child_commands) -> None:
    """Forward each command the moment it arrives; ends after Quit."""
    while True:
        command = command_queue.get()
        child_commands.put(command)
        if isinstance(command, commands.Quit):
            return


def _stop_when_parent_dies(child_stop) -> None:
    """An orphan never trains on: if the dashboard is killed, the child stops too."""
    mp.connection.wait([mp.parent_process().sentinel])
    child_stop.set()


def _child_main(engine_args: dict, frames, child_commands, child_stop) -> None:
    """The child: train and publish until told to stop; a failure is reported, never a traceback."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the terminal's Ctrl-C belongs to the dashboard
    frames.cancel_join_thread()  # exiting never waits for the parent to read the last frames
    threading.Thread(target=_stop_when_parent_dies, args=(child_stop,), daemon=True).start()
    from rnnscope.core.engine_source import EngineSource

    try:
        EngineSource(**engine_args).run(frames.put, child_commands, child_stop)
    except Exception as err:  # the dashboard shows the reason and exits with code 1
        frames.put(ChildFailed(f"training stopped: {type(err).__name__}: {err}"))
