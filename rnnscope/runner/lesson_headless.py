"""`rnnscope --lesson NAME --headless`: train the preset, judge the claim at each check point, one JSON line."""

from __future__ import annotations

import json
import time
from pathlib import Path

from rnnscope.compare.engine_pair import EnginePair
from rnnscope.contracts.config import RunConfig
from rnnscope.contracts.frames import DIVERGED
from rnnscope.engine.engine import Engine
from rnnscope.lessons import HOLDS, NOT_YET, Lesson
from rnnscope.lessons.lesson_run import add_lesson_to_meta, attach_lesson, strict_json
from rnnscope.runner.run_loop import headless_session, run_loop, say
from rnnscope.runner.signals import SignalGuard
from rnnscope.training.data import Corpus
from rnnscope.training.device import configure_threads

EXIT_HOLDS, EXIT_DOES_NOT = 0, 1


class _Alone:
    """A lesson's single run with the pair's small interface (rnnscope.compare.engine_pair.EnginePair): sides, step,
    live, train_step, export, snapshots."""

    def __init__(self, engine: Engine):
        self.sides = {"": engine}
        self.failure: str | None = None
        self.snapshot: Path | None = None

    @property
    def step(self) -> int:
        return self.sides[""].step

    def live(self) -> list[str]:
        return [""] if self.sides[""].state != DIVERGED else []

    def train_step(self) -> None:
        self.sides[""].train_step()

    def export(self) -> Path | None:
        """The run's snapshot, or None (and `failure`)."""
        engine = self.sides[""]
        self.snapshot = engine.export()
        self.failure = None if self.snapshot is not None else engine.notice.text
        return self.snapshot

    def snapshots(self) -> dict[str, Path | None]:
        return {"": self.snapshot}


class ExportFailed(Exception):
    """The closing snapshot could not be written."""


def run_lesson_headless(lesson: Lesson, config: RunConfig, config_b: RunConfig | None, compare_text: str | None,
                        corpus: Corpus, run_dir: Path, *, steps: int) -> int:
    """Train until the claim holds, fails or `steps` is reached; exit 0 when it holds, else 1."""
    with headless_session() as (guard, console):
        threads = configure_threads(config.threads)
        runs = _Alone(Engine(config, corpus, run_dir, threads=threads)) if config_b is None else EnginePair(
            config, config_b, corpus, run_dir, compare_text, threads=threads)
        return _run(LessonRun(lesson, runs, steps), guard, console)


class LessonRun:
    """A lesson for rnnscope.runner.run_loop: its run alone or its pair, each engine with its lesson tracker; judged at
    each validation step that made evidence (the side budget decides) and at the last; it stops once the claim is
    judged."""

    def __init__(self, lesson: Lesson, runs: _Alone | EnginePair, steps: int):
        self.lesson, self.runs, self.steps = lesson, runs, steps
        self.sides = runs.sides
        self.engines = list(self.sides.values())
        self.trackers = {side: attach_lesson(engine) for side, engine in self.sides.items()}
        self.result = lesson.judge(self.evidence())

    def step(self) -> int:
        return self.runs.step

    def going(self) -> bool:
        return self.result.status == NOT_YET and bool(self.runs.live())

    def train_step(self) -> None:
        self.runs.train_step()

    def after_step(self, tell) -> None:
        if self.fresh() or self.runs.step >= self.steps or not self.runs.live():
            self.result = self.lesson.judge(self.evidence())
            tell(f"step {self.runs.step}: {self.result.line}")

    def info(self) -> str:
        return self.result.status

    def fresh(self) -> bool:
        """Whether every engine's evidence is of this step (a validation with room for it made it)."""
        return all(self.trackers[side].fresh(engine) for side, engine in self.sides.items())

    def evidence(self) -> dict:
        """Each engine's evidence at this step (a validation has usually just made it: it is not made twice)."""
        return _joined({side: self.trackers[side].current(engine) for side, engine in self.sides.items()})

    def export(self) -> tuple[dict[str, Path], Path]:
        """Snapshots per side ("" for a single run) and what the verdict shows: the compare figure of a pair, the
        single run's snapshot; ExportFailed."""
        shown = self.runs.export()
        if shown is None:
            raise ExportFailed(self.runs.failure)
        return self.runs.snapshots(), shown

    def snapshot_evidence(self, snapshots: dict[str, Path]) -> dict:
        return _joined({side: self.trackers[side].of_snapshot(self.sides[side], folder)
                        for side, folder in snapshots.items()})


def _joined(by_side: dict[str, dict]) -> dict:
    return by_side[""] if "" in by_side else by_side


def _run(run: LessonRun, guard: SignalGuard, console) -> int:
    lesson, started = run.lesson, time.perf_counter()
    run_loop(run, run.steps, console)
    try:
        with guard.finishing():
            snapshots, shown = run.export()
    except ExportFailed as failed:
        say(console, f"rnnscope: error: {failed}")
        return EXIT_DOES_NOT
    evidence = strict_json(run.snapshot_evidence(snapshots))  # the numbers as the snapshot holds them
    result = lesson.judge(evidence)
    verdict = {"lesson": lesson.name, "claim": lesson.claim, "holds": result.holds, "status": result.status,
               "line": result.line, "numbers": strict_json(result.evidence), "evidence": evidence,
               "steps": run.step(), "seconds": round(time.perf_counter() - started, 1)}
    for folder in snapshots.values():
        try:
            add_lesson_to_meta(folder, verdict)
        except OSError as err:  # a full disk: the verdict is still printed, the snapshot kept as it was
            say(console, f"rnnscope: warning: cannot add the verdict to {folder}/meta.json "
                f"({err.strerror or err}): the snapshot is kept without it")
    pair = {} if "" in snapshots else {"snapshots": {side: str(folder) for side, folder in snapshots.items()}}
    print(json.dumps({**verdict, "snapshot": str(shown), **pair}))
    return EXIT_HOLDS if result.status == HOLDS else EXIT_DOES_NOT
