"""What --replay steps through: a run's snapshots and timeline frames in step order, each turned into parts."""

from __future__ import annotations

import dataclasses
import threading
from pathlib import Path

import numpy as np

from rnnscope.contracts.frames import Frame
from rnnscope.contracts.json_numbers import number_or_nan
from rnnscope.contracts.parts import frame_parts
from rnnscope.storage.snapshot_io import snapshot_step
from rnnscope.storage.timeline import TimelineEntry, TimelineFrame, TimelineReader
from rnnscope.storage.timeline.facts import last_step, recorded_units, sample, settings, timeline_status, vocab
from rnnscope.storage.timeline.heartbeat import HeartbeatError, read_heartbeat


@dataclasses.dataclass(frozen=True)
class Stop:
    """One place the replay can show: a snapshot folder, or a timeline frame (its index entry)."""

    step: int
    folder: Path | None = None
    entry: TimelineEntry | None = None

    def describe(self) -> str:
        return f"snapshot {self.folder.name}" if self.folder is not None else f"timeline frame of step {self.step}"


def replay_stops(snapshots: list[Path], timeline: TimelineReader | None) -> list[Stop]:
    """Snapshots and timeline frames by step; a snapshot replaces the timeline frame of its own step (the export
    recorded that probe, and the snapshot holds the whole state)."""
    own = _this_run(snapshots, timeline)
    stops = {snapshot_step(folder): Stop(snapshot_step(folder), folder=folder) for folder in own}
    for entry in timeline.index() if timeline is not None else []:
        stops.setdefault(entry.step, Stop(entry.step, entry=entry))
    return [stops[step] for step in sorted(stops)]


def _this_run(snapshots: list[Path], timeline: TimelineReader | None) -> list[Path]:
    """The snapshots of the run the timeline shows (its newest: rnnscope.storage.timeline.index's step rule). Its
    writer's heartbeat says when that process started: snapshots of steps before the first frame it recorded are the
    history it continues; from that step on only those written since it started are its own (an older run's later
    exports in the same folder are not)."""
    entries = timeline.index() if timeline is not None else []
    try:
        beat = read_heartbeat(timeline.run_dir) if entries else None
    except HeartbeatError:
        beat = None
    since = [e for e in entries if e.wall_time >= beat.started] if beat is not None else []
    if not since:
        return snapshots
    kept = []
    for folder in snapshots:
        try:
            if snapshot_step(folder) < since[0].step or folder.stat().st_mtime >= beat.started:
                kept.append(folder)
        except OSError:
            kept.append(folder)  # replay says what is wrong with it when it gets there
    return kept


def timeline_parts(frame: TimelineFrame, base: Frame | None, entries: list[TimelineEntry],
                   run_dir: Path) -> dict[str, object]:
    """A timeline frame as the dashboard's parts: over `base` (a snapshot of the run: its settings, its histories
    and its memory measurement up to the frame's step), or, for a run that exported nothing, from the frame and the
    index alone."""
    entry = frame.entry
    if base is None:
        rows = [(e.step, e.train_loss) for e in entries if e.train_loss is not None and e.step <= entry.step]
        return {"status": timeline_status(frame, "", run_dir), "notice": None, "probe": frame.probe,
                "loss_history": np.array(rows, dtype=np.float64).reshape(-1, 2),  # [N, 2]
                "last_step": last_step(frame), "vocab": vocab(frame.meta, frame.probe), "memory": frame.memory,
                "sample": sample(frame), "units": recorded_units(frame)}
    status = dataclasses.replace(base.status, step=entry.step, train_loss=number_or_nan(entry.train_loss),
                                 val_loss=number_or_nan(entry.val_loss),
                                 config=base.status.config.with_(**settings(frame.meta)))  # the frame's, not base's
    earlier = base.memory if base.memory is not None and base.memory.step <= entry.step else None  # never a later one
    units, exported = recorded_units(frame), base.units if base.units is not None and base.units.step <= entry.step \
        else None  # the snapshot's analysis (with its strip) unless the frame recorded a newer one; never a later one
    if units is None or (exported is not None and exported.step >= units.step):
        units = exported
    return frame_parts(dataclasses.replace(
        base, status=status, probe=frame.probe, memory=frame.memory if frame.memory is not None else earlier,
        last_step=last_step(frame), units=units,
        loss_history=_until(base.loss_history, entry.step), val_history=_until(base.val_history, entry.step),
        grad_norm_history=_until(base.grad_norm_history, entry.step),
        events=tuple(e for e in base.events if e.step <= entry.step)))


def _until(history: np.ndarray, step: int) -> np.ndarray:
    """[N, k] rows whose step (column 0) is at most `step`."""
    return history[history[:, 0] <= step] if len(history) else history


class StepClock:
    """The step a compare replay's leader shows, and whether it plays: the follower shows its stop of that step."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._now: tuple[int | None, bool] = (None, False)

    def set(self, step: int, playing: bool) -> None:
        with self._lock:
            self._now = (step, playing)

    def now(self) -> tuple[int | None, bool]:
        with self._lock:
            return self._now
