"""The timeline: every probe a run computes, kept in RUN_DIR/timeline/ (numpy + json only; no torch, no Textual).

    from rnnscope.storage.timeline import TimelineWriter, TimelineReader, TimelineError

    TimelineWriter(run_dir).append(probe, wall_time=..., train_loss=..., val_loss=..., memory=..., meta=None)
    reader = TimelineReader(run_dir)
    entries = reader.index()             # [TimelineEntry(id, step, wall_time, train_loss, val_loss, loss, run)]
    frame = reader.load(entries[i].id)   # TimelineFrame(entry, probe, memory, meta); TimelineError if malformed

The folder: `index.json` ({"format": 2, "next_id", "columns": [id, step, wall_time, train_loss, val_loss, loss,
run], "frames": [[...], ...]}, oldest first) and one `frame-<id>.npz` per frame (rnnscope.storage.timeline.codec), at
most MAX_FRAMES (1,024) of them: past that the older half is thinned to every other frame
(rnnscope.storage.timeline.writer). Steps never go back within a run; the readers show the newest run (the step rule:
rnnscope.storage.timeline.index).
"""

from rnnscope.storage.timeline.index import TIMELINE, TimelineEntry, TimelineError
from rnnscope.storage.timeline.reader import TimelineFrame, TimelineReader
from rnnscope.storage.timeline.writer import MAX_FRAMES, TimelineBusy, TimelineWriter

__all__ = ["MAX_FRAMES", "TIMELINE", "TimelineBusy", "TimelineEntry", "TimelineError", "TimelineFrame", "TimelineReader",
           "TimelineWriter"]
