"""`rnnscope --serve RUN_DIR`: check the folder, print the page's address (with its token) on stdout, serve until
Ctrl-C or SIGTERM."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from pathlib import Path

from rnnscope import startup
from rnnscope.contracts.errors import UsageError
from rnnscope.contracts.visible import safe_text
from rnnscope.serve.options import LOCAL_HOST, ServeOptions

NICENESS = 10  # at the default priority the tabs slow the training (cost: benchmarks/README.md, serve_load)
PARENT_ENV = "RNNSCOPE_SERVE_PARENT"  # the trainer's pid: the server stops when that process is gone


def run_serve(options: ServeOptions) -> int:
    """Serve options.run_dir to browsers, read-only; 0 once stopped by a signal."""
    from rnnscope.serve.server import TokenServer, new_token

    run_dir = options.run_dir
    check_serve_dir(run_dir)
    token = new_token()

    def announce(port: int) -> None:
        if options.host != LOCAL_HOST:
            _say(f"rnnscope: warning: --host {options.host}: whoever reaches this machine with the address below "
                 "can watch the run (its token is the only guard, and http is not encrypted)")
        _say(f"rnnscope: serving {run_dir} to browsers, read-only (each tab is its own --attach); Ctrl-C stops")
        print(page_url(options.host, port, token), flush=True)

    os.nice(NICENESS)  # the server and every tab's dashboard (they inherit it) yield the cores to training
    startup.started()
    parent = os.environ.pop(PARENT_ENV, None)  # set by a trainer that serves its own run (rnnscope.serve.alongside)
    asyncio.run(TokenServer(run_dir, options, token).run(announce, int(parent) if parent else None))
    return 0


def check_serve_dir(run_dir: Path) -> None:
    """A run folder, or one about to be made in a folder that exists (the tabs wait for the writer); else one line."""
    what = "give the run folder that rnnscope or a Scope writes (or add --serve to a training command)"
    if run_dir.exists() and not run_dir.is_dir():
        raise UsageError(f"--serve {run_dir}: not a folder; {what}")
    if not run_dir.exists() and not run_dir.absolute().parent.is_dir():
        raise UsageError(f"--serve {run_dir}: neither it nor the folder it would be in exists; {what}")
    if not os.access(run_dir if run_dir.exists() else run_dir.absolute().parent, os.R_OK | os.X_OK):
        raise UsageError(f"--serve {run_dir}: cannot read it (permission denied); serve as a user who may")


def page_url(host: str, port: int, token: str) -> str:
    """The address to open: this machine's name when listening on every address, IPv6 in brackets."""
    shown = socket.gethostname() if host in ("0.0.0.0", "::", "") else host
    return f"http://{f'[{shown}]' if ':' in shown else shown}:{port}/?token={token}"


def _say(line: str) -> None:
    print(safe_text(line), file=sys.stderr, flush=True)
