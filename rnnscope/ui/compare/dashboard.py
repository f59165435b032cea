"""The compare screen's panel area: one loss panel with both runs' curves, then A and B side by side, each with
its status line and its own instances of the single-run panels in SIDE_PANELS (the gates in a column of their own,
tall enough for several units per gate); below 160x48, pages of one kind of panel, A beside B."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Container, Horizontal, Vertical

from rnnscope.compare.options import SIDES
from rnnscope.contracts.frames import Frame
from rnnscope.ui.compare.side_status import SideStatus
from rnnscope.ui.dashboard import Dashboard, page_of
from rnnscope.ui.panels import FlowPanel, FramePanel, GatesPanel, GradNormsPanel, MemoryPanel, StatePanel
from rnnscope.ui.panels.loss_overlay import LossOverlayPanel
from rnnscope.ui.view_state import ViewState

# The panels each side shows, top to bottom (heights in compare.tcss): add a panel class here and it appears
# for A and for B; a title not in COMPARE_PAGES joins the last page on a small terminal.
SIDE_PANELS: tuple[type[FramePanel], ...] = (GatesPanel, StatePanel, FlowPanel, GradNormsPanel, MemoryPanel)
COMPARE_PAGES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("gates", ("gates",)),
    ("states", ("cell & hidden state",)),
    ("gradients", ("gradient flow", "gradient norms")),
    ("memory", ("memory",)),
    ("loss", ("loss",)),
)


class CompareDashboard(Dashboard):
    """Both runs' panels; `show` takes the latest frame of each run and the one view they share."""

    pages = COMPARE_PAGES
    grid_min = (160, 48)

    def __init__(self, labels: dict[str, str], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.labels = labels  # side -> "A" / "B: clip off"

    def compose(self) -> ComposeResult:
        yield self.page_tabs()
        yield LossOverlayPanel(id="loss-overlay")
        with Horizontal(id="compare-sides"):
            for side in SIDES:
                with Vertical(id=f"side-{side}", classes="side"):
                    yield SideStatus(self.labels[side], id=f"status-{side}")
                    with Container(classes="side-grid"):  # the gates down the left, the others beside them
                        for panel_class in SIDE_PANELS:
                            panel = panel_class(classes=f"side-{side}")
                            panel.can_focus = True  # Tab moves between panels; `z` zooms the focused one
                            yield panel

    def side_panels(self, side: str) -> list[FramePanel]:
        return list(self.query_one(f"#side-{side}").query(FramePanel))

    def show(self, frames: dict[str, Frame | None], view: ViewState) -> None:
        self.query_one(LossOverlayPanel).show((frames.get("a"), frames.get("b")), view)
        for side in SIDES:
            frame = frames.get(side)
            if frame is None:
                continue
            self.query_one(f"#status-{side}", SideStatus).show(frame, view.layer)
            for panel in self.side_panels(side):
                panel.show(frame, view)

    def select(self, side: str) -> None:
        """Highlight the selected run's column (compare.tcss)."""
        for other in SIDES:
            self.query_one(f"#side-{other}").set_class(other == side, "-selected")

    def select_page(self, index: int) -> None:
        """As the single-run dashboard; on the loss page the two sides shrink to their status lines."""
        super().select_page(index)
        self.set_class(self.paged and self.page == page_of(LossOverlayPanel.title, self.pages), "-loss-page")
