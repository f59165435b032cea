"""What a Scope writes to RUN_DIR: the timeline's frames and the heartbeat, by the one writer that holds the folder.

The folder's lock is taken before anything is written; a folder another process, or another Scope of this process,
writes is refused (one warning, then nothing is written). Only the holder marks the run ended, in the process that
took the lock (never a forked child, never a Scope that was refused), and `end` gives the lock back.
"""

from __future__ import annotations

import contextlib
import os
import time
import warnings
from pathlib import Path

from rnnscope.storage.timeline import TIMELINE, TimelineWriter
from rnnscope.storage.timeline.writer import TimelineBusy
from rnnscope.storage.timeline.heartbeat import HeartbeatFile
from rnnscope.watch.numbers import finite_or_none
from rnnscope.watch.publisher import SafeWrites

_CLAIMED: set[str] = set()  # the timeline folders this process's Scopes hold


class Output:
    """The publisher's files; after the first failed write (warned once) it writes nothing more."""

    def __init__(self, run_dir: Path, model: str, rank: int, meta: dict) -> None:
        self.run_dir = run_dir
        self.safe = SafeWrites(str(run_dir))
        self.heartbeat = HeartbeatFile(run_dir, model, rank)
        self.meta = meta
        self.timeline: TimelineWriter | None = None
        self.pid = os.getpid()
        self.folder: str | None = None  # the timeline folder held, until `end`
        self.safe.attempt(self._open)

    def _open(self) -> None:
        folder = self.run_dir / TIMELINE
        folder.mkdir(parents=True, exist_ok=True)
        key = os.path.realpath(folder)
        if key in _CLAIMED:
            raise TimelineBusy(f"another Scope in this process writes it: close() that one first, or give this one "
                               f"its own run folder: {folder}")
        timeline = TimelineWriter(self.run_dir)
        timeline.claim()  # TimelineBusy when another process writes it: then nothing here is written
        self.timeline, self.folder = timeline, key
        _CLAIMED.add(key)
        self.heartbeat.beat(0, now=True)

    @property
    def writing(self) -> bool:
        return not self.safe.failed and self.folder is not None and os.getpid() == self.pid

    def append(self, probe, train_loss: float, grads, side_share: float, extra: dict) -> None:
        """One frame: the probe, the recent train loss, the gradient norms of the last grads() call, `extra` meta;
        every number sanitised (nan and inf become null) here, once."""
        meta = dict(self.meta, side_share=side_share, **extra)
        if grads is not None:
            meta.update(grad_step=grads[0], grad_norms=grads[1], grad_total=grads[2])
        meta = finite_or_none(meta)
        loss = finite_or_none(train_loss)
        self.safe.attempt(lambda: self.timeline.append(probe, wall_time=time.time(), train_loss=loss,
                                                       val_loss=None, memory=None, meta=meta))
        if self.timeline is not None and self.timeline.set_aside is not None:
            warnings.warn(f"rnnscope Scope: {self.timeline.set_aside.parent / 'index.json'} could not be read: set "
                          f"aside with its frames in {self.timeline.set_aside}; a new timeline starts", RuntimeWarning,
                          stacklevel=4)
            self.timeline.set_aside = None
        self.safe.attempt(lambda: self.heartbeat.beat(probe.step, now=True))

    def beat(self, step: int) -> None:
        self.heartbeat.step = step  # kept for the last beat even once writing has stopped
        if self.writing:
            self.safe.attempt(lambda: self.heartbeat.beat(step))

    def end(self) -> None:
        """The run is over: the heartbeat says ended (tried even after a failed write, silently then), and the
        folder's lock is given back. Only by the holder, in its own process."""
        if self.folder is None or os.getpid() != self.pid:
            return
        if self.safe.failed:
            with contextlib.suppress(Exception):
                self.heartbeat.end()
        else:
            self.safe.attempt(self.heartbeat.end)
        _CLAIMED.discard(self.folder)
        with contextlib.suppress(Exception):
            self.timeline.release()
        self.folder = None
