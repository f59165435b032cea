"""`--serve` added to a training command: the server runs beside the training as its own process (`rnnscope --serve
RUN_DIR`), so it never shares the dashboard's or the engine's time; stopped (with its tabs) when training ends."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

from rnnscope.contracts.errors import UsageError
from rnnscope.contracts.visible import safe_text
from rnnscope.serve.cli import PARENT_ENV
from rnnscope.serve.options import ServeOptions

STOP_S = 10.0  # the server's own stop waits 3 s for each tab's dashboard; then it is killed
_url: list[str] = []  # the page's address while this process serves its run (the dashboard shows it)


def served_url() -> str | None:
    """The page's address of the run this process trains and serves, or None."""
    return _url[-1] if _url else None


@contextlib.contextmanager
def serving(options: ServeOptions, run_dir: Path) -> Iterator[str]:
    """Start the server on run_dir, yield the page's address (also said on stderr), stop the server on leaving.
    UsageError with the server's own line when it cannot start (a port in use, a bad host)."""
    argv = [sys.executable, "-m", "rnnscope", "--serve", str(run_dir.absolute()), "--host", options.host,
            "--port", str(options.port)]
    with tempfile.TemporaryFile() as log:  # the server's stderr: its warning and notes, never on the dashboard
        server = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=log,
                                  start_new_session=True, env={**os.environ, PARENT_ENV: str(os.getpid())})
        try:
            url = server.stdout.readline().decode(errors="replace").strip()
            log.seek(0)
            said = [safe_text(line) for line in log.read().decode(errors="replace").splitlines()]
            if not url:
                server.wait()
                problem = said[-1].removeprefix("rnnscope: error: ") if said else f"exit {server.returncode}"
                raise UsageError(f"--serve: the server did not start: {problem}")
            for line in said:
                if "warning" in line:
                    print(line, file=sys.stderr)
            print(f"rnnscope: serving this run to browsers, read-only: {safe_text(url)}", file=sys.stderr, flush=True)
            threading.Thread(target=server.stdout.read, daemon=True).start()  # a tab's stray output never blocks it
            _url.append(url)
            yield url
        finally:
            _url.clear()
            _stop(server)


def _stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(STOP_S)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    server.stdout.close()
