"""Scrubbing back through the run's timeline: which recorded frame the panels show instead of the live probe.

`,` and `.` move one recorded frame back / forward (past the newest: live again), End returns to live; training
goes on meanwhile. With several runs (a compare) the first leads: the others show their frame of the same step
(their newest at or before it). The timeline is read here, in the UI's process (rnnscope.storage.timeline: numpy only).
"""

from __future__ import annotations

import bisect
import dataclasses
from pathlib import Path

from rnnscope.contracts.frames import Event, Frame
from rnnscope.storage.timeline import TimelineEntry, TimelineError, TimelineFrame, TimelineReader
from rnnscope.storage.timeline.facts import last_step, recorded_units

REVIEW_EVENT = "review"  # the loss curve's marker at the reviewed step


class Review:
    """The reviewed frame of each run (by side), or None while live."""

    def __init__(self) -> None:
        self.readers: dict[str, TimelineReader] = {}
        self.frame_id: int | None = None  # the leading run's reviewed frame; None = live
        self.label = ""  # "REVIEW step N (frame i of n)"
        self.shown: dict[str, TimelineFrame] = {}

    @property
    def active(self) -> bool:
        return self.frame_id is not None

    def live(self) -> None:
        self.frame_id, self.label, self.shown = None, "", {}

    def move(self, frames: dict[str, Frame | None], delta: int) -> None:
        """One recorded frame back (-1) or forward (+1) from the shown one (from live: the newest recorded before
        the live probe). TimelineError when the timeline cannot be read: the caller shows it, nothing changes."""
        lead = next(iter(frames))
        entries = self._reader(lead, frames[lead]).index()
        if not entries:
            raise TimelineError("no frame is recorded yet: the timeline starts with the first probe")
        if self.frame_id is None:
            if delta > 0:
                return  # already live
            live = frames[lead].probe.step if frames[lead] is not None and frames[lead].probe is not None else None
            earlier = [i for i, e in enumerate(entries) if live is None or e.step < live]
            position = earlier[-1] if earlier else 0
        else:
            position = _position(entries, self.frame_id, delta)
        if position >= len(entries):
            self.live()
            return
        self._show(frames, entries, max(position, 0))

    def _show(self, frames: dict[str, Frame | None], entries: list[TimelineEntry], position: int) -> None:
        lead, entry = next(iter(frames)), entries[position]
        shown = {lead: self._reader(lead, frames[lead]).load(entry.id)}
        for side, frame in list(frames.items())[1:]:
            reader = self._reader(side, frame)
            others = reader.index()
            if others:
                before = [e for e in others if e.step <= entry.step] or others[:1]
                shown[side] = reader.load(before[-1].id)
        self.frame_id, self.shown = entry.id, shown
        self.label = f"REVIEW step {entry.step} (frame {position + 1} of {len(entries)})"

    def _reader(self, side: str, frame: Frame | None) -> TimelineReader:
        if side not in self.readers:
            if frame is None or not frame.status.run_dir:
                raise TimelineError("this run has no folder: nothing is recorded to review")
            self.readers[side] = TimelineReader(Path(frame.status.run_dir))
        return self.readers[side]

    def overlay(self, frame: Frame | None, side: str = "") -> Frame | None:
        """`frame` with the reviewed probe, memory and gradient norms (None where none was recorded then), its units
        analysis where it recorded one (else the live one), the review in its status and a marker on the loss curve."""
        recorded = self.shown.get(side)
        if frame is None or recorded is None:
            return frame
        key = ("review", recorded.entry.id)  # a version no live part has: the panels redraw once per frame
        versions = {**frame.versions, "probe": key, "memory": key, "last_step": key,
                    "status": (key, frame.versions.get("status")), "events": (key, frame.versions.get("events"))}
        units = recorded_units(recorded)
        if units is not None:
            if frame.units is not None:  # the emergences the run had seen by then (a record keeps none)
                units = dataclasses.replace(units, emerged=tuple(e for e in frame.units.emerged if e.step <= units.step))
            frame, versions = dataclasses.replace(frame, units=units), {**versions, "units": key}
        return dataclasses.replace(
            frame, probe=recorded.probe, memory=recorded.memory, last_step=last_step(recorded), versions=versions,
            status=dataclasses.replace(frame.status, review=self.label),
            events=(*frame.events, Event(recorded.entry.step, REVIEW_EVENT)))


def _position(entries: list[TimelineEntry], frame_id: int, delta: int) -> int:
    """The place `delta` frames from frame `frame_id`; if thinning removed that frame, from the gap it left."""
    after = bisect.bisect_left([e.id for e in entries], frame_id)  # the first frame at or after it
    if after < len(entries) and entries[after].id == frame_id:
        return after + delta
    return after + delta if delta < 0 else after + delta - 1
