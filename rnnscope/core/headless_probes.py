"""Headless runs probe as the dashboard does, so their timeline records the whole run (a film to scrub or render)."""

from __future__ import annotations

import time

from rnnscope.core.engine import Engine
from rnnscope.core.engine_source import ProbeCadence
from rnnscope.frames import RUNNING


class HeadlessProbes:
    """One ProbeCadence per engine (<= PROBE_BUDGET of its training time, >= FRAME_INTERVAL_S apart); the first
    probe is of the starting weights (the one already taken at this step, if any). `tick()` after each step: the time since the last tick is training time,
    shared among the engines that train in turn."""

    def __init__(self, engines: list[Engine]):
        self.engines = engines
        self.cadences = [ProbeCadence() for _ in engines]
        self.last = time.perf_counter()
        for engine, cadence in zip(engines, self.cadences):
            cadence.probed(engine.current_probe().cost_ms / 1000, self.last)
        self.last = time.perf_counter()

    def tick(self) -> None:
        now = time.perf_counter()
        share = (now - self.last) / len(self.engines)
        for engine, cadence in zip(self.engines, self.cadences):
            cadence.add_training(share)
            if engine.state == RUNNING and cadence.due(now):
                cadence.probed(engine.refresh_probe().cost_ms / 1000, now)
        self.last = time.perf_counter()
