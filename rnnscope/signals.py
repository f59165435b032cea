"""Headless SIGTERM/SIGHUP: end the run like Ctrl-C (an export under way is finished first), exit 128+signal."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator

HANDLED = (signal.SIGTERM, signal.SIGHUP)


class Terminated(BaseException):
    """Raised in the main thread when SIGTERM or SIGHUP arrives; the command line exits with 128 + signum."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum
        self.name = signal.Signals(signum).name


class SignalGuard:
    """Turns SIGTERM/SIGHUP into Terminated; inside `finishing()` the signal waits until the block is done."""

    def __init__(self) -> None:
        self._deferring = False
        self._pending: int | None = None

    def _handle(self, signum: int, _frame) -> None:
        if self._deferring:
            self._pending = self._pending or signum
            return
        raise Terminated(signum)

    @contextlib.contextmanager
    def installed(self) -> Iterator[SignalGuard]:
        """Handle the signals inside the block (only the main thread can: elsewhere it changes nothing)."""
        if threading.current_thread() is not threading.main_thread():
            yield self
            return
        previous = {sig: signal.signal(sig, self._handle) for sig in HANDLED}
        try:
            yield self
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    @contextlib.contextmanager
    def finishing(self) -> Iterator[None]:
        """A block (an export) that a signal does not cut short: Terminated is raised once it is done."""
        self._deferring = True
        try:
            yield
        finally:
            self._deferring = False
            if self._pending is not None:
                raise Terminated(self._pending)
