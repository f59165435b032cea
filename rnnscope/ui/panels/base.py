"""FramePanel: the thin Line-API widget every panel shares (stores the frame, caches rendered strips)."""

from __future__ import annotations

import textwrap
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip
from textual.widget import Widget

from rnnscope.contracts.frames import Frame
from rnnscope.contracts.states import ATTACHED, REPLAY
from rnnscope.ui.render.accents import ACCENT_NAMES, Accents
from rnnscope.ui.render.lines import NO_STEP_RECORDED, NO_STEP_YET, WAITING, Line, line_width, seg
from rnnscope.ui.view_state import ViewState


def strip(line: Line, base: Style) -> Strip:
    """A line as a Strip, the widget's own style on unstyled cells (accents from tcss carry it already).
    Textual pads or crops each strip to the content width. s[0], s[1]: a Segment's text and style (indexing is
    quicker than the attribute names, and this runs for every cell of every changed line)."""
    return Strip([s if s[1] is not None else Segment(s[0], base) for s in line], line_width(line))


def watched(frame: Frame) -> bool:
    """A frame of a model a Scope watches (rnnscope.watch): labelled positions, no vocabulary, a loss of its own."""
    return frame.probe is not None and bool(frame.probe.labels)


def waiting_for_step(frame: Frame, live: str) -> str:
    """What a panel of training steps (loss, gradient norms) says before one: `live` of a run trained here, what
    was recorded of a replay or a review, what the other process wrote of an attached run."""
    if frame.status.state.startswith(REPLAY) or frame.status.review:
        return NO_STEP_RECORDED
    return NO_STEP_YET if frame.status.state in ATTACHED else live


def part_version(frame: Frame, name: str) -> object:
    """The version of one part of the frame (rnnscope.contracts.parts); a frame made whole (tests) has none: its object."""
    return frame.versions.get(name) or id(getattr(frame, name))


class FramePanel(Widget):
    """A panel drawn line by line from a pure renderer; `show()` is cheap when nothing it reads changed."""

    title: ClassVar[str] = ""  # border title, also the tab label the shell uses
    needs_probe: ClassVar[bool] = True  # says "waiting for the first probe…" until frame.probe arrives
    watched_note: ClassVar[str] = ""  # what a watched model's frames lack for this panel (the panel says it instead)
    COMPONENT_CLASSES: ClassVar[set[str]] = {f"accent--{name}" for name in ACCENT_NAMES}

    def __init__(self, *, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.frame: Frame | None = None
        self.view = ViewState()
        self.color_system_override: str | None = None  # tests force 'truecolor' / '256' / 'standard'
        self._inputs: tuple = ()
        self._cache_key: tuple = ()
        self._strips: list[Strip] = []
        self._styles: tuple[Style, Accents] | None = None  # (widget style, accents) until the CSS changes
        self.builds = 0  # how often the lines were built (tests count them)

    def lacks(self, frame: Frame) -> bool:
        """Whether this frame lacks what the panel shows (then it says `watched_note`): a watched model's, unless
        the panel says otherwise."""
        return watched(frame)

    def on_mount(self) -> None:
        self.border_title = self.title

    def notify_style_update(self) -> None:
        """Textual's hook after a CSS change (theme, classes, focus): drop the looked-up styles and strips."""
        super().notify_style_update()
        self._styles = None
        self._cache_key = ()

    def inputs(self, frame: Frame, view: ViewState) -> tuple:
        """What this panel's picture depends on: the versions of the parts it reads, and the view."""
        return (part_version(frame, "probe"), view)

    def build(self, frame: Frame, view: ViewState, width: int, height: int, color_system: str | None,
              accents: Accents) -> list[Line]:
        """The panel's lines for a frame; implemented by each panel with a pure renderer."""
        raise NotImplementedError

    def measured_at(self, frame: Frame) -> int | None:
        """The step of the measurement the panel shows (the probe's, on the probe's panels), for its title; None
        when the panel is live (loss, gradient norms) or has nothing yet."""
        return frame.probe.step if self.needs_probe and frame.probe is not None else None

    def measured_title(self) -> str:
        """'gradient flow · probe @ step 1190' ('memory · step 100'), or '… @ 1190' when the panel is narrow."""
        step = None if self.frame is None else self.measured_at(self.frame)
        title = self.shown_title(self.frame)
        if step is None:
            return title
        long = f"{title} · {'probe @ ' if self.needs_probe else ''}step {step}"
        return long if len(long) + 4 <= self.size.width or not self.size.width else f"{title} @ {step}"

    def shown_title(self, frame: Frame | None) -> str:
        """The title as the frame's model reads it (`title` names the panel for pages and lessons)."""
        return self.title

    def show(self, frame: Frame, view: ViewState) -> None:
        """Take the latest frame and view; redraw only when something this panel reads changed."""
        inputs = (*self.inputs(frame, view), self.watched_note and self.lacks(frame))
        self.frame, self.view = frame, view
        if inputs != self._inputs:
            self._inputs = inputs
            self.border_title = self.measured_title()
            self.refresh()

    def on_resize(self) -> None:
        self.border_title = self.measured_title()

    @property
    def color_system(self) -> str | None:
        return self.color_system_override or self.app.console.color_system

    def looked_up_styles(self) -> tuple[Style, Accents]:
        """The widget's own style and the accent styles as panels.tcss sets them (slow to look up: kept)."""
        if self._styles is None:
            accents = Accents(**{name: self.get_component_rich_style(f"accent--{name}") for name in ACCENT_NAMES})
            self._styles = (self.rich_style, accents)
        return self._styles

    def lines(self, width: int, height: int, accents: Accents) -> list[Line]:
        """Everything the panel shows at this size (the waiting message before the data it needs)."""
        if self.frame is None or (self.needs_probe and self.frame.probe is None):
            return [[seg(WAITING, accents.waiting)]]
        if self.watched_note and self.lacks(self.frame):
            return [[seg(line, accents.waiting)] for line in textwrap.wrap(self.watched_note, max(width, 1))]
        return self.build(self.frame, self.view, width, height, self.color_system, accents)

    def render_line(self, y: int) -> Strip:
        # The content size follows the outer size; a CSS change (gutter) clears the key in notify_style_update.
        key = (self._inputs, self.outer_size, self.color_system)
        if key != self._cache_key:
            width, height = self.size
            base, accents = self.looked_up_styles()
            strips = [strip(line, base) for line in self.lines(width, height, accents)[:height]]
            self._strips = strips + [Strip.blank(width, base)] * (height - len(strips))
            self._cache_key = key
            self.builds += 1
        return self._strips[y]  # Textual asks for rows of the content region only
