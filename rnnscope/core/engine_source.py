"""The engine as the dashboard's FrameSource: one background thread trains, probes and publishes."""

from __future__ import annotations

import gc
import queue
import threading
import time
from pathlib import Path

from rnnscope import commands
from rnnscope.config import RunConfig
from rnnscope.core.data import Corpus
from rnnscope.core.device import configure_threads
from rnnscope.core.engine import Engine
from rnnscope.frames import RUNNING
from rnnscope.source import Publish

PROBE_BUDGET = 0.02  # at most this fraction of training time goes to the instrumented probe
MIN_PROBE_INTERVAL_S = 0.25  # the screen repaints at ~10 Hz: more probes than this are not seen
PUBLISH_INTERVAL_S = 0.25  # newest frame replaces older ones; commands publish at once, whatever this says
SAMPLE_INTERVAL_S = 10.0  # a fresh generated sample this often while running (g: at once)
IDLE_WAIT_S = 0.05  # how long a paused loop blocks waiting for a command


class ProbeCadence:
    """Decides when to probe so that probing costs at most PROBE_BUDGET of the training time."""

    def __init__(self, budget: float = PROBE_BUDGET, min_interval: float = MIN_PROBE_INTERVAL_S):
        self.budget = budget
        self.min_interval = min_interval
        self.train_since = 0.0
        self.last_cost = 0.0
        self.last_time = 0.0

    def add_training(self, seconds: float) -> None:
        self.train_since += seconds

    def due(self, now: float) -> bool:
        return (now - self.last_time >= self.min_interval
                and self.train_since * self.budget >= self.last_cost)

    def probed(self, cost_s: float, now: float) -> None:
        self.last_cost, self.last_time, self.train_since = cost_s, now, 0.0


class EngineSource:
    """Builds the engine in the worker thread (torch is imported there, off the UI's path) and runs it."""

    def __init__(self, config: RunConfig, corpus: Corpus, run_dir: Path, *, threads: int,
                 start_paused: bool = False, checkpoint: dict | None = None, export_every: int = 0):
        self.config, self.corpus, self.run_dir = config, corpus, run_dir
        self.threads, self.start_paused = threads, start_paused
        self.checkpoint, self.export_every = checkpoint, export_every

    def run(self, publish: Publish, command_queue: queue.Queue, stop: threading.Event) -> None:
        threads = configure_threads(self.threads)
        engine = Engine(self.config, self.corpus, self.run_dir, threads=threads, start_paused=self.start_paused)
        if self.checkpoint is not None:
            engine.restore(self.checkpoint)
        first_probe = engine.refresh_probe()
        engine.new_sample()
        publish(engine.frame())
        gc.freeze()  # start-up objects (torch's modules, the corpus) never need collecting again
        last_publish = last_sample = time.perf_counter()
        cadence = ProbeCadence()
        cadence.probed(first_probe.cost_ms / 1000, last_publish)
        while not stop.is_set():
            changed = self._drain(engine, command_queue, wait=engine.state != RUNNING)
            if changed is None:
                return
            if changed:  # the answer to a key goes out before the next step
                publish(engine.frame())
                last_publish = time.perf_counter()
            if engine.state != RUNNING:
                continue
            started = time.perf_counter()
            engine.train_step()
            now = time.perf_counter()
            cadence.add_training(now - started)
            exported = bool(self.export_every) and engine.step % self.export_every == 0
            if exported:
                engine.export()
            elif not command_queue.empty():
                continue  # a key is waiting: answer it before probing or sampling
            if engine.state == RUNNING and cadence.due(now):
                cadence.probed(engine.refresh_probe().cost_ms / 1000, now)
            if engine.state == RUNNING and now - last_sample >= SAMPLE_INTERVAL_S:
                engine.new_sample()
                last_sample = now
            if exported or engine.state != RUNNING or now - last_publish >= PUBLISH_INTERVAL_S:
                publish(engine.frame())  # a divergence is published at once
                last_publish = now

    @staticmethod
    def _drain(engine: Engine, command_queue: queue.Queue, wait: bool) -> bool | None:
        """Apply every queued command; None means quit. Blocks briefly when paused."""
        changed = False
        try:
            command = command_queue.get(timeout=IDLE_WAIT_S) if wait else command_queue.get_nowait()
            while True:
                if isinstance(command, commands.Quit):
                    return None
                engine.apply(command)
                changed = True
                command = command_queue.get_nowait()
        except queue.Empty:
            return changed
