"""`rnnscope --lesson list | NAME`: list the lessons, or check a lesson's arguments and settle its settings."""

from __future__ import annotations

import sys

from rnnscope.errors import InputError
from rnnscope.lessons import LESSONS, find_lesson, lesson_names
from rnnscope.lessons.presets import lesson_settings

# Options that make no sense with a lesson: it starts its own run, with its own partner run.
EXCLUSIVE = ("replay", "resume", "compare")


def lesson_listing() -> str:
    """One line per lesson: its name, then its claim."""
    width = max(len(name) for name in lesson_names())
    return "\n".join(f"{lesson.name:<{width}}  {lesson.claim}" for lesson in LESSONS)


def lesson_command(args: dict) -> int:
    """Handle --lesson; `args` are the parsed options (only those given). Returns the exit code."""
    name = args["lesson"]
    for option in EXCLUSIVE:
        if option in args:
            raise InputError(f"--lesson cannot be combined with --{option}: a lesson starts its own run; "
                             f"leave one of them out")
    if name == "list":
        print(lesson_listing())
        return 0
    lesson = find_lesson(name)
    if lesson is None:
        raise InputError(f"unknown lesson {name!r}: choose one of {', '.join(lesson_names())} "
                         "(rnnscope --lesson list shows their claims)")
    settings = lesson_settings(lesson, {key: value for key, value in args.items() if key != "lesson"})
    # Training a lesson's preset (and its compare partner) is wired to the engine in a later step.
    print(f"rnnscope: --lesson {name} is not available yet: its settings would be "
          f"{', '.join(f'{k}={v}' for k, v in sorted(settings.items(), key=lambda kv: kv[0]))}", file=sys.stderr)
    return 1
