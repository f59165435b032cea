"""The one gate for a frame's free text (status fields, settings, event labels, the notice): made visible-safe."""

from __future__ import annotations

import dataclasses

from rnnscope.contracts.frames import Event, Frame, RunStatus
from rnnscope.contracts.visible import safe_text

STATUS_TEXT = ("corpus", "state", "device", "diverged", "run_dir", "writer")
CONFIG_TEXT = ("corpus", "model", "init", "optimizer", "device", "encoding")


def _safe_fields(obj, names: tuple[str, ...]) -> dict[str, str]:
    """The text fields of `obj` that change when made safe, made safe."""
    return {name: safe_text(value) for name in names
            if isinstance(value := getattr(obj, name), str) and safe_text(value) != value}


def _safe_status(status: RunStatus) -> RunStatus:
    changes = _safe_fields(status, STATUS_TEXT)
    config_changes = _safe_fields(status.config, CONFIG_TEXT)
    if config_changes:
        changes["config"] = dataclasses.replace(status.config, **config_changes)
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
