"""What the screen says instead of the dashboard when the terminal is below the minimum size."""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

MIN_WIDTH, MIN_HEIGHT = 60, 20


def is_too_small(width: int, height: int) -> bool:
    return width < MIN_WIDTH or height < MIN_HEIGHT


def too_small_message(width: int, height: int) -> str:
    return f"terminal too small (need at least {MIN_WIDTH}x{MIN_HEIGHT}, have {width}x{height})"


class TooSmall(Widget):
    """A centred notice with the terminal's current size; the app shows it below MIN_WIDTH x MIN_HEIGHT."""

    def render(self) -> Text:
        width, height = self.app.size
        return Text(too_small_message(width, height), justify="center", style="bold")
