"""`rnnscope --lesson list | NAME`: list the lessons, or check a lesson's arguments and turn its preset into options."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

from rnnscope.contracts.errors import InputError
from rnnscope.lessons import LESSONS, Lesson, find_lesson, lesson_names
from rnnscope.lessons.presets import lesson_settings
from rnnscope.storage.run_dir import default_run_dir

# Options that make no sense with a lesson: it starts its own run, with its own partner run.
EXCLUSIVE = ("replay", "resume", "compare")


def lesson_listing() -> str:
    """One line per lesson: its name, then its claim."""
    width = max(len(name) for name in lesson_names())
    return "\n".join(f"{lesson.name:<{width}}  {lesson.claim}" for lesson in LESSONS)


def lesson_args(args: dict) -> tuple[Lesson | None, dict]:
    """Handle --lesson; `args` are the parsed options (only those given). Returns (None, args) after printing
    the list, else the lesson (its budget = --steps when given) and the command line its preset stands for:
    the preset's settings as options, those given on top, and compare / run-dir / steps filled in."""
    name = args["lesson"]
    for option in EXCLUSIVE:
        if option in args:
            raise InputError(f"--lesson cannot be combined with --{option}: a lesson starts its own run; "
                             f"leave one of them out")
    if name == "list":
        print(lesson_listing())
        return None, args
    lesson = find_lesson(name)
    if lesson is None:
        raise InputError(f"unknown lesson {name!r}: choose one of {', '.join(lesson_names())} "
                         "(rnnscope --lesson list shows their claims)")
    given = {key: value for key, value in args.items() if key != "lesson"}
    options = {}
    for key, value in lesson_settings(lesson, given).items():
        if key in ("corpus", "task") and not value:
            continue  # the bundled sample, or no task
        if key == "distance" and isinstance(value, (tuple, list)):
            value = f"{value[0]}-{value[1]}"  # as --distance MIN-MAX
        if key == "clip" and value is None:
            value = 0.0  # as --clip 0: off
        options[key] = value
    if lesson.compare is not None:
        options["compare"] = lesson.compare
        # a refusal about run B names the lesson's run B, not a --compare the user never typed
        options["compare_label"] = f"lesson {name}'s run B ({lesson.compare.replace('=', ' ').replace(',', ', ')})"
    options.setdefault("run_dir", str(default_run_dir(Path(f"lesson-{name}"), time.localtime())))
    options["lesson"] = name  # the engine sends the evidence for the dashboard's check; figures carry the claim
    if "steps" in given:
        lesson = dataclasses.replace(lesson, steps=given["steps"])
    elif "headless" in given:
        options["steps"] = lesson.steps
    return lesson, options
