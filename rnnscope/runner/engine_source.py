"""The engine as a source of parts: one loop trains, probes, answers commands and publishes what changed."""

from __future__ import annotations

import queue
import time
from pathlib import Path

from rnnscope import startup
from rnnscope.contracts import commands
from rnnscope.contracts.config import RunConfig
from rnnscope.contracts.frames import RUNNING
from rnnscope.contracts.source import Publish
from rnnscope.engine.engine import Engine
from rnnscope.engine.partner import Partner
from rnnscope.storage.corpus_file import min_corpus_chars
from rnnscope.training.data import load_corpus
from rnnscope.training.device import configure_threads
from rnnscope.training.side_budget import Cadence

FRAME_INTERVAL_S = 0.5  # the frame rate, decided here only: while running, parts go out at most this often
PROBE_INTERVAL_S = 2.5  # a probe this often while the side budget affords one (a costlier one less often)
SAMPLE_INTERVAL_S = 10.0  # a fresh generated sample this often while the side budget affords one (g: at once)
PROBE_ADVICE = "; a shorter --probe costs less"
IDLE_WAIT_S = 0.05  # how long a paused loop blocks waiting for a command
HELD_WAIT_S = 0.001  # how long a running loop that its partner holds back blocks on its inbox before it looks again


class SideWork:
    """The probe's and the sample's cadences on one engine's side budget (the dashboard's and headless runs'): a probe
    and its timeline write every PROBE_INTERVAL_S while the budget affords them (a warning when they cost too much for
    that), a fresh sample every SAMPLE_INTERVAL_S."""

    def __init__(self, engine: Engine, now: float):
        self.probes = Cadence(engine.budget, ("probe", "timeline"), PROBE_INTERVAL_S,
                              lambda text: engine.notify("warning", text), PROBE_ADVICE)
        self.samples = Cadence(engine.budget, ("sample",), SAMPLE_INTERVAL_S)
        self.probes.done(now)
        self.samples.done(now)

    def tick(self, engine: Engine, now: float) -> None:
        """The probe and the sample when their cadence says so; one a waiting key interrupted is tried again after
        the next step."""
        if self.probes.due(now) and engine.refresh_probe(engine.interrupted) is not None:
            self.probes.done(now)
        if self.samples.due(now) and engine.new_sample(interrupted=engine.interrupted) is not None:
            self.samples.done(now)


class EngineSource:
    """Loads the corpus from its path and builds the engine where it runs (torch and the text stay there)."""

    def __init__(self, config: RunConfig, corpus_path: str | Path, run_dir: Path, *, threads: int,
                 corpus_sha256: str | None = None, start_paused: bool = False, checkpoint: dict | None = None,
                 export_every: int = 0, partner: Partner | None = None):
        self.config, self.corpus_path, self.corpus_sha256, self.run_dir = config, corpus_path, corpus_sha256, run_dir
        self.threads, self.start_paused = threads, start_paused
        self.checkpoint, self.export_every = checkpoint, export_every
        self.partner = partner or Partner()  # a compared run's PairSide; alone by default

    def build(self) -> Engine:
        corpus = load_corpus(self.corpus_path, self.config.encoding,
                             min_corpus_chars(self.config.seq_len, self.config.probe_len))
        if self.corpus_sha256 is not None and corpus.sha256 != self.corpus_sha256:
            raise RuntimeError(f"{self.corpus_path} changed while the run was starting: start it again")
        engine = Engine(self.config, corpus, self.run_dir, threads=configure_threads(self.threads),
                        start_paused=self.start_paused)
        if self.checkpoint is not None:
            engine.restore(self.checkpoint)
        if self.config.lesson is not None:
            from rnnscope.lessons.lesson_run import attach_lesson

            attach_lesson(engine)  # the lesson keeps its state beside the engine and sends its evidence
        self.partner.prepare(engine)
        return engine

    def run(self, publish: Publish, inbox: queue.Queue) -> None:
        """Train and publish until a Quit arrives in `inbox` (the one way to stop)."""
        engine = self.build()
        try:
            self._start(engine, publish, inbox)
        finally:  # Quit, a failure, SIGTERM (engine_process), from the first frame on: `rnnscope --attach` says ENDED
            engine.end_run()

    def _start(self, engine: Engine, publish: Publish, inbox: queue.Queue) -> None:
        """The first picture, then the loop."""
        engine.interrupted = lambda: not inbox.empty()  # a key is answered before a validation, memory pass, sample
        # or the rest of a probe
        engine.refresh_probe()
        engine.new_sample()
        publish(engine.parts())
        engine.start()  # the first memory pass (start-up, not charged) after the first picture
        startup.started()  # start-up objects (torch's modules, the corpus) never need collecting again
        last_publish = time.perf_counter()
        self._loop(engine, publish, inbox, SideWork(engine, last_publish), last_publish)

    def _loop(self, engine: Engine, publish: Publish, inbox: queue.Queue, side_work: SideWork,
              last_publish: float) -> None:
        """Step, probe, sample and publish until a Quit."""
        while True:
            changed = self._drain(engine, inbox, self._wait_s(engine))
            if changed is None:
                return
            changed = self.partner.settle(engine) or changed
            if changed:  # the answer to a key goes out before the next step
                publish(engine.parts())
                last_publish = time.perf_counter()
            if not self.partner.may_step(engine):
                engine.alive()  # paused (or held by the other run): no probes, but the heartbeat goes on
                continue
            engine.train_step()
            now = time.perf_counter()
            if self.partner.stepped(engine):
                engine.refresh_probe()
            exported = bool(self.export_every) and engine.step % self.export_every == 0
            if exported:
                engine.export()
                self.partner.exported(engine)
            elif not inbox.empty():
                continue  # a key is waiting: answer it before probing or sampling
            if engine.state == RUNNING:  # the probe first: it has the side budget's priority
                side_work.tick(engine, now)
            if exported or engine.state != RUNNING or now - last_publish >= FRAME_INTERVAL_S:
                publish(engine.parts())  # a divergence is published at once
                last_publish = now

    def _wait_s(self, engine: Engine) -> float:
        """How long to block on the inbox: not at all when a step is due, briefly when the partner holds a running
        run back (its progress does not arrive in the inbox), IDLE_WAIT_S when paused."""
        if self.partner.may_step(engine):
            return 0.0
        return HELD_WAIT_S if engine.state == RUNNING else IDLE_WAIT_S

    def _drain(self, engine: Engine, inbox: queue.Queue, wait_s: float) -> bool | None:
        """Apply every queued command; None means quit. Blocks up to wait_s for the first one."""
        changed = False
        try:
            command = inbox.get(timeout=wait_s) if wait_s else inbox.get_nowait()
            while True:
                if isinstance(command, commands.Quit):
                    return None
                self.partner.apply(engine, command)
                changed = True
                command = inbox.get_nowait()
        except queue.Empty:
            return changed
