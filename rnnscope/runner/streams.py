"""The standard streams, whatever state they come in: a closed one is reopened on /dev/null at start, stderr never
raises (a full or closed stderr loses a message, never the run), a result that cannot be written to stdout (full,
closed, a broken pipe) is an OutputError: one line on stderr and EXIT_OUTPUT. The dashboard needs a terminal."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator

EXIT_OUTPUT = 3
_NAMES = {0: "stdin", 1: "stdout", 2: "stderr"}


class OutputError(Exception):
    """stdout took no more: the result is lost. The message names why."""


class _Wrapped:
    """A text stream's stand-in; everything but writing and flushing is the stream's own."""

    def __init__(self, stream) -> None:
        self.stream = stream

    def __getattr__(self, name: str):
        return getattr(self.stream, name)


class _Quiet(_Wrapped):
    """stderr that never raises: once a write fails (full, closed, a broken pipe) the rest is dropped."""

    failed = False

    def write(self, text: str) -> int:
        if not self.failed:
            try:
                self.stream.write(text)
            except (OSError, ValueError):
                self.failed = True
        return len(text)

    def flush(self) -> None:
        if not self.failed:
            try:
                self.stream.flush()
            except (OSError, ValueError):
                self.failed = True


class _Checked(_Wrapped):
    """stdout whose failures are OutputError (not an 'unexpected error', not a traceback at exit)."""

    def write(self, text: str) -> int:
        with _output():
            return self.stream.write(text)

    def flush(self) -> None:
        with _output():
            self.stream.flush()


@contextlib.contextmanager
def _output() -> Iterator[None]:
    try:
        yield
    except (OSError, ValueError) as err:
        _silence_stdout()
        reason = getattr(err, "strerror", None) or str(err) or type(err).__name__
        raise OutputError(f"cannot write the result to stdout ({reason})") from None


def _silence_stdout() -> None:
    """fd 1 onto /dev/null: what is still buffered for it cannot fail again when the interpreter exits."""
    with contextlib.suppress(OSError):
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.close(null)


def _reopen_closed() -> set[str]:
    """Names of the standard streams that were closed; each now reads or writes /dev/null."""
    closed = set()
    for fd, name in _NAMES.items():
        try:
            os.fstat(fd)
            continue
        except OSError:
            closed.add(name)
        null = os.open(os.devnull, os.O_RDWR)
        if null != fd:
            os.dup2(null, fd)
            os.close(null)
        if getattr(sys, name) is None:
            setattr(sys, name, open(fd, "r" if fd == 0 else "w", encoding="utf-8", closefd=False))
        if getattr(sys, f"__{name}__") is None:
            setattr(sys, f"__{name}__", getattr(sys, name))
    return closed


@contextlib.contextmanager
def guarded_streams() -> Iterator[set[str]]:
    """Within the block stderr never raises and stdout raises OutputError; yields the streams that were closed."""
    closed = _reopen_closed()
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _Checked(sys.stdout), _Quiet(sys.stderr)
    try:
        yield closed
    finally:
        sys.stdout, sys.stderr = saved


def flush_result() -> None:
    """The result is out, or OutputError."""
    sys.stdout.flush()


def terminal_problem() -> str | None:
    """Why the dashboard cannot run here (it reads keys on stdin and draws on stderr), or None. A browser tab's
    dashboard (textual-serve's web driver, `--serve`) speaks packets on its pipes instead."""
    if os.environ.get("TEXTUAL_DRIVER") == "textual.drivers.web_driver:WebDriver":
        return None
    for stream, name, does in ((sys.__stdin__, "stdin", "reads keys from"), (sys.__stderr__, "stderr", "draws on")):
        try:
            is_terminal = stream is not None and os.isatty(stream.fileno())
        except (OSError, ValueError):
            is_terminal = False
        if not is_terminal:
            return f"the dashboard {does} a terminal and {name} is not one"
    return None
