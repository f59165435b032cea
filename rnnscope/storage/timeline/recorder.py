"""The one timeline recorder, of rnnscope's runs (an engine hook: `after_probe`) and of a Scope (its output): writes
each probe's frame to RUN_DIR/timeline/ with its typed meta, beats the heartbeat, tells of an index set aside; a
folder that cannot take a frame stops it with one notice."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from rnnscope.contracts.engine_hook import EngineHook
from rnnscope.contracts.frames import MemoryReading, ProbeReading
from rnnscope.storage.timeline.frame_meta import FrameMeta
from rnnscope.storage.timeline.heartbeat import HeartbeatFile
from rnnscope.storage.timeline.writer import TimelineWriter


class Beside(NamedTuple):
    """What a frame records beside its probe."""

    train_loss: float | None
    val_loss: float | None
    memory: MemoryReading | None
    meta: FrameMeta


class TimelineRecorder(EngineHook):
    """`notify(text)` hears the notices (an index set aside, the recorder stopped); `stopped(error)`, when given,
    hears the write that failed instead. As an engine hook it records what `beside(engine)` says with each probe."""

    def __init__(self, run_dir: Path, writer: str, notify: Callable[[str], None], *, rank: int = 0,
                 beside: Callable[[object], Beside] | None = None,
                 stopped: Callable[[OSError], None] | None = None, beat_each_frame: bool = False) -> None:
        self.writer = TimelineWriter(run_dir)
        self.heartbeat = HeartbeatFile(run_dir, writer, rank)  # names the writer for `rnnscope --attach`
        self.notify, self.beside, self.beat_each_frame = notify, beside, beat_each_frame
        self.stopped = stopped or self._stopped
        self.on = True  # until a write fails

    def claim(self) -> None:
        """Take the folder now (TimelineBusy when another process writes it) and say so in the heartbeat."""
        self.writer.claim()
        self.heartbeat.beat(0, now=True)

    def after_probe(self, engine, probe: ProbeReading) -> None:
        self.record(probe, self.beside(engine))

    def record(self, probe: ProbeReading, beside: Beside) -> None:
        """Write the frame and beat the heartbeat; an OSError (the heartbeat's too) stops the recorder."""
        if not self.on:
            return
        try:
            self.writer.append(probe, wall_time=time.time(), train_loss=beside.train_loss, val_loss=beside.val_loss,
                               memory=beside.memory, meta=beside.meta.encode())
            if self.writer.set_aside is not None:
                self.notify(f"{self.writer.folder / 'index.json'} could not be read: set aside with its frames in "
                            f"{self.writer.set_aside}; a new timeline starts")
                self.writer.set_aside = None
            self.heartbeat.beat(probe.step, now=self.beat_each_frame)
        except OSError as error:
            self.on = False
            self.stopped(error)

    def _stopped(self, error: OSError) -> None:
        self.notify(f"timeline stopped: cannot write {self.writer.folder} ({error.strerror or error}); training goes on")

    @property
    def writes(self) -> bool:
        """Whether this recorder writes the timeline (it holds the folder and was not stopped)."""
        return self.on and self.writer.entries is not None

    def alive(self, step: int) -> None:
        """The run goes on without probing (paused): the heartbeat is rewritten every BEAT_EVERY_S all the same, so
        `rnnscope --attach` does not call a paused run STALE."""
        if self.writes:
            try:
                self.heartbeat.beat(step)
            except OSError:
                pass  # the next probe's write says what is wrong

    def end(self, step: int) -> None:
        """Mark the run ended at `step` in its heartbeat (`rnnscope --attach` then says ENDED, not STALE), if this
        recorder wrote the timeline (one that was refused it leaves the other process's heartbeat alone)."""
        if not self.writes:
            return
        try:
            self.heartbeat.step = step
            self.heartbeat.end()
        except OSError:
            pass  # the folder is gone or full: an attached dashboard will say STALE
