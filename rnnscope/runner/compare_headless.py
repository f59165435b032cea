"""Headless compare: train A and B in lockstep with a progress bar, a JSON line {compare, a, b} at the end."""

from __future__ import annotations

import json
from pathlib import Path

from rnnscope.compare.engine_pair import EnginePair
from rnnscope.contracts.config import RunConfig
from rnnscope.runner.run_loop import headless_session, run_loop, say
from rnnscope.runner.signals import SignalGuard
from rnnscope.training.data import Corpus
from rnnscope.training.device import configure_threads


def run_headless_compare(config_a: RunConfig, config_b: RunConfig, compare_text: str, corpus: Corpus,
                         run_dir: Path, *, steps: int, export_every: int) -> int:
    """Train both runs until `steps` (a diverged one stops there); exit 0 when both ran, 1 if an export failed.
    SIGTERM/SIGHUP raise Terminated (an export under way is finished first), as in rnnscope.runner.headless."""
    with headless_session() as (guard, console):
        threads = configure_threads(config_a.threads)
        pair = EnginePair(config_a, config_b, corpus, run_dir, compare_text, threads=threads)
        say(console, f"rnnscope: compare {pair.differs}")
        run = PairRun(pair, export_every, guard)
        run_loop(run, steps, console)
        print(json.dumps(pair.result()))
        return run.code


class PairRun:
    """A compare for rnnscope.runner.run_loop: a diverged run stops and is exported, the other goes on; the pair is
    exported every `export_every` steps; a failed export stops both."""

    def __init__(self, pair: EnginePair, export_every: int, guard: SignalGuard):
        self.pair, self.export_every, self.guard = pair, export_every, guard
        self.engines = list(pair.sides.values())
        self.code = 0  # 1 once an export failed
        self.newly: tuple[str, ...] = ()  # the runs that diverged at the last step

    def step(self) -> int:
        return self.pair.step

    def going(self) -> bool:
        return bool(self.pair.live()) and self.code == 0

    def train_step(self) -> None:
        self.newly = tuple(self.pair.train_step())

    def after_step(self, tell) -> None:
        pair = self.pair
        for side in self.newly:
            tell(f"rnnscope: run {side.upper()} diverged at {pair.sides[side].status().diverged}; the other run goes on")
            if self.export_every:
                with self.guard.finishing():
                    self.code = self.code or (1 if pair.export_alone(side) is None else 0)
        if self.code == 0 and self.export_every and pair.step % self.export_every == 0 and pair.live():
            with self.guard.finishing():
                self.code = 0 if pair.export() is not None else 1
        if self.code:
            tell(f"rnnscope: error: {pair.failure}")

    def info(self) -> str:
        parts = []
        for side, engine in self.pair.sides.items():
            loss = "diverged" if side not in self.pair.live() else f"loss {engine.status().train_loss:.3f}"
            parts.append(f"{side.upper()} {loss}")
        return "  ".join(parts)
