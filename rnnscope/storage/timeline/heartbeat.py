"""RUN_DIR/timeline/heartbeat.json: who writes a run (pid, host, rank, model), its step and time, running or ended.

Plain json, no torch: the writer (Scope, rnnscope's own runs) replaces it atomically; --attach reads and validates it.
"""

from __future__ import annotations

import json
import math
import os
import socket
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from rnnscope.storage.atomic_file import replace_atomically, write_synced
from rnnscope.storage.regular_file import NotReadable, read_regular
from rnnscope.storage.timeline.index import TIMELINE, is_step

FILE_NAME = "heartbeat.json"
RUNNING, ENDED = "running", "ended"
MAX_BYTES = 65536  # a heartbeat takes ~250 bytes
STALE_AFTER_S = 60.0  # a running writer that has not beaten for this long is presumed stopped
BEAT_EVERY_S = 5.0  # a running writer rewrites its heartbeat at least this often


class HeartbeatError(ValueError):
    """A heartbeat file that cannot be read or does not hold a heartbeat."""


@dataclass(frozen=True)
class Heartbeat:
    """One writer's latest beat."""

    pid: int
    host: str
    rank: int
    model: str  # the watched module, described in one line
    step: int
    time: float  # seconds since the epoch of this beat
    state: str  # RUNNING / ENDED
    started: float  # seconds since the epoch when the writer started

    @classmethod
    def starting(cls, model: str, rank: int = 0) -> Heartbeat:
        now = time.time()
        return cls(os.getpid(), socket.gethostname(), rank, model, 0, now, RUNNING, now)

    def beat(self, step: int, state: str = RUNNING) -> Heartbeat:
        return replace(self, step=step, time=time.time(), state=state)

    def describe(self) -> str:
        """'host rank 0 pid 123: LSTM 2x200 in 128'."""
        return f"{self.host} rank {self.rank} pid {self.pid}: {self.model}"


class HeartbeatFile:
    """A writer's heartbeat: `beat(step)` rewrites it at most every BEAT_EVERY_S, `end()` marks the run ended at
    the latest step told. Writes raise OSError (the caller decides what a failed write costs)."""

    def __init__(self, run_dir: Path, model: str, rank: int = 0) -> None:
        self.run_dir = Path(run_dir)
        self.latest = Heartbeat.starting(model, rank)
        self.written_at = -math.inf  # time.monotonic() of the last write
        self.step = 0  # the latest step told, written or not

    def beat(self, step: int, *, now: bool = False) -> None:
        self.step = step
        if now or time.monotonic() - self.written_at >= BEAT_EVERY_S:
            self._write(self.latest.beat(step))

    def end(self) -> None:
        self._write(self.latest.beat(self.step, ENDED))

    def _write(self, beat: Heartbeat) -> None:
        write_heartbeat(self.run_dir, beat)
        self.latest, self.written_at = beat, time.monotonic()


def heartbeat_path(run_dir: Path) -> Path:
    return Path(run_dir) / TIMELINE / FILE_NAME


def write_heartbeat(run_dir: Path, beat: Heartbeat) -> None:
    """Replace RUN_DIR/timeline/heartbeat.json atomically (OSError when the folder is gone or the disk is full)."""
    data = json.dumps(asdict(beat)).encode()
    replace_atomically(heartbeat_path(run_dir), lambda temp: write_synced(temp, data))


_FIELDS = {"pid": int, "host": str, "rank": int, "model": str, "step": int, "time": float, "state": str,
           "started": float}


def read_heartbeat(run_dir: Path) -> Heartbeat | None:
    """The run's heartbeat; None when there is none yet; HeartbeatError when it is not one."""
    path = heartbeat_path(run_dir)
    try:
        raw = read_regular(path, max_bytes=MAX_BYTES, within=run_dir)  # no FIFO, no /dev/zero, nothing outside
    except FileNotFoundError:
        return None
    except NotReadable as err:
        raise HeartbeatError(str(err)) from None
    except OSError as err:
        raise HeartbeatError(f"cannot read {path}: {err.strerror or err}") from None
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise HeartbeatError(f"{path} is not a heartbeat (not json)") from None
    if not isinstance(data, dict):
        raise HeartbeatError(f"{path} is not a heartbeat (not an object)")
    values = {}
    for name, kind in _FIELDS.items():
        value = data.get(name)
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or isinstance(value, bool) or (kind is float and not math.isfinite(value)):
            raise HeartbeatError(f"{path}: field {name!r} is missing or not a {kind.__name__}")
        values[name] = value[:200] if kind is str else value
    if not is_step(values["step"]):
        raise HeartbeatError(f"{path}: its step is not one a timeline keeps (0..2**53-1)")
    if values["state"] not in (RUNNING, ENDED):
        raise HeartbeatError(f"{path}: state {values['state']!r} is neither {RUNNING!r} nor {ENDED!r}")
    return Heartbeat(**values)


def _pid_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except (PermissionError, OverflowError, ValueError):
        return False
    return False


def writer_state(beat: Heartbeat, now: float | None = None) -> str:
    """'WATCHING', 'ENDED' (the writer said so) or 'STALE' (its process is gone on this host, or it stopped beating)."""
    if beat.state == ENDED:
        return "ENDED"
    if beat.host == socket.gethostname() and _pid_gone(beat.pid):
        return "STALE"
    now = time.time() if now is None else now
    return "STALE" if now - beat.time > STALE_AFTER_S else "WATCHING"
