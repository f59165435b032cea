"""FramePanel: the thin Line-API widget every panel shares (stores the frame, caches rendered strips)."""

from __future__ import annotations

from typing import ClassVar

from rich.segment import Segment
from textual.strip import Strip
from textual.widget import Widget

from rnnscope.frames import Frame
from rnnscope.ui.render.accents import ACCENT_NAMES, Accents
from rnnscope.ui.render.lines import WAITING, Line, line_width, seg
from rnnscope.ui.view_state import ViewState


class FramePanel(Widget):
    """A panel drawn line by line from a pure renderer; `show()` is cheap when nothing it reads changed."""

    title: ClassVar[str] = ""  # border title, also the tab label the shell uses
    needs_probe: ClassVar[bool] = True  # says "waiting for the first probe…" until frame.probe arrives
    COMPONENT_CLASSES: ClassVar[set[str]] = {f"accent--{name}" for name in ACCENT_NAMES}

    def __init__(self, *, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.frame: Frame | None = None
        self.view = ViewState()
        self.color_system_override: str | None = None  # tests force 'truecolor' / '256' / 'standard'
        self._inputs: tuple = ()
        self._cache_key: tuple = ()
        self._strips: list[Strip] = []

    def on_mount(self) -> None:
        self.border_title = self.title

    def inputs(self, frame: Frame, view: ViewState) -> tuple:
        """What this panel's picture depends on; ids are safe because the previous frame is still held."""
        return (id(frame.probe), view)

    def build(self, frame: Frame, view: ViewState, width: int, height: int, color_system: str | None,
              accents: Accents) -> list[Line]:
        """The panel's lines for a frame; implemented by each panel with a pure renderer."""
        raise NotImplementedError

    def show(self, frame: Frame, view: ViewState) -> None:
        """Take the latest frame and view; redraw only when something this panel reads changed."""
        inputs = self.inputs(frame, view)
        self.frame, self.view = frame, view
        if inputs != self._inputs:
            self._inputs = inputs
            self.refresh()

    @property
    def color_system(self) -> str | None:
        return self.color_system_override or self.app.console.color_system

    def accents(self) -> Accents:
        """The accent styles as panels.tcss sets them."""
        return Accents(**{name: self.get_component_rich_style(f"accent--{name}") for name in ACCENT_NAMES})

    def lines(self, width: int, height: int) -> list[Line]:
        """Everything the panel shows at this size (the waiting message before the data it needs)."""
        accents = self.accents()
        if self.frame is None or (self.needs_probe and self.frame.probe is None):
            return [[seg(WAITING, accents.waiting)]]
        return self.build(self.frame, self.view, width, height, self.color_system, accents)

    def _strip(self, line: Line) -> Strip:
        """A line as a Strip, the widget's own style on unstyled cells (accents from tcss carry it already).
        Textual pads or crops each strip to the content width."""
        base = self.rich_style
        return Strip([s if s.style is not None else Segment(s.text, base) for s in line], line_width(line))

    def render_line(self, y: int) -> Strip:
        width, height = self.size
        key = (self._inputs, width, height, self.color_system)
        if key != self._cache_key:
            self._strips = [self._strip(line) for line in self.lines(width, height)[:height]]
            self._cache_key = key
        return self._strips[y] if y < len(self._strips) else Strip.blank(width, self.rich_style)
