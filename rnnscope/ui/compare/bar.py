"""The compare screen's top line: what differs, which run is selected, and which keys act on which run."""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from rnnscope.ui.status_bar import LOADING, SEPARATOR

LIVE_HINT = "s switches · c [ ] i a m r: selected run · space n e g: both"
REPLAY_HINT = "s switches · space play · n next · r first: both"


def compare_line(differs: str, selected: str, loaded: bool, width: int, hint: str = LIVE_HINT) -> Text:
    """`compare │ B: clip off │ selected: A │ s switches · c [ ] i a m r: selected run · space n e g: both` (a
    replay's `hint`: its own keys)."""
    line = Text.assemble(
        Text(" compare ", style="bold reverse"), Text(SEPARATOR, style="dim"), Text(differs, style="bold"),
        Text(SEPARATOR, style="dim"), Text("selected: "), Text(f" {selected.upper()} ", style="bold reverse"),
        Text(SEPARATOR, style="dim"),
        Text(hint if loaded else LOADING, style="dim"),
    )
    line.truncate(width, overflow="ellipsis")
    return line


class CompareBar(Widget):
    """One line above the two runs; the runs' own status lines sit above their panels."""

    def __init__(self, differs: str, *, hint: str = LIVE_HINT, id: str | None = None) -> None:
        super().__init__(id=id)
        self.differs, self.hint = differs, hint
        self.selected = "a"
        self.loaded = False

    def show(self, selected: str, loaded: bool) -> None:
        if (selected, loaded) != (self.selected, self.loaded):
            self.selected, self.loaded = selected, loaded
            self.refresh()

    def render(self) -> Text:
        return compare_line(self.differs, self.selected, self.loaded, self.size.width, self.hint)
