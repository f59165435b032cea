"""The training engine: owns model, optimiser and histories; trains, validates, probes, samples. Its commands,
checkpoint and output (status, parts, frame, export) are in engine_commands, engine_checkpoint, engine_output."""

from __future__ import annotations

import math
import time
from pathlib import Path

import torch

from rnnscope.contracts.config import RunConfig
from rnnscope.contracts.engine_hook import EngineHook
from rnnscope.contracts.frames import (
    DIVERGED,
    PAUSED,
    RUNNING,
    Event,
    MemoryFrame,
    Notice,
    ProbeFrame,
    Sample,
)
from rnnscope.engine.timeline import engine_recorder
from rnnscope.measuring.memory import MemoryMeter
from rnnscope.measuring.probe import run_probe
from rnnscope.music.tune_run import tune_tracker
from rnnscope.engine.best_export import BestExport
from rnnscope.training.data import BatchSampler, Corpus, validation_batches
from rnnscope.training.device import resolve_device
from rnnscope.engine.checkpointing import EngineCheckpoint
from rnnscope.engine.commands import EngineCommands
from rnnscope.engine.output import EngineOutput
from rnnscope.training.history import DecimatingHistory, RecentWindow
from rnnscope.training.interrupt import Interrupted, never
from rnnscope.training.model import build_model, count_parameters
from rnnscope.training.sampling import sample_ids
from rnnscope.training.side_budget import VALIDATION_SHARE, SideBudget
from rnnscope.training.task_corpus import task_of
from rnnscope.training.trainer import make_optimizer, train_step, validation_loss
from rnnscope.units.feature_spec import parse_features
from rnnscope.units.tracker import UnitsTracker, analysis_ids

SAMPLE_LENGTH = 240
RISING_VALIDATIONS = 5  # validations above the best in a row before "val rising since step N"
PRIME_LENGTH = 12


