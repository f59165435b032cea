"""The `?` screen: keys and how to read each panel, scrollable; any of escape, ? or q closes it."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Markdown

from rnnscope.ui.help_text import help_markdown
from rnnscope.ui.keymap import ALL_KEYS, KeyAction


class HelpScreen(ModalScreen[None]):
    """Keys and the reading guide over the dashboard."""

    BINDINGS = [
        Binding("escape,question_mark,q", "dismiss", "close", key_display="esc"),
    ]

    def __init__(self, keys: tuple[KeyAction, ...] = ALL_KEYS) -> None:
        super().__init__()
        self.keys = keys  # the dashboard's own (rnnscope.ui.keymap.own_keys)

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-scroll"):
            yield Markdown(help_markdown(self.keys), id="help-text")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#help-scroll").focus()
