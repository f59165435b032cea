"""The engine as a source of parts: one loop trains, probes, answers commands and publishes what changed."""

from __future__ import annotations

import gc
import queue
import time
from pathlib import Path

from rnnscope import commands
from rnnscope.config import RunConfig
from rnnscope.core.data import load_corpus
from rnnscope.corpus_file import min_corpus_chars
from rnnscope.core.device import configure_threads
from rnnscope.core import lockstep
from rnnscope.core.engine import Engine
from rnnscope.core.pair_side import PairSide
from rnnscope.frames import RUNNING
from rnnscope.source import Publish

FRAME_INTERVAL_S = 0.5  # the frame rate, decided here only: while running, parts go out at most this often
PROBE_BUDGET = 0.02  # at most this fraction of training time goes to the instrumented probe
SAMPLE_INTERVAL_S = 10.0  # a fresh generated sample this often while running (g: at once)
IDLE_WAIT_S = 0.05  # how long a paused loop blocks waiting for a command


class ProbeCadence:
    """Decides when to probe: at most PROBE_BUDGET of the training time, and not more often than frames go out."""

    def __init__(self, budget: float = PROBE_BUDGET, min_interval: float = FRAME_INTERVAL_S):
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
    """Loads the corpus from its path and builds the engine where it runs (torch and the text stay there)."""

    def __init__(self, config: RunConfig, corpus_path: str | Path, run_dir: Path, *, threads: int,
                 corpus_sha256: str | None = None, start_paused: bool = False, checkpoint: dict | None = None,
                 export_every: int = 0, pair: PairSide | None = None):
        self.config, self.corpus_path, self.corpus_sha256, self.run_dir = config, corpus_path, corpus_sha256, run_dir
        self.threads, self.start_paused = threads, start_paused
        self.checkpoint, self.export_every = checkpoint, export_every
        self.pair = pair  # a compared run: lockstep with the other, B's compare rules, paired exports

    def build(self) -> Engine:
        corpus = load_corpus(self.corpus_path, self.config.encoding,
                             min_corpus_chars(self.config.seq_len, self.config.probe_len))
        if self.corpus_sha256 is not None and corpus.sha256 != self.corpus_sha256:
            raise RuntimeError(f"{self.corpus_path} changed while the run was starting: start it again")
        engine = Engine(self.config, corpus, self.run_dir, threads=configure_threads(self.threads),
                        start_paused=self.start_paused)
        if self.checkpoint is not None:
            engine.restore(self.checkpoint)
        if self.pair is not None:
            self.pair.prepare(engine)
        return engine

    def run(self, publish: Publish, inbox: queue.Queue) -> None:
        """Train and publish until a Quit arrives in `inbox` (the one way to stop)."""
        engine = self.build()
        engine.interrupted = lambda: not inbox.empty()  # a key is answered before a validation, memory pass, sample
        # or the rest of a probe
        first_probe = engine.refresh_probe()
        engine.new_sample()
        publish(engine.parts())
        gc.freeze()  # start-up objects (torch's modules, the corpus) never need collecting again
        last_publish = last_sample = time.perf_counter()
        cadence = ProbeCadence()
        cadence.probed(first_probe.cost_ms / 1000, last_publish)
        while True:
            changed = self._drain(engine, inbox, self._wait_s(engine))
            if changed is None:
                return
            if self.pair is not None:
                changed = self._paired_exports(engine) or changed
            if changed:  # the answer to a key goes out before the next step
                publish(engine.parts())
                last_publish = time.perf_counter()
            if not self._may_step(engine):
                continue
            started = time.perf_counter()
            engine.train_step()
            now = time.perf_counter()
            cadence.add_training(now - started)
            if self.pair is not None:
                self.pair.stepped(engine)
                if engine.state != RUNNING:  # a catch-up step while paused: the picture is of this step
                    engine.refresh_probe()
            exported = bool(self.export_every) and engine.step % self.export_every == 0
            if exported:
                engine.export()
                if self.pair is not None:
                    self.pair.exported(engine)
            elif not inbox.empty():
                continue  # a key is waiting: answer it before probing or sampling
            probe = engine.refresh_probe(engine.interrupted) if engine.state == RUNNING and cadence.due(now) else None
            if probe is not None:  # an interrupted probe is tried again after the next step
                cadence.probed(probe.cost_ms / 1000, now)
            if (engine.state == RUNNING and now - last_sample >= SAMPLE_INTERVAL_S
                    and engine.new_sample(interrupted=engine.interrupted) is not None):
                last_sample = now  # an interrupted sample is tried again after the next step
            if exported or engine.state != RUNNING or now - last_publish >= FRAME_INTERVAL_S:
                publish(engine.parts())  # a divergence is published at once
                last_publish = now

    def _may_step(self, engine: Engine) -> bool:
        """Whether to train a step now: running, and for a compared run what the lockstep allows."""
        return engine.state == RUNNING if self.pair is None else self.pair.may_step(engine)

    def _wait_s(self, engine: Engine) -> float:
        """How long to block on the inbox: not at all when a step is due, briefly when the other run of a pair
        holds this one back (its progress does not arrive in the inbox), IDLE_WAIT_S when paused."""
        if self._may_step(engine):
            return 0.0
        return lockstep.POLL_S if engine.state == RUNNING else IDLE_WAIT_S

    def _paired_exports(self, engine: Engine) -> bool:
        """A compared run's owed export and compare figure (see rnnscope.core.pair_side); True if any was made."""
        owed = self.pair.due(engine)
        if owed:
            self.pair.export(engine)
        drawn = self.pair.figure is not None
        self.pair.finish_figure(engine)
        return owed or (drawn and self.pair.figure is None)

    def _drain(self, engine: Engine, inbox: queue.Queue, wait_s: float) -> bool | None:
        """Apply every queued command; None means quit. Blocks up to wait_s for the first one."""
        changed = False
        apply = engine.apply if self.pair is None else lambda command: self.pair.apply(engine, command)
        try:
            command = inbox.get(timeout=wait_s) if wait_s else inbox.get_nowait()
            while True:
                if isinstance(command, commands.Quit):
                    return None
                apply(command)
                changed = True
                command = inbox.get_nowait()
        except queue.Empty:
            return changed