class Engine(EngineCommands, EngineCheckpoint, EngineOutput):
    """One run. Not thread-safe: a single thread calls it (the headless loop or the UI's worker)."""

    def __init__(self, config: RunConfig, corpus: Corpus, run_dir: Path, threads: int = 1,
                 start_paused: bool = False):
        self.config = config.validate()
        self.corpus = corpus
        self.run_dir = Path(run_dir)
        self.threads = threads
        self.device = resolve_device(config.device)
        self.task = task_of(config)
        probe_text = config.probe if config.probe is not None else self._default_probe_text()
        probe_all = corpus.encode(probe_text)  # [T+1]
        self.probe_text, self.probe_ids, self.probe_targets = probe_text, probe_all[:-1], probe_all[1:]
        self.val_batches = validation_batches(corpus.val, config.seq_len, config.batch, config.val_batches)
        self.seed_streams(config.seed)  # self.sampler, self.sample_rng
        self.memory_meter = MemoryMeter(corpus, config.seq_len, self.task, config.seed, self.device)
        self.memory: MemoryFrame | None = None
        self.hooks: list[EngineHook] = []  # features attached to this run (a lesson's tracker): they keep their state
        self.interrupted: Interrupted = never  # the dashboard's loop: a command is waiting
        self.val_owed = False  # a validation that a waiting command interrupted: done at the next step
        self.val_told = False  # told that validation at --val-every takes more than its part of the side budget
        self.step = 0
        self.state = PAUSED if start_paused else RUNNING
        self.last_clip = config.clip or 1.0
        self.loss_history = DecimatingHistory(2)  # (step, train loss)
        self.val_history = DecimatingHistory(2)  # (step, val loss)
        self.grad_history = DecimatingHistory(3)  # (step, pre-clip total, post-clip total)
        self.grad_max = (0.0, 0.0)  # largest pre-, post-clip total norm of any step (the history is thinned)
        self.side = SideBudget()  # probes, validation, memory, samples, norms, timeline: timed, within one budget
        self.recent_loss = RecentWindow()
        self.recent_clip = RecentWindow()
        self.recent_step_s = RecentWindow()  # seconds of each recent training step, for chars_per_s
        self.last_val = float("nan")  # the status's validation loss: of these weights (a re-init clears it)
        self.best_val: tuple[int, float] | None = None  # (step, loss): the lowest validation loss of these weights
        self.rising_told: int | None = None  # the best step whose "val rising since" was told
        self.events: list[Event] = []
        self.last_stats = None
        self.probe: ProbeFrame | None = None
        self.sample: Sample | None = None
        self.temperature = 1.0
        self.notice: Notice | None = None
        self.diverged: str | None = None
        self.frame_seq = 0
        self.timeline = engine_recorder(self)  # every new probe goes to RUN_DIR/timeline/ (a hook: after_probe)
        self.hooks.append(self.timeline)
        self.units = UnitsTracker(*analysis_ids(corpus), parse_features(config.features.splitlines()))
        self.hooks.append(self.units)  # what each unit means (PRODUCT.md section 13)
        self._build()
        tunes = tune_tracker(corpus, self.config)  # a text of tunes: sampled from their start, checked by abc2midi
        if tunes is not None:
            self.hooks.append(tunes)
        if config.export_best:
            self.hooks.append(BestExport())

    def seed_streams(self, seed: int) -> None:
        """Draw the training batches and the samples from `seed`'s streams, from their start (the run's own seed; a
        compare's B takes A's, so both train on the same batches and sample alike)."""
        self.sampler = BatchSampler(self.corpus.train, self.config.seq_len, self.config.batch, seed)
        self.sample_rng = torch.Generator().manual_seed(seed)

    # -- model lifecycle -------------------------------------------------------------------
    def _build(self) -> None:
        self.model = build_model(self.config, len(self.corpus.vocab)).to(self.device)
        self.model.train()
        self._optimizer = None  # built on first use: torch's first optimizer imports torch._dynamo (~2 s)
        self._cold = True  # the first step of new weights warms torch up (~100 ms): not counted in chars/s
        self.n_params = count_parameters(self.model)

    @property
    def optimizer(self) -> torch.optim.Optimizer:
        """Built when first needed, so the dashboard's first picture does not wait for it."""
        if self._optimizer is None:
            self._optimizer = make_optimizer(self.config.optimizer, self.model.parameters(), self.config.lr)
        return self._optimizer

    def _reinitialise(self, label: str, **changes) -> None:
        self.config = self.config.with_(**changes).validate()
        self._build()
        self.diverged = None
        if self.state == DIVERGED:
            self.state = PAUSED
        for hook in self.hooks:  # before the new picture: a compare's B takes A's weights first
            hook.after_reinit(self)
        self._forget_recent()
        self._mark(label)
        self.refresh_probe()
        self.new_sample()  # the old sample was the old weights' text (a key pressed, like g: at once)
        self.memory = None  # the old weights' curve: measured again once the side budget has room

    def _forget_recent(self) -> None:
        """New weights: the losses, clip rate and chars/s the status shows were of the old ones."""
        for window in (self.recent_loss, self.recent_clip, self.recent_step_s):
            window.clear()
        self.last_val = float("nan")
        self.best_val = None

    @property
    def chars_per_s(self) -> float:
        """The one chars/s (status line, progress bar, headless JSON): characters trained per second of training
        step (forward, backward, norms, update) over the last 100 steps, the first of new weights (a warm-up) left
        out; nan before there is one."""
        seconds = self.recent_step_s.mean()
        return self.config.batch * self.config.seq_len / seconds if seconds > 0 else float("nan")

    def _mark(self, label: str) -> None:
        self.events.append(Event(self.step, label))
        del self.events[:-200]

    def _default_probe_text(self) -> str:
        if self.task is not None:  # one item: its cue at t = 0, its answer the last target
            return self.task.probe_text(self.config.seed)
        return self.corpus.decode(self.corpus.val[: self.config.seq_len + 1])

    # -- training ------------------------------------------------------------------------
    def train_step(self) -> None:
        """One optimisation step; a non-finite loss or gradient pauses the run as DIVERGED."""
        for hook in self.hooks:
            hook.before_step(self)
        inputs, targets = self.sampler.next()  # [B, T] each
        x = torch.from_numpy(inputs).to(self.device)  # [B, T]
        y = torch.from_numpy(targets).to(self.device)  # [B, T]
        optimizer = self.optimizer  # built before the clock starts: the first step is not charged torch's imports
        norms_before = self.side.spent["norms"]
        started = time.perf_counter()
        stats = train_step(self.model, optimizer, x, y, self.config.clip, self.step + 1, self.side)
        elapsed = time.perf_counter() - started
        self.side.add_training(elapsed - (self.side.spent["norms"] - norms_before))
        if not (math.isfinite(stats.loss) and math.isfinite(stats.total_pre)):
            self._diverge(stats)
            return
        self.step += 1
        self.last_stats = stats
        if not self._cold:
            self.recent_step_s.add(elapsed)
        self._cold = False
        self.loss_history.append(self.step, stats.loss)
        self.grad_history.append(self.step, stats.total_pre, stats.total_post)
        self.grad_max = (max(self.grad_max[0], stats.total_pre), max(self.grad_max[1], stats.total_post))
        self.recent_loss.add(stats.loss)
        self.recent_clip.add(float(stats.clipped))
        if self._validation_due() and self.validate(self.interrupted) is not None:
            for hook in self.hooks:
                hook.after_validation(self)

    def _validation_due(self) -> bool:
        """At every --val-every step (histories stay reproducible), or owed; when validation alone takes more than
        its part of the side budget (rnnscope.training.side_budget.VALIDATION_SHARE), the user is told once."""
        every = self.config.val_every
        if self.val_owed:
            return True
        if self.step % every:
            return False
        share = self.side.share_of("validation", every)
        if share > VALIDATION_SHARE * self.side.budget and not self.val_told:
            self.val_told = True
            self.notify("warning", f"validation takes {self.side.expected('validation') * 1000:,.0f} ms every "
                        f"{every:,} steps, {share:.1%} of the training time: over half the side budget of "
                        f"{self.side.budget:.0%} by itself (a larger --val-every lowers it)")
        return True

    def _diverge(self, stats) -> None:
        name, value = max(stats.grad_norms.items(), key=lambda kv: _sort_key(kv[1]))
        self.state = DIVERGED
        self.diverged = (f"step {stats.step}: loss {stats.loss:.4g}, largest gradient {value:.3g} ({name}); "
                         "weights kept from the last finite step")
        self._mark("diverged")
        for hook in self.hooks:
            hook.after_divergence(self)
        self.notify("error", f"DIVERGED at step {stats.step}: change a setting (c, i, m, r) and press space")

    def validate(self, interrupted: Interrupted = never) -> float | None:
        """The validation loss now, and memory when the side budget has room for it (a costly pass is taken less
        often) or the run is paused (a single step). A command waiting (`interrupted`) stops it between two batches:
        None, and it is owed to the next step."""
        with self.side.timed("validation"):
            loss = validation_loss(self.model, self.val_batches, self.device, interrupted)
        self.val_owed = loss is None
        if loss is None:
            return None
        self.val_history.append(self.step, loss)
        self.last_val = loss
        self._watch_generalisation(loss)
        if self.state != RUNNING or self.side.affords("memory"):  # a single step while paused: always
            self.refresh_memory(interrupted)
        return loss

    def _watch_generalisation(self, loss: float) -> None:
        """Keep the best validation step; once validation has risen over RISING_VALIDATIONS validations since it,
        say so (once per best): the model may be learning its training text by heart."""
        if self.best_val is None or loss < self.best_val[1]:
            self.best_val = (self.step, loss)
            return
        best_step, best = self.best_val
        if self.step - best_step >= RISING_VALIDATIONS * self.config.val_every and self.rising_told != best_step:
            self.rising_told = best_step
            self.notify("warning", f"val rising since step {best_step:,} (best {best:.3f}, now {loss:.3f}): the model "
                        "may be overfitting its training text")

    def refresh_memory(self, interrupted: Interrupted = never) -> MemoryFrame | None:
        """Measure memory now (None, keeping the last, when `interrupted` stopped it)."""
        with self.side.timed("memory"):  # an interrupted pass counts against the budget too
            memory = self.memory_meter.measure(self.model, self.step, interrupted)
        if memory is not None:
            self.memory = memory
        return memory

    def current_memory(self) -> MemoryFrame:
        """Memory at this step: the last measurement if it is of this step, else measured now."""
        return self.memory if self.memory is not None and self.memory.step == self.step else self.refresh_memory()

    def start(self) -> None:
        """Before the first step: the probe and memory of these weights, start-up work the side budget does not
        charge (so their costs are known before the budget first has to judge them)."""
        self.current_probe()
        if self.memory is None:
            self.refresh_memory()

    def current_probe(self) -> ProbeFrame:
        """The probe at this step: the last one if it is of this step, else run now."""
        return self.probe if self.probe is not None and self.probe.step == self.step else self.refresh_probe()

    def refresh_probe(self, interrupted: Interrupted = never) -> ProbeFrame | None:
        """Probe the current weights (None, keeping the last probe, when `interrupted` stopped it)."""
        with self.side.timed("probe"):
            probe = run_probe(self.model, self.probe_ids, self.probe_targets, self.probe_text, self.step, interrupted)
        if probe is not None:
            self.probe = probe
            with self.side.timed("timeline"):
                for hook in self.hooks:
                    hook.after_probe(self, probe)
        return probe

    def new_sample(self, temperature: float | None = None, interrupted: Interrupted = never) -> Sample | None:
        """A fresh sample, shown from now on; None, with the last kept, when `interrupted` stopped it."""
        if temperature is not None:
            self.temperature = temperature
        sample = self.draw_sample(self.temperature, interrupted)
        if sample is not None:
            self.sample = sample
        return sample

    def draw_sample(self, temperature: float, interrupted: Interrupted = never) -> Sample | None:
        """A sample at `temperature`, not shown (the screen's sample and temperature stay); None, with the sampling
        generator as it was, when `interrupted` stopped it (a command is waiting)."""
        prime = self.probe_text[:PRIME_LENGTH]
        text = self.draw_text(prime, SAMPLE_LENGTH, temperature, interrupted)
        return None if text is None else Sample(self.step, prime, text, temperature)

    def draw_text(self, prime: str, length: int, temperature: float, interrupted: Interrupted = never) -> str | None:
        """`length` characters following `prime` at `temperature`, timed as a sample; None, with the sampling
        generator as it was, when `interrupted` stopped it."""
        rng_state = self.sample_rng.get_state()
        with self.side.timed("sample"):
            ids = sample_ids(self.model, list(self.corpus.encode(prime)), length, temperature, self.sample_rng,
                             interrupted)
        if ids is None:
            self.sample_rng.set_state(rng_state)
            return None
        return self.corpus.decode(ids)

    def alive(self) -> None:
        """Training is paused: the run's heartbeat still says it is alive (rnnscope.storage.timeline.recorder)."""
        self.timeline.alive(self.step)

    def end_run(self) -> None:
        """The run is over (a clean end: Quit, the last step, a signal that ends it like Ctrl-C)."""
        self.timeline.end(self.step)

    def notify(self, level: str, text: str) -> None:
        """Tell the user something about this run (the screen shows it as a toast; headless, warnings are lines)."""
        seq = self.notice.seq + 1 if self.notice else 1
        self.notice = Notice(seq, level, text)


def _sort_key(value: float) -> float:
    return math.inf if not math.isfinite(value) else value

