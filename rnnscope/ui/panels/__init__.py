"""The dashboard's panels, one widget per file; each has `title` and `show(frame, view)`."""

from __future__ import annotations

from rnnscope.ui.panels.base import FramePanel
from rnnscope.ui.panels.gates import GatesPanel
from rnnscope.ui.panels.state import StatePanel

ALL_PANELS: tuple[type[FramePanel], ...] = (GatesPanel, StatePanel)

__all__ = ["ALL_PANELS", "FramePanel", "GatesPanel", "StatePanel"]
