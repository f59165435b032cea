"""`--serve [RUN_DIR]`, `--host`, `--port`: checked, taken out of the options, and whether textual-serve is there."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rnnscope.contracts.errors import UsageError

LOCAL_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
INSTALL = "pip install 'rnnscope[web]'"


@dataclass(frozen=True)
class ServeOptions:
    """Where to listen, and the run folder to serve (None: the training run's own, known once it is prepared)."""

    run_dir: Path | None
    host: str = LOCAL_HOST
    port: int = DEFAULT_PORT


def take_serve_options(args: dict) -> ServeOptions | None:
    """Remove --serve/--host/--port from `args`; None when --serve was not given. UsageError for --host or --port
    without --serve, a port out of range, or a missing textual-serve."""
    serve, host, port = args.pop("serve", None), args.pop("host", None), args.pop("port", None)
    if serve is None:
        if host is not None or port is not None:
            raise UsageError(f"--{'host' if host is not None else 'port'} needs --serve")
        return None
    if port is not None and not 0 <= port <= 65535:
        raise UsageError(f"--port {port}: give a port from 1 to 65535 (0 picks a free one)")
    if host is not None and not host.strip():
        raise UsageError("--host is empty: give an address to listen on, e.g. 0.0.0.0")
    try:
        import textual_serve  # noqa: F401
    except ImportError:
        raise UsageError(f"--serve needs textual-serve, which is not installed: {INSTALL}") from None
    return ServeOptions(Path(serve) if serve else None, host or LOCAL_HOST, DEFAULT_PORT if port is None else port)
