"""Headless runs probe as the dashboard does, so their timeline records the whole run (a film to scrub or render)."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator

from rnnscope.contracts.frames import RUNNING
from rnnscope.engine.engine import Engine
from rnnscope.runner.engine_source import SideWork


class HeadlessProbes:
    """The dashboard's probe and sample cadences (rnnscope.runner.engine_source.SideWork) for a headless loop: the
    first probe and memory pass are of the starting weights (start-up: Engine.start); `tick()` after each step probes
    and samples each running engine whose cadences say so."""

    def __init__(self, engines: list[Engine]):
        self.engines = engines
        for engine in engines:
            engine.start()
        self.side_work = [SideWork(engine, time.perf_counter()) for engine in engines]

    def tick(self) -> None:
        now = time.perf_counter()
        for engine, side_work in zip(self.engines, self.side_work):
            if engine.state == RUNNING:
                side_work.tick(engine, now)

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
