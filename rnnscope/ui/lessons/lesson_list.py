"""The `L` screen: the lessons in the lecture's order; choosing one returns its name (escape: None)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import Footer, OptionList
from textual.widgets.option_list import Option

from rnnscope.lessons import LESSONS


class LessonList(ModalScreen[str | None]):
    """Pick a lesson: enter starts it, escape goes back to the dashboard."""

    BINDINGS = [Binding("escape,q", "dismiss(None)", "back", key_display="esc")]

    def compose(self) -> ComposeResult:
        yield OptionList(*(Option(f"{lesson.name:<14} {lesson.title}", id=lesson.name) for lesson in LESSONS),
                         id="lesson-list")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)
