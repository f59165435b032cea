"""The one merge rule: a lesson's preset, then the options the user gave on top."""

from __future__ import annotations

from rnnscope.lessons.lesson import Lesson


def lesson_settings(lesson: Lesson, given: dict) -> dict:
    """RunConfig-style settings for `lesson` with the user's options `given` overriding its preset.

    A corpus given replaces the preset's task, a task given replaces its corpus (the two exclude each
    other); every other option simply wins over the preset's value.
    """
    settings = dict(lesson.preset)
    if given.get("corpus"):
        settings.pop("task", None)
        settings.pop("distance", None)
    if given.get("task"):
        settings.pop("corpus", None)
    settings.update(given)
    return settings

