"""The one headless run loop: every headless mode (single, compare, lesson) trains through it; what differs between
them (the step of one run or a pair, exports, judging a lesson, the progress text) is the mode's."""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Iterator
from typing import Protocol

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from rnnscope import startup
from rnnscope.contracts.visible import safe_text
from rnnscope.engine.engine import Engine
from rnnscope.runner.headless_probes import HeadlessProbes, runs_ended
from rnnscope.runner.signals import SignalGuard

REFRESH_S = 0.25  # the progress line's refresh


class Mode(Protocol):
    """What a headless mode tells the loop."""

    engines: list[Engine]  # the runs whose probes, notices and end the loop looks after

    def step(self) -> int:
        """The step the mode is at."""

    def going(self) -> bool:
        """Whether to train on (False: diverged, judged, an export failed)."""

    def train_step(self) -> None:
        """One training step of every live run."""

    def after_step(self, say) -> None:
        """What the mode does after a step (export, judge, report a divergence), telling the user with `say`."""

    def info(self) -> str:
        """The progress line's own text."""


@contextlib.contextmanager
def headless_session() -> Iterator[tuple[SignalGuard, Console]]:
    """SIGTERM/SIGHUP end the run like Ctrl-C (an export under way is finished first); the console is stderr."""
    with SignalGuard().installed() as guard:
        yield guard, Console(file=sys.stderr)


def say(console: Console, text: str) -> None:
    """One visible-safe line on stderr, never wrapped (stderr may be a file or a pipe: 80 columns to Rich)."""
    console.print(safe_text(text), markup=False, highlight=False, soft_wrap=True)


def progress_bar(console: Console) -> Progress:
    """Every headless run's progress line: step, n/N, the bar, the run's own info, the time left."""
    return Progress(TextColumn("step"), MofNCompleteColumn(), BarColumn(), TextColumn("{task.fields[info]}"),
                    TimeRemainingColumn(), console=console, transient=False)


def run_loop(mode: Mode, steps: int, console: Console) -> None:
    """Train `mode` until `steps` or until it stops going: probes on the dashboard's cadence (so the timeline records
    the run), the progress line, each new warning of an engine as a line (a timeline that stopped), and the runs
    marked ended however the loop is left."""
    startup.started()  # the engines are built: what they and torch's import made is never collected again
    told = {id(engine): engine.notice.seq if engine.notice else 0 for engine in mode.engines}
    with progress_bar(console) as progress, runs_ended(mode.engines):
        task = progress.add_task("train", total=steps, completed=mode.step(), info="")
        last_refresh = 0.0
        probes = HeadlessProbes(mode.engines)
        while mode.step() < steps and mode.going():
            mode.train_step()
            if mode.step() >= steps:
                _close(mode.engines)  # the last step: what follows (a last judgement, the export) is wind-down
            probes.tick()
            mode.after_step(lambda text: say(console, text))
            _tell_warnings(mode.engines, told, console)
            now = time.perf_counter()
            if now - last_refresh >= REFRESH_S or mode.step() >= steps or not mode.going():
                progress.update(task, completed=mode.step(), info=mode.info())
                last_refresh = now
        _close(mode.engines)
        probes.last()
        _tell_warnings(mode.engines, told, console)  # the last probe's (its timeline frame could not be written)


def _close(engines: list[Engine]) -> None:
    """No training is left: the final probe, memory, sample and export are wind-down, not charged."""
    for engine in engines:
        engine.close()


def _tell_warnings(engines: list[Engine], told: dict[int, int], console: Console) -> None:
    """Each engine's newest notice not told yet, as a line when it is a warning."""
    for engine in engines:
        notice = engine.notice
        if notice is not None and notice.seq > told[id(engine)]:
            told[id(engine)] = notice.seq
            if notice.level == "warning":
                say(console, f"rnnscope: warning: {notice.text}")
