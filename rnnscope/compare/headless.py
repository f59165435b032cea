"""Headless compare: train A and B in lockstep with a progress bar, a JSON line {compare, a, b} at the end."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from rich.console import Console

from rnnscope.compare.engine_pair import EnginePair
from rnnscope.contracts.config import RunConfig
from rnnscope.measuring.headless_probes import HeadlessProbes, runs_ended
from rnnscope.runner.headless import REFRESH_S, progress_bar, say
from rnnscope.runner.signals import SignalGuard
from rnnscope.training.data import Corpus
from rnnscope.training.device import configure_threads


def run_headless_compare(config_a: RunConfig, config_b: RunConfig, compare_text: str, corpus: Corpus,
                         run_dir: Path, *, steps: int, export_every: int) -> int:
    """Train both runs until `steps` (a diverged one stops there); exit 0 when both ran, 1 if an export failed.
    SIGTERM/SIGHUP raise Terminated (an export under way is finished first), as in rnnscope.runner.headless."""
    with SignalGuard().installed() as guard:
        return _train(config_a, config_b, compare_text, corpus, run_dir, steps, export_every, guard)


def _train(config_a: RunConfig, config_b: RunConfig, compare_text: str, corpus: Corpus, run_dir: Path, steps: int,
           export_every: int, guard: SignalGuard) -> int:
    threads = configure_threads(config_a.threads)
    pair = EnginePair(config_a, config_b, corpus, run_dir, compare_text, threads=threads)
    console = Console(file=sys.stderr)
    say(console, f"rnnscope: compare {pair.differs}")
    code = 0
    with progress_bar(console) as progress, runs_ended(list(pair.sides.values())):
        task = progress.add_task("train", total=steps, completed=0, info="")
        last_refresh = 0.0
        probes = HeadlessProbes(list(pair.sides.values()))
        while pair.live() and pair.step < steps:
            newly = pair.train_step()
            probes.tick()
            for side in newly:
                say(console, f"rnnscope: run {side.upper()} diverged at {pair.sides[side].diverged}; "
                    "the other run goes on")
                if export_every:
                    with guard.finishing():
                        code = code or (1 if pair.export((side,)) is None else 0)
            if code == 0 and export_every and pair.step % export_every == 0 and pair.live():
                with guard.finishing():
                    code = 0 if pair.export(tuple(pair.live())) is not None else 1
            if code:
                say(console, f"rnnscope: error: {pair.failure}")
                break
            now = time.perf_counter()
            if now - last_refresh >= REFRESH_S or pair.step == steps:
                progress.update(task, completed=pair.step, info=_info(pair))
                last_refresh = now
    print(json.dumps(pair.result()))
    return code


def _info(pair: EnginePair) -> str:
    parts = []
    for side, engine in pair.sides.items():
        loss = "diverged" if side not in pair.live() else f"loss {engine.recent_loss.mean():.3f}"
        parts.append(f"{side.upper()} {loss}")
    return "  ".join(parts)
