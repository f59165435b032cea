"""SIGTERM and SIGHUP to the dashboard: the terminal is restored (no alternate screen, no mouse reporting)."""

from __future__ import annotations

import os
import pty
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _read_until(fd: int, wanted: bytes, timeout: float) -> bytes:
    data, deadline = b"", time.monotonic() + timeout
    while wanted not in data and time.monotonic() < deadline:
        if select.select([fd], [], [], 0.1)[0]:
            try:
                data += os.read(fd, 65536)
            except OSError:  # the child closed the terminal
                break
    return data


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_a_signal_restores_the_terminal_and_exits_with_its_code(signum):
    main, child_end = pty.openpty()
    os.set_inheritable(child_end, True)
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "160", "LINES": "48"}
    process = subprocess.Popen([sys.executable, "-m", "tests.ui.run_fake"], cwd=ROOT, stdin=child_end,
                               stdout=child_end, stderr=child_end, env=env, start_new_session=True)
    os.close(child_end)
    try:
        started = _read_until(main, b"step 100", 30)
        assert b"step 100" in started, started[-300:]
        process.send_signal(signum)
        ended = _read_until(main, b"\x1b[?1049l", 10)
        assert process.wait(10) == 128 + signum
    finally:
        if process.poll() is None:
            process.kill()
        os.close(main)
    tail = ended[ended.rfind(b"\x1b[?1049h") + 1:] if b"\x1b[?1049h" in ended else ended
    assert b"\x1b[?1049l" in tail  # left the alternate screen
    assert b"\x1b[?1000l" in tail  # mouse reporting off
