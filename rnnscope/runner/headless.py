"""Headless training: a progress bar on stderr, a JSON result as the last line on stdout."""

from __future__ import annotations

import json
from pathlib import Path

from rnnscope.contracts.config import RunConfig
from rnnscope.contracts.frames import DIVERGED
from rnnscope.engine.engine import Engine
from rnnscope.runner.run_loop import headless_session, run_loop, say
from rnnscope.runner.signals import SignalGuard
from rnnscope.storage.snapshot_io import snapshot_name
from rnnscope.training.data import Corpus
from rnnscope.training.device import configure_threads


def run_headless(config: RunConfig, corpus: Corpus, run_dir: Path, *, steps: int, export_every: int,
                 checkpoint: dict | None) -> int:
    """Train until `steps`; exit code 0 done, 1 diverged or export failed. SIGTERM/SIGHUP raise Terminated
    (an export under way is finished first)."""
    with headless_session() as (guard, console):
        engine = Engine(config, corpus, run_dir, threads=configure_threads(config.threads))
        if checkpoint is not None:
            engine.restore(checkpoint)
        run = SingleRun(engine, export_every, guard)
        run_loop(run, steps, console)
        saves = bool(export_every) or checkpoint is not None  # a resumed run is saved at its end, or its steps are lost
        unsaved = run.snapshot is None or run.snapshot.name != snapshot_name(engine.step) or engine.state == DIVERGED
        if saves and unsaved and not run.failed:
            run.export(lambda text: say(console, text))
        result = engine.result()
        result["snapshot"] = str(run.snapshot) if run.snapshot else None
        print(json.dumps(result))
        return 1 if run.failed or engine.state == DIVERGED else 0


def progress_info(engine: Engine) -> str:
    """The progress line's own info: the recent loss and the one chars/s (RunStatus.chars_per_s, as in the JSON)."""
    status = engine.status()
    return f"loss {status.train_loss:.3f}  {status.chars_per_s:,.0f} chars/s"


class SingleRun:
    """One run for rnnscope.runner.run_loop: exports every `export_every` steps; a divergence or a failed export
    stops it."""

    def __init__(self, engine: Engine, export_every: int, guard: SignalGuard):
        self.engine, self.export_every, self.guard = engine, export_every, guard
        self.engines = [engine]
        self.snapshot: Path | None = None  # the last snapshot written
        self.failed = False  # an export failed

    def step(self) -> int:
        return self.engine.step

    def going(self) -> bool:
        return self.engine.state != DIVERGED and not self.failed

    def train_step(self) -> None:
        self.engine.train_step()

    def after_step(self, tell) -> None:
        if self.engine.state == DIVERGED:
            tell(f"rnnscope: training diverged at {self.engine.status().diverged}")
        elif self.export_every and self.engine.step % self.export_every == 0:
            self.export(tell)

    def export(self, tell) -> None:
        """Write a snapshot now (SIGTERM waits for it); a failure is told, and the JSON still names the last snapshot
        that was written."""
        engine = self.engine
        engine.current_sample()  # a snapshot's sample is of its step (a headless run has no screen to keep one for)
        with self.guard.finishing():
            written = engine.export()
        if written is None:
            tell(f"rnnscope: error: {self.engine.notice.text}")
            self.failed = True
        else:
            self.snapshot = written

    def info(self) -> str:
        return progress_info(self.engine)
