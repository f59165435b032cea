"""Headless training: a progress bar on stderr, a JSON result as the last line on stdout."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from rnnscope.config import RunConfig
from rnnscope.core.data import Corpus
from rnnscope.core.device import configure_threads
from rnnscope.core.engine import Engine
from rnnscope.frames import DIVERGED
from rnnscope.signals import SignalGuard
from rnnscope.visible import safe_text

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


def _train(config: RunConfig, corpus: Corpus, run_dir: Path, steps: int, export_every: int,
           checkpoint: dict | None, guard: SignalGuard) -> int:
    threads = configure_threads(config.threads)
    engine = Engine(config, corpus, run_dir, threads=threads)
    if checkpoint is not None:
        engine.restore(checkpoint)
    snapshot = None
    code = 0
    console = Console(file=sys.stderr)
    with progress_bar(console) as progress:
        task = progress.add_task("train", total=steps, completed=engine.step, info="")
        last_refresh = 0.0
        while engine.step < steps:
            engine.train_step()
            if engine.state == DIVERGED:
                say(console, f"rnnscope: training diverged at {engine.diverged}")
                code = 1
                if export_every:
                    with guard.finishing():
                        snapshot = engine.export() or snapshot
                break
            if export_every and engine.step % export_every == 0:
                with guard.finishing():
                    written = engine.export()
                if written is None:  # the JSON still names the last snapshot that was written
                    say(console, f"rnnscope: error: {engine.notice.text}")
                    code = 1
                    break
                snapshot = written
            now = time.perf_counter()
            if now - last_refresh >= REFRESH_S or engine.step == steps:
                progress.update(task, completed=engine.step,
                                info=f"loss {engine.recent_loss.mean():.3f}  {engine.chars_per_s:,.0f} chars/s")
                last_refresh = now
    result = engine.result()
    result["snapshot"] = str(snapshot) if snapshot else None
    print(json.dumps(result))
    return code
