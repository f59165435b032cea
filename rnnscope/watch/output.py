"""What a Scope writes to RUN_DIR: the timeline's frames and the heartbeat, by the one recorder
(rnnscope.storage.timeline.recorder) that holds the folder.

The folder's lock is taken before anything is written; a folder another process, or another Scope of this process,
writes is refused (one warning, then nothing is written). Only the holder marks the run ended, in the process that
took the lock (never a forked child, never a Scope that was refused), and `end` gives the lock back.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import warnings
from pathlib import Path

from rnnscope.contracts.json_numbers import json_number
from rnnscope.storage.timeline import TIMELINE
from rnnscope.storage.timeline.frame_meta import FrameMeta
from rnnscope.storage.timeline.recorder import Beside, TimelineRecorder
from rnnscope.storage.timeline.writer import TimelineBusy
from rnnscope.watch.guard import OWN
from rnnscope.watch.publisher import SafeWrites

_CLAIMED: set[str] = set()  # the timeline folders this process's Scopes hold


class Output:
    """The publisher's files; after the first failed write (warned once) it writes nothing more."""

    def __init__(self, run_dir: Path, model: str, rank: int, meta: FrameMeta) -> None:
        self.run_dir = run_dir
        self.safe = SafeWrites(str(run_dir))
        self.recorder = TimelineRecorder(run_dir, model, self._warn, rank=rank, stopped=self.safe.fail,
                                         beat_each_frame=True)
        self.heartbeat = self.recorder.heartbeat
        self.meta = meta
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
        self.recorder.claim()  # TimelineBusy when another process writes it: then nothing here is written
        self.folder = key
        _CLAIMED.add(key)

    @staticmethod
    def _warn(text: str) -> None:
        warnings.warn(f"{OWN}: {text}", RuntimeWarning, stacklevel=8)  # the user's line

    @property
    def writing(self) -> bool:
        return not self.safe.failed and self.folder is not None and os.getpid() == self.pid

    def append(self, probe, train_loss: float, grads, side_share: float, extra: dict) -> None:
        """One frame: the probe, the recent train loss (nan: none), the gradient norms of the last grads() call,
        `extra` meta (FrameMeta's fields); FrameMeta.encode writes the meta's nan and inf as null or leaves them out."""
        numbers = {"side_share": side_share}
        if grads is not None:
            numbers.update(grad_step=grads[0], grad_norms=grads[1], grad_total=grads[2])
        meta = dataclasses.replace(self.meta, **extra, **numbers)
        loss = json_number(train_loss)  # Beside's train loss: finite or None
        self.safe.attempt(lambda: self.recorder.record(probe, Beside(loss, None, None, meta)))

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
            self.recorder.writer.release()
        self.folder = None
