"""Headless training: a progress bar on stderr, a JSON result as the last line on stdout."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from rnnscope.contracts.config import RunConfig
from rnnscope.contracts.frames import DIVERGED
from rnnscope.contracts.visible import safe_text
from rnnscope.measuring.headless_probes import HeadlessProbes, runs_ended
from rnnscope.runner.signals import SignalGuard
from rnnscope.storage.snapshot_io import snapshot_name
from rnnscope.training.data import Corpus
from rnnscope.training.device import configure_threads
from rnnscope.training.engine import Engine

REFRESH_S = 0.25


def run_headless(config: RunConfig, corpus: Corpus, run_dir: Path, *, steps: int, export_every: int,
                 checkpoint: dict | None) -> int:
    """Train until `steps`; exit code 0 done, 1 diverged or export failed. SIGTERM/SIGHUP raise Terminated
    (an export under way is finished first)."""
    with SignalGuard().installed() as guard:
        return _train(config, corpus, run_dir, steps, export_every, checkpoint, guard)


def say(console: Console, text: str) -> None:
    """One visible-safe line on stderr, never wrapped (stderr may be a file or a pipe: 80 columns to Rich)."""
    console.print(safe_text(text), markup=False, highlight=False, soft_wrap=True)


def progress_bar(console: Console) -> Progress:
    """Every headless run's progress line: step, n/N, the bar, the run's own info, the time left."""
    return Progress(TextColumn("step"), MofNCompleteColumn(), BarColumn(), TextColumn("{task.fields[info]}"),
                    TimeRemainingColumn(), console=console, transient=False)


def progress_info(engine: Engine) -> str:
    """The progress line's own info: the recent loss and the one chars/s (Engine.chars_per_s, as in the JSON)."""
    return f"loss {engine.recent_loss.mean():.3f}  {engine.chars_per_s:,.0f} chars/s"


def _train(config: RunConfig, corpus: Corpus, run_dir: Path, steps: int, export_every: int,
           checkpoint: dict | None, guard: SignalGuard) -> int:
    engine = Engine(config, corpus, run_dir, threads=configure_threads(config.threads))
    if checkpoint is not None:
        engine.restore(checkpoint)
    console = Console(file=sys.stderr)
    snapshot, failed = _run_steps(engine, steps, export_every, guard, console)
    saves = bool(export_every) or checkpoint is not None  # a resumed run is saved at its end, or its steps are lost
    unsaved = snapshot is None or snapshot.name != snapshot_name(engine.step) or engine.state == DIVERGED
    if saves and unsaved and not failed:
        snapshot, failed = _export(engine, guard, console, snapshot)
    result = engine.result()
    result["snapshot"] = str(snapshot) if snapshot else None
    print(json.dumps(result))
    return 1 if failed or engine.state == DIVERGED else 0


def _run_steps(engine: Engine, steps: int, export_every: int, guard: SignalGuard,
               console: Console) -> tuple[Path | None, bool]:
    """Train until `steps` or a divergence, exporting every `export_every`; the last snapshot, and whether an export
    failed (training stops there)."""
    snapshot = None
    with progress_bar(console) as progress, runs_ended([engine]):
        task = progress.add_task("train", total=steps, completed=engine.step, info="")
        last_refresh = 0.0
        probes = HeadlessProbes([engine])
        while engine.step < steps:
            engine.train_step()
            probes.tick()
            if engine.state == DIVERGED:
                say(console, f"rnnscope: training diverged at {engine.diverged}")
                return snapshot, False
            if export_every and engine.step % export_every == 0:
                snapshot, failed = _export(engine, guard, console, snapshot)
                if failed:
                    return snapshot, True
            now = time.perf_counter()
            if now - last_refresh >= REFRESH_S or engine.step == steps:
                progress.update(task, completed=engine.step, info=progress_info(engine))
                last_refresh = now
    return snapshot, False


def _export(engine: Engine, guard: SignalGuard, console: Console, last: Path | None) -> tuple[Path | None, bool]:
    """Write a snapshot now (SIGTERM waits for it); the new path, or the last one and True when it failed (the JSON
    still names the last snapshot that was written)."""
    with guard.finishing():
        written = engine.export()
    if written is None:
        say(console, f"rnnscope: error: {engine.notice.text}")
        return last, True
    return written, False
