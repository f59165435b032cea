"""The one gate for a frame's free text (status fields, event labels, the notice): made visible-safe on arrival."""

from __future__ import annotations

import dataclasses

from rnnscope.frames import Event, Frame, RunStatus
from rnnscope.ui.render.visible_chars import safe_text

STATUS_TEXT = ("corpus", "model", "state", "init", "optimizer", "device", "diverged", "run_dir")


def _safe_status(status: RunStatus) -> RunStatus:
    changes = {name: safe_text(value) for name in STATUS_TEXT
               if isinstance(value := getattr(status, name), str) and safe_text(value) != value}
    return dataclasses.replace(status, **changes) if changes else status


def _safe_events(events: tuple[Event, ...]) -> tuple[Event, ...]:
    if all(safe_text(e.label) == e.label for e in events):
        return events
    return tuple(Event(e.step, safe_text(e.label)) for e in events)


def safe_frame(frame: Frame) -> Frame:
    """`frame` with every string the widgets print as it is made visible-safe (corpus text, which the panels
    draw one cell per character, is left to visible_chars.visible); the same object when nothing changes."""
    status, events = _safe_status(frame.status), _safe_events(frame.events)
    notice = frame.notice
    if notice is not None and safe_text(notice.text) != notice.text:
        notice = dataclasses.replace(notice, text=safe_text(notice.text))
    if status is frame.status and events is frame.events and notice is frame.notice:
        return frame
    return dataclasses.replace(frame, status=status, events=events, notice=notice)
