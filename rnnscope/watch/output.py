"""What a Scope writes to RUN_DIR: the timeline's frames and the heartbeat, each write allowed to fail once."""

from __future__ import annotations

import contextlib
import time
import warnings
from pathlib import Path

from rnnscope.storage.timeline import TIMELINE, TimelineWriter
from rnnscope.watch.heartbeat import HeartbeatFile
from rnnscope.watch.publisher import SafeWrites


def open_timeline(run_dir: Path):
    """The run's timeline writer (rnnscope.storage.timeline: the same folder format as rnnscope's own runs)."""
    return TimelineWriter(run_dir)


class Output:
    """The publisher's files; after the first failed write (warned once) it writes nothing more."""

    def __init__(self, run_dir: Path, model: str, rank: int, meta: dict) -> None:
        self.run_dir = run_dir
        self.safe = SafeWrites(str(run_dir))
        self.heartbeat = HeartbeatFile(run_dir, model, rank)
        self.meta = meta
        self.timeline = None
        self.safe.attempt(self._open)

    def _open(self) -> None:
        (self.run_dir / TIMELINE).mkdir(parents=True, exist_ok=True)  # the heartbeat lives beside the frames
        self.heartbeat.beat(0, now=True)
        self.timeline = open_timeline(self.run_dir)

    @property
    def writing(self) -> bool:
        return not self.safe.failed

    def append(self, probe, train_loss: float, grads, side_share: float) -> None:
        """One frame: the probe, the recent train loss, the gradient norms of the last grads() call."""
        meta = dict(self.meta, side_share=side_share)
        if grads is not None:
            meta.update(grad_step=grads[0], grad_norms=grads[1], grad_total=grads[2])
        self.safe.attempt(lambda: self.timeline.append(probe, wall_time=time.time(), train_loss=train_loss,
                                                       val_loss=float("nan"), memory=None, meta=meta))
        if self.timeline is not None and self.timeline.set_aside is not None:
            warnings.warn(f"rnnscope Scope: {self.timeline.set_aside.parent / 'index.json'} could not be read: set "
                          f"aside with its frames in {self.timeline.set_aside}; a new timeline starts", RuntimeWarning,
                          stacklevel=4)
            self.timeline.set_aside = None
        self.safe.attempt(lambda: self.heartbeat.beat(probe.step, now=True))

    def beat(self, step: int) -> None:
        self.heartbeat.step = step  # kept for the last beat even once writing has stopped
        self.safe.attempt(lambda: self.heartbeat.beat(step))

    def end(self) -> None:
        """The run is over: the heartbeat says ended (tried even after a failed write, silently then)."""
        if self.safe.failed:
            with contextlib.suppress(Exception):
                self.heartbeat.end()
        else:
            self.safe.attempt(self.heartbeat.end)
