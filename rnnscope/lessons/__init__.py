"""Lessons: one command per claim of the lecture, each with a preset and a live check (plain data, no torch, no UI)."""

from rnnscope.lessons.catalog import LESSONS
from rnnscope.lessons.lesson import FAILS, HOLDS, NOT_YET, UNJUDGEABLE, CheckResult, Lesson

__all__ = ["LESSONS", "FAILS", "HOLDS", "NOT_YET", "UNJUDGEABLE", "CheckResult", "Lesson", "find_lesson",
           "lesson_names"]


def lesson_names() -> list[str]:
    return [lesson.name for lesson in LESSONS]


def find_lesson(name: str) -> Lesson | None:
    return next((lesson for lesson in LESSONS if lesson.name == name), None)
