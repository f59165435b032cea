"""The engine's probe hook that writes every probe to RUN_DIR/timeline/ (rnnscope.storage.timeline)."""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from rnnscope.contracts.frames import ProbeFrame
from rnnscope.storage.timeline import TimelineWriter
from rnnscope.storage.timeline.units_meta import units_meta
from rnnscope.storage.timeline.heartbeat import HeartbeatFile


class TimelineRecorder:
    """Called with each new probe of `engine`; a folder that cannot take a frame stops it with one notice."""

    def __init__(self, engine, notify: Callable[[str, str], None]):
        self.engine, self.notify = engine, notify
        self.writer: TimelineWriter | None = TimelineWriter(engine.run_dir)
        config = engine.config  # the heartbeat names the writer for `rnnscope --attach` (rnnscope.watch)
        self.heartbeat = HeartbeatFile(engine.run_dir, f"rnnscope {config.model} {config.layers}x{config.hidden}")
        self._units: tuple = (None, None)  # the last units analysis recorded and its meta entry (made once each)

    def __call__(self, probe: ProbeFrame) -> None:
        if self.writer is None:
            return
        engine = self.engine
        val = engine.val_history.array()  # [M, 2]
        train_loss = engine.recent_loss.mean()
        try:
            self.writer.append(probe, wall_time=time.time(),
                               train_loss=train_loss if math.isfinite(train_loss) else None,
                               val_loss=float(val[-1, 1]) if len(val) and math.isfinite(val[-1, 1]) else None,
                               memory=engine.memory,
                               meta=self._meta())
            self.heartbeat.beat(probe.step)
            if self.writer.set_aside is not None:
                self.notify("warning", f"the timeline's index could not be read: set aside with its frames in "
                                       f"{self.writer.set_aside}; a new timeline starts")
                self.writer.set_aside = None
        except OSError as err:  # the heartbeat's too
            self.notify("warning", f"timeline stopped: cannot write {self.writer.folder} ({err.strerror or err}); "
                                   "training goes on")
            self.writer = None

    def alive(self, step: int) -> None:
        """The run goes on without probing (paused): the heartbeat is rewritten every BEAT_EVERY_S all the same, so
        `rnnscope --attach` does not call a paused run STALE."""
        if self._writes():
            try:
                self.heartbeat.beat(step)
            except OSError:
                pass  # the next probe's write says what is wrong

    def end(self, step: int) -> None:
        """Mark the run ended at `step` in its heartbeat (`rnnscope --attach` then says ENDED, not STALE), if this run
        wrote the timeline (a run that was refused it leaves the other process's heartbeat alone)."""
        if not self._writes():
            return
        try:
            self.heartbeat.step = step
            self.heartbeat.end()
        except OSError:
            pass  # the folder is gone or full: an attached dashboard will say STALE

    def _writes(self) -> bool:
        """Whether this run writes the timeline (it has written a frame and was not stopped)."""
        return self.writer is not None and self.writer.entries is not None

    def _meta(self) -> dict:
        """The settings, the vocabulary, the last step's gradient norms (what --attach shows beside the probe) and the
        latest units analysis (rnnscope.storage.timeline.units_meta)."""
        engine = self.engine
        meta = {"model": engine.config.model, "clip": engine.config.clip, "init": engine.config.init,
                "vocab": list(engine.corpus.vocab)}
        stats = engine.last_stats
        if stats is not None and math.isfinite(stats.total_pre):
            meta.update(grad_step=stats.step, grad_norms=_finite(stats.grad_norms), grad_total=stats.total_pre,
                        grad_norms_post=_finite(stats.grad_norms_post), grad_total_post=stats.total_post,
                        clipped=stats.clipped)
        units = engine.units.frame
        if units is not None:
            if self._units[0] is not units:
                self._units = (units, units_meta(units))
            meta["units"] = self._units[1]
        return meta


def _finite(norms: dict[str, float]) -> dict[str, float]:
    return {name: value for name, value in norms.items() if math.isfinite(value)}
