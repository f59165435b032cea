"""Headless runs probe as the dashboard does, so their timeline records the whole run (a film to scrub or render)."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator

from rnnscope.contracts.frames import RUNNING
from rnnscope.runner.engine_source import probe_cadence
from rnnscope.training.engine import Engine


class HeadlessProbes:
    """The dashboard's probe cadence (rnnscope.runner.engine_source.probe_cadence, on each engine's side budget) for a
    headless loop: the first probe and memory pass are of the starting weights (start-up: Engine.start);
    `tick()` after each step probes each engine whose cadence says so."""

    def __init__(self, engines: list[Engine]):
        self.engines = engines
        self.cadences = [probe_cadence(engine) for engine in engines]
        for engine, cadence in zip(engines, self.cadences):
            engine.start()
            cadence.done(time.perf_counter())

    def tick(self) -> None:
        now = time.perf_counter()
        for engine, cadence in zip(self.engines, self.cadences):
            if engine.state == RUNNING and cadence.due(now):
                engine.refresh_probe()
                cadence.done(now)

    def last(self) -> None:
        """The loop reached its last step: each running engine's final weights are probed (once), so the timeline
        (and `rnnscope --attach`, --replay, --movie) ends where the run ended."""
        for engine in self.engines:
            if engine.state == RUNNING:
                engine.current_probe()


@contextlib.contextmanager
def runs_ended(engines: list[Engine]) -> Iterator[None]:
    """Around a headless loop: when it is left (the last step, a divergence, a signal), each run is marked ended."""
    try:
        yield
    finally:
        for engine in engines:
            engine.end_run()
