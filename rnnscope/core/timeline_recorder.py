"""The engine's probe hook that writes every probe to RUN_DIR/timeline/ (rnnscope.timeline)."""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from rnnscope.frames import ProbeFrame
from rnnscope.timeline import TimelineWriter


class TimelineRecorder:
    """Called with each new probe of `engine`; a folder that cannot take a frame stops it with one notice."""

    def __init__(self, engine, notify: Callable[[str, str], None]):
        self.engine, self.notify = engine, notify
        self.writer: TimelineWriter | None = TimelineWriter(engine.run_dir)

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
                               meta={"model": engine.config.model, "clip": engine.config.clip,
                                     "init": engine.config.init})
        except OSError as err:
            self.notify("warning", f"timeline stopped: cannot write {self.writer.folder} ({err.strerror or err}); "
                                   "training goes on")
            self.writer = None
