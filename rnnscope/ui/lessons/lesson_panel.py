"""The lesson panel: the claim, where to look, what to press, and the live check judged on the runs' evidence."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from rnnscope.contracts.visible import safe_text
from rnnscope.lessons import HOLDS, NOT_YET, UNJUDGEABLE, CheckResult, Lesson

CHECK_STYLES = {HOLDS: "bold green", NOT_YET: "bold yellow", UNJUDGEABLE: "bold magenta"}  # else: fails, red
LOOK_CLASS = "-lesson-look"  # the class of the panels a lesson points at (lessons.tcss highlights them)


def live_check(lesson: Lesson, evidence: dict[str, dict | None]) -> CheckResult:
    """The check on the evidence each run sent, by the app's side keys ({"": ...} alone, {"a": ..., "b": ...} in a
    compare); not yet before it all came."""
    missing = [side.upper() for side, found in evidence.items() if found is None]
    if missing:
        return CheckResult(NOT_YET, f"{NOT_YET}: waiting for the first check of run {' and '.join(missing)}"
                           if len(evidence) > 1 else f"{NOT_YET}: waiting for the first check")
    return lesson.judge(evidence[""] if "" in evidence else evidence, keys=True)


class LessonPanel(Static):
    """Shows one lesson and its latest check line."""

    def __init__(self, lesson: Lesson, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.lesson = lesson
        self.result = live_check(lesson, {side: None for side in (("a", "b") if lesson.compare else ("",))})

    def on_mount(self) -> None:
        self.border_title = f"lesson: {self.lesson.title}"
        self.refresh_text()

    def show_check(self, result: CheckResult) -> None:
        if result != self.result:
            self.result = result
            self.refresh_text()

    def refresh_text(self) -> None:
        self.update(self.text())

    def text(self) -> Text:
        """The check, the claim, where to look, the keys to press and what then happens (6 lines at 160 columns: the
        panel's height)."""
        lesson, result = self.lesson, self.result
        text = Text()  # the check first: a short terminal cuts the panel's last lines
        text.append(safe_text(result.line) + "\n", style=CHECK_STYLES.get(result.status, "bold red"))
        text.append(safe_text(lesson.claim) + "\n")
        text.append("look at: ", style="bold")
        text.append(", ".join(lesson.look_at) + "   ")
        text.append("press: ", style="bold")
        text.append(safe_text(lesson.press) + "   ")
        text.append("then: ", style="bold")
        text.append(safe_text(lesson.watch) + "  ")
        text.append("(L: other lessons)", style="dim")
        return text
