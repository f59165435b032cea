"""Headless SIGTERM/SIGHUP: end the run like Ctrl-C (an export under way is finished first, within FINISH_WAIT_S),
exit 128+signal."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator

HANDLED = (signal.SIGTERM, signal.SIGHUP)
FINISH_WAIT_S = 10.0  # an export a signal waits for; then, or at a second signal, it is abandoned (nothing partial)


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
        if self._deferring and self._pending is None:
            self._pending = signum
            signal.setitimer(signal.ITIMER_REAL, FINISH_WAIT_S)  # SIGALRM: _expire
            return
        raise Terminated(self._pending or signum)  # not in an export, or asked twice: now

    def _expire(self, _signum: int, _frame) -> None:
        if self._deferring and self._pending is not None:
            raise Terminated(self._pending)  # the export's own cleanup removes what it had written

    @contextlib.contextmanager
    def installed(self) -> Iterator[SignalGuard]:
        """Handle the signals inside the block (only the main thread can: elsewhere it changes nothing)."""
        if threading.current_thread() is not threading.main_thread():
            yield self
            return
        previous = {sig: signal.signal(sig, self._handle) for sig in HANDLED}
        previous[signal.SIGALRM] = signal.signal(signal.SIGALRM, self._expire)
        try:
            yield self
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    @contextlib.contextmanager
    def finishing(self) -> Iterator[None]:
        """A block (an export) that a signal does not cut short: Terminated is raised once it is done, or after
        FINISH_WAIT_S, or at a second signal (the block's own cleanup then leaves nothing half-written)."""
        self._deferring = True
        try:
            yield
        finally:
            self._deferring = False
            if self._pending is not None:
                signal.setitimer(signal.ITIMER_REAL, 0)
                raise Terminated(self._pending)
