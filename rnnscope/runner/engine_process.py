"""The engine process's main: it owns its inbox (commands) and outbox (updates of the parts that changed).

rnnscope.runner.engine_client starts it and is the dashboard's end. The one way to stop is a Quit in the inbox: the
dashboard sends it, and the command reader puts one there when the dashboard's end of the command pipe closes
(it quit, or its process died). A command being carried out (an export) finishes first; SIGTERM abandons it
(the export removes its temporary folder). Imports stay light here: the dashboard imports this module to name
child_main, so torch, numpy and the parts load in the child only.
"""

from __future__ import annotations

import os
import queue
import signal
import sys
import threading
from dataclasses import dataclass

from rnnscope import startup
from rnnscope.contracts import commands


@dataclass(frozen=True)
class ChildFailed:
    """Sent instead of an update when the engine cannot go on."""

    reason: str


def read_commands(commands_in, inbox: queue.Queue) -> None:
    """The inbox's one writer: every command as it arrives (never waiting for a step), then a Quit when the
    dashboard's end closes, so an orphan never trains on."""
    try:
        while True:
            inbox.put(commands_in.recv())
    except (EOFError, OSError):
        inbox.put(commands.Quit())


def _abandon(signum, frame) -> None:
    raise SystemExit(128 + signum)  # unwinds an export in progress, which removes its temporary folder


def child_main(engine_args: dict, commands_in, outbox) -> None:
    """Train and send updates until Quit; a failure is sent as its reason, never a traceback."""
    startup.starting()  # torch's import and the engine's build run without collection passes (EngineSource says when)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the terminal's Ctrl-C belongs to the dashboard
    signal.signal(signal.SIGHUP, signal.SIG_IGN)  # so does a closed terminal: the dashboard sends Quit
    signal.signal(signal.SIGTERM, _abandon)
    inbox: queue.Queue = queue.Queue()
    threading.Thread(target=read_commands, args=(commands_in, inbox), daemon=True).start()
    from rnnscope.contracts.parts import PartsOut
    from rnnscope.runner.engine_source import EngineSource

    sent = PartsOut()

    def publish(parts) -> None:
        update = sent.update(parts)
        if update is not None:
            outbox.send(update)

    try:
        EngineSource(**engine_args).run(publish, inbox)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the dashboard has gone: nothing to tell
    except Exception as err:  # the dashboard shows the reason and exits with code 1
        try:
            outbox.send(ChildFailed(f"training stopped: {type(err).__name__}: {err}"))
        except OSError:
            pass
    sys.stderr.flush()
    # everything is written (the pipe is synchronous); torch's interpreter shutdown is slow (benchmarks/README.md, by hand)
    os._exit(0)
