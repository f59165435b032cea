"""`rnnscope --lesson NAME --headless`: train the preset, judge the claim at each check point, one JSON line."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from rich.console import Console

from rnnscope.compare.engine_pair import EnginePair
from rnnscope.contracts.config import RunConfig
from rnnscope.contracts.frames import DIVERGED
from rnnscope.lessons import HOLDS, NOT_YET, Lesson
from rnnscope.lessons.lesson_run import add_lesson_to_meta, strict_json
from rnnscope.measuring.headless_probes import HeadlessProbes, runs_ended
from rnnscope.runner.headless import REFRESH_S, progress_bar, say
from rnnscope.runner.signals import SignalGuard
from rnnscope.training.data import Corpus
from rnnscope.training.device import configure_threads
from rnnscope.training.engine import Engine

EXIT_HOLDS, EXIT_DOES_NOT = 0, 1


class _Runs:
    """The lesson's engine, or its pair of engines in lockstep, behind one small interface."""

    def __init__(self, config: RunConfig, config_b: RunConfig | None, compare_text: str | None, corpus: Corpus,
                 run_dir: Path, threads: int):
        if config_b is None:
            self.pair = None
            self.engines = {"": Engine(config, corpus, run_dir, threads=threads)}
        else:
            self.pair = EnginePair(config, config_b, corpus, run_dir, compare_text, threads=threads)
            self.engines = dict(self.pair.sides)

    @property
    def step(self) -> int:
        return self.pair.step if self.pair else self.engines[""].step

    def live(self) -> bool:
        return bool(self.pair.live()) if self.pair else self.engines[""].state != DIVERGED

    def train_step(self) -> None:
        if self.pair:
            self.pair.train_step()
        else:
            self.engines[""].train_step()

    def evidence(self) -> dict:
        """Each engine's evidence at this step (a validation has usually just made it: it is not made twice)."""
        return self._joined({side: engine.current_lesson_evidence() for side, engine in self.engines.items()})

    def export(self) -> tuple[dict[str, Path], Path | None]:
        """Snapshots per side ("" for a single run) and the compare figure (None for one run); ExportFailed."""
        if self.pair:
            figure = self.pair.export()
            if figure is None:
                raise ExportFailed(self.pair.failure)
            return {side: self.pair.snapshots[side] for side in self.engines}, figure
        engine = self.engines[""]
        path = engine.export()
        if path is None:
            raise ExportFailed(engine.notice.text)
        return {"": path}, None

    def snapshot_evidence(self, snapshots: dict[str, Path]) -> dict:
        return self._joined({side: self.engines[side].lesson_side.of_snapshot(folder)
                             for side, folder in snapshots.items()})

    @staticmethod
    def _joined(by_side: dict[str, dict]) -> dict:
        return by_side[""] if "" in by_side else by_side


class ExportFailed(Exception):
    """The closing snapshot could not be written."""


def run_lesson_headless(lesson: Lesson, config: RunConfig, config_b: RunConfig | None, compare_text: str | None,
                        corpus: Corpus, run_dir: Path, *, steps: int) -> int:
    """Train until the claim holds, fails or `steps` is reached; exit 0 when it holds, else 1."""
    with SignalGuard().installed() as guard:
        return _run(lesson, config, config_b, compare_text, corpus, run_dir, steps, guard)


def _run(lesson: Lesson, config: RunConfig, config_b: RunConfig | None, compare_text: str | None, corpus: Corpus,
         run_dir: Path, steps: int, guard: SignalGuard) -> int:
    started = time.perf_counter()
    runs = _Runs(config, config_b, compare_text, corpus, run_dir, configure_threads(config.threads))
    console = Console(file=sys.stderr)
    every = config.val_every
    result = lesson.judge(runs.evidence())
    with progress_bar(console) as progress, runs_ended(list(runs.engines.values())):
        task = progress.add_task("train", total=steps, completed=0, info="")
        last_refresh = 0.0
        probes = HeadlessProbes(list(runs.engines.values()))
        while result.status == NOT_YET and runs.step < steps and runs.live():
            runs.train_step()
            probes.tick()
            if runs.step % every == 0 or runs.step >= steps or not runs.live():
                result = lesson.judge(runs.evidence())
                say(console, f"step {runs.step}: {result.line}")
            now = time.perf_counter()
            if now - last_refresh >= REFRESH_S:
                progress.update(task, completed=runs.step, info=result.status)
                last_refresh = now
        progress.update(task, completed=runs.step, info=result.status)
    try:
        with guard.finishing():
            snapshots, figure = runs.export()
    except ExportFailed as failed:
        say(console, f"rnnscope: error: {failed}")
        return EXIT_DOES_NOT
    evidence = strict_json(runs.snapshot_evidence(snapshots))  # the numbers as the snapshot holds them
    result = lesson.judge(evidence)
    verdict = {"lesson": lesson.name, "claim": lesson.claim, "holds": result.holds, "status": result.status,
               "line": result.line, "numbers": strict_json(result.evidence), "evidence": evidence,
               "steps": runs.step, "seconds": round(time.perf_counter() - started, 1)}
    for folder in snapshots.values():
        try:
            add_lesson_to_meta(folder, verdict)
        except OSError as err:  # a full disk: the verdict is still printed, the snapshot kept as it was
            say(console, f"rnnscope: warning: cannot add the verdict to {folder}/meta.json "
                f"({err.strerror or err}): the snapshot is kept without it")
    shown = {"snapshot": str(snapshots[""])} if figure is None else {
        "snapshot": str(figure), "snapshots": {side: str(folder) for side, folder in snapshots.items()}}
    print(json.dumps({**verdict, **shown}))
    return EXIT_HOLDS if result.status == HOLDS else EXIT_DOES_NOT
