"""Headless runs probe as the dashboard does, so their timeline records the whole run (a film to scrub or render)."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator

from rnnscope.contracts.frames import RUNNING
from rnnscope.engine.engine import Engine
from rnnscope.runner.engine_source import SAMPLE_INTERVAL_S, probe_cadence
from rnnscope.training.side_budget import Cadence


class HeadlessProbes:
    """The dashboard's probe and sample cadences (on each engine's side budget) for a headless loop: the first probe
    and memory pass are of the starting weights (start-up: Engine.start); `tick()` after each step probes and
    samples each engine whose cadences say so."""

    def __init__(self, engines: list[Engine]):
        self.engines = engines
        self.cadences = [(probe_cadence(engine), Cadence(engine.budget, ("sample",), SAMPLE_INTERVAL_S))
                         for engine in engines]
        for engine, cadences in zip(engines, self.cadences):
            engine.start()
            for cadence in cadences:
                cadence.done(time.perf_counter())

    def tick(self) -> None:
        now = time.perf_counter()
        for engine, (probes, samples) in zip(self.engines, self.cadences):
            if engine.state != RUNNING:
                continue
            if probes.due(now):
                engine.refresh_probe()
                probes.done(now)
            if samples.due(now):
                engine.new_sample()
                samples.done(now)

    def last(self) -> None:
        """The loop reached its last step: each running engine's final weights are probed and sampled (once), so the
        timeline (and `rnnscope --attach`, --replay, --movie) ends where the run ended and the last snapshot and the
        JSON line carry a sample of them."""
        for engine in self.engines:
            if engine.state == RUNNING:
                engine.current_probe()
                engine.current_sample()


@contextlib.contextmanager
def runs_ended(engines: list[Engine]) -> Iterator[None]:
    """Around a headless loop: when it is left (the last step, a divergence, a signal), each run is marked ended."""
    try:
        yield
    finally:
        for engine in engines:
            engine.end_run()
