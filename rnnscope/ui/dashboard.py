"""The panel area: every panel in a grid when the terminal is big enough, one page of panels at a time when not."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Container, Vertical
from textual.widgets import Tab, Tabs

from rnnscope.contracts.frames import Frame
from rnnscope.ui.panels import ALL_PANELS, FramePanel
from rnnscope.ui.view_state import ViewState

# Below this size the grid would squash the panels, so they are shown a page at a time.
GRID_MIN_WIDTH, GRID_MIN_HEIGHT = 150, 44
# Pages for small terminals: (label, panel titles); a panel whose title is not listed joins the last page.
PAGES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("gates", ("gates",)),
    ("states", ("cell & hidden state", "connectivity")),
    ("gradients", ("gradient flow", "memory", "gradient norms")),
    ("training", ("loss", "sigma_max & saturation")),
    ("text", ("probe text", "encoding", "sample")),
)


def page_of(title: str, pages: tuple[tuple[str, tuple[str, ...]], ...] = PAGES) -> int:
    """The page a panel with this title lives on when the grid does not fit."""
    for index, (_, titles) in enumerate(pages):
        if title in titles:
            return index
    return len(pages) - 1


class Dashboard(Vertical):
    """Holds one instance of every panel; the page tabs appear only when the grid does not fit."""

    pages = PAGES
    grid_min = (GRID_MIN_WIDTH, GRID_MIN_HEIGHT)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.page = 0

    def compose(self) -> ComposeResult:
        yield self.page_tabs()
        with Container(id="panel-grid"):
            for panel_class in ALL_PANELS:
                panel = panel_class()
                panel.can_focus = True  # Tab moves between panels; `z` zooms the focused one
                yield panel

    def page_tabs(self) -> Tabs:
        tabs = Tabs(*(Tab(f"{i + 1} {label}", id=f"page-{i}") for i, (label, _) in enumerate(self.pages)), id="pages")
        tabs.can_focus = False  # the arrow keys belong to the time cursor and the unit selection
        return tabs

    @property
    def panels(self) -> list[FramePanel]:
        return list(self.query(FramePanel))

    @property
    def paged(self) -> bool:
        return self.has_class("-paged")

    def show(self, frame: Frame, view: ViewState) -> None:
        for panel in self.panels:
            panel.show(frame, view)

    def unit_page(self) -> int | None:
        """Units the heatmaps on screen show (the fewest, so a page skips none); None when none is on screen."""
        from rnnscope.ui.panels.heatmap_panel import HeatmapPanel

        shown = [units for panel in self.query(HeatmapPanel) if not panel.has_class("-off-page")
                 if (units := panel.page_units())]
        return min(shown) if shown else None

    def fit(self, width: int, height: int) -> None:
        """Grid at `grid_min` (GRID_MIN_WIDTH x GRID_MIN_HEIGHT) and above, pages below."""
        self.set_class(width < self.grid_min[0] or height < self.grid_min[1], "-paged")
        self.select_page(self.page)

    def select_page(self, index: int) -> None:
        """Show the panels of page `index` (all panels stay mounted; the others are only hidden)."""
        self.page = max(0, min(index, len(self.pages) - 1))
        self.query_one(Tabs).active = f"page-{self.page}"
        for panel in self.panels:
            panel.set_class(self.paged and page_of(panel.title, self.pages) != self.page, "-off-page")

    def on_tabs_tab_activated(self, event: Tabs.TabActivated) -> None:
        index = int(event.tab.id.removeprefix("page-"))
        if index != self.page:
            self.select_page(index)

    def toggle_zoom(self) -> None:
        """Fill the screen with the focused panel (the first one shown if none), or go back."""
        screen = self.screen
        if screen.maximized is not None:
            screen.minimize()
            return
        focused = screen.focused if isinstance(screen.focused, FramePanel) else None
        target = focused or next(panel for panel in self.panels if not panel.has_class("-off-page"))
        target.focus()
        screen.maximize(target, container=False)
