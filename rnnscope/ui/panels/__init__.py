"""The dashboard's panels, one widget per file; each has `title` and `show(frame, view)`."""

from __future__ import annotations

from rnnscope.ui.panels.base import FramePanel
from rnnscope.ui.panels.connectivity import ConnectivityPanel
from rnnscope.ui.panels.encoding import EncodingPanel
from rnnscope.ui.panels.flow import FlowPanel
from rnnscope.ui.panels.gates import GatesPanel
from rnnscope.ui.panels.grad_norms import GradNormsPanel
from rnnscope.ui.panels.health import HealthPanel
from rnnscope.ui.panels.loss import LossPanel
from rnnscope.ui.panels.memory import MemoryPanel
from rnnscope.ui.panels.probe_text import ProbeTextPanel
from rnnscope.ui.panels.sample import SamplePanel
from rnnscope.ui.panels.state import StatePanel

# Grid placement order: the grid places panels row by row into the first free cell, so with the row spans
# in panels.tcss this order fills column 1 with gates, connectivity, health, column 2 with state, flow,
# gradient norms and column 3 with loss, probe text, memory (beside the flow, on the same rows), encoding,
# sample (sorted by the row each panel starts on).
ALL_PANELS: tuple[type[FramePanel], ...] = (
    GatesPanel, StatePanel, LossPanel, ProbeTextPanel, FlowPanel, MemoryPanel, ConnectivityPanel,
    GradNormsPanel, EncodingPanel, HealthPanel, SamplePanel,
)

__all__ = [
    "ALL_PANELS", "ConnectivityPanel", "EncodingPanel", "FlowPanel", "FramePanel", "GatesPanel", "GradNormsPanel", "HealthPanel",
    "LossPanel", "MemoryPanel", "ProbeTextPanel", "SamplePanel", "StatePanel",
]
