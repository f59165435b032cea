"""The training engine, one run: built from its collaborators (weights, seed streams, record, side budget, meters,
features), it trains, validates, probes, samples and answers commands; the rest of rnnscope uses only its public
surface (rnnscope.contracts.engine_surface)."""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import torch

from rnnscope import cells
from rnnscope.contracts import commands
from rnnscope.contracts.config import RunConfig
from rnnscope.contracts.engine_hook import EngineHook
from rnnscope.contracts.frames import DIVERGED, PAUSED, RUNNING, Frame, MemoryReading, Notice, ProbeReading, RunStatus, Sample
from rnnscope.engine.checkpointing import Controls, checkpoint_of, restore_from
from rnnscope.engine.commands import ClipControl, next_init, next_model, scaled_temperature
from rnnscope.engine.features import optional_features
from rnnscope.engine.model_weights import ModelWeights
from rnnscope.engine.output import export_snapshot, result_of
from rnnscope.engine.run_record import RunRecord
from rnnscope.engine.seed_streams import SeedStreams
from rnnscope.engine.timeline import engine_recorder
from rnnscope.measuring.memory import MemoryMeter
from rnnscope.measuring.probe import run_probe
from rnnscope.training.data import Corpus, validation_batches
from rnnscope.training.device import resolve_device
from rnnscope.training.interrupt import Interrupted, never
from rnnscope.training.sampling import sample_ids
from rnnscope.training.side_budget import VALIDATION_SHARE, SideBudget
from rnnscope.training.task_corpus import task_of
from rnnscope.training.trainer import train_step, validation_loss
from rnnscope.units.feature_spec import parse_features
from rnnscope.units.tracker import UnitsTracker, analysis_ids

SAMPLE_LENGTH = 240
RISING_VALIDATIONS = 5  # validations above the best in a row before "val rising since step N"
PRIME_LENGTH = 12


class Engine:
    """One run. Not thread-safe: a single thread calls it (the headless loop or the dashboard's engine process)."""

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
        self._streams = SeedStreams(corpus, config.seq_len, config.batch, config.seed)
        self.memory_meter = MemoryMeter(corpus, config.seq_len, self.task, config.seed, self.device)
        self._weights = ModelWeights(self.config, len(corpus.vocab), self.device)
        self._record = RunRecord()
        self.budget = SideBudget()  # probes, validation, memory, samples, norms, timeline: timed, within one budget
        self._clip = ClipControl(config.clip)
        self.interrupted: Interrupted = never  # set by a driver: a command is waiting
        self.val_owed = False  # a validation that a waiting command interrupted: done at the next step
        self.val_told = False  # told that validation at --val-every takes more than its part of the side budget
        self.step = 0
        self.state = PAUSED if start_paused else RUNNING
        self.last_stats = None
        self.probe: ProbeReading | None = None
        self.memory: MemoryReading | None = None
        self.sample: Sample | None = None
        self.temperature = 1.0
        self.notice: Notice | None = None
        self.diverged: str | None = None
        self.frame_seq = 0
        self.hooks: tuple[EngineHook, ...] = ()
        self.timeline = engine_recorder(self)  # every new probe goes to RUN_DIR/timeline/ (a hook: after_probe)
        self.units = UnitsTracker(*analysis_ids(corpus), parse_features(config.features.splitlines()))  # PRODUCT.md 13
        for hook in (self.timeline, self.units, *optional_features(corpus, self.config)):
            self.attach(hook)

    # -- the surface: what it is ---------------------------------------------------------------------------------
    @property
    def model(self) -> torch.nn.Module:
        """The module, to read (an analysis pass); load_weights writes."""
        return self._weights.model

    @property
    def grad_max(self) -> tuple[float, float]:
        """The largest pre- and post-clip total gradient norm of any step of this run."""
        return self._record.grad_max

    def status(self) -> RunStatus:
        record, config = self._record, self.config
        return RunStatus(
            config=config, corpus=Path(self.corpus.path).name, n_params=self._weights.n_params, step=self.step,
            state=self.state, clip_fire_rate=record.recent_clip.mean(), device=str(self.device), threads=self.threads,
            train_loss=record.recent_loss.mean(), val_loss=record.last_val,
            chars_per_s=record.chars_per_s(config.batch * config.seq_len), diverged=self.diverged,
            run_dir=str(self.run_dir), temperature=self.temperature, best_val=record.best_val)

    def parts(self) -> dict[str, object]:
        """What the screen shows, one entry per part of rnnscope.contracts.parts (histories as appendable rows)."""
        record = self._record
        parts = {"status": self.status(), "vocab": self.corpus.vocab, "last_step": self.last_stats,
                 "loss_history": record.loss_history, "val_history": record.val_history,
                 "events": tuple(record.events), "probe": self.probe, "sample": self.sample, "notice": self.notice,
                 "memory": self.memory}
        for hook in self.hooks:
            parts.update(hook.parts())
        return parts

    def frame(self) -> Frame:
        """The whole picture (snapshots, headless): the parts, with the histories as arrays."""
        self.frame_seq += 1
        parts = self.parts()
        for name in ("loss_history", "val_history"):
            parts[name] = parts[name].array()  # [N, 2]
        return Frame(seq=self.frame_seq, grad_norm_history=self._record.grad_history.array(), **parts)

    def weights(self) -> dict[str, np.ndarray]:
        """Every weight, name -> a numpy copy."""
        return self._weights.arrays()

    def load_weights(self, values: Mapping[str, torch.Tensor | np.ndarray]) -> None:
        """Overwrite the named parameters (a compare's B taking A's initial weights)."""
        self._weights.load(values)

    def seed_streams(self, seed: int) -> None:
        """Draw the training batches and the samples from `seed`'s streams, from their start (the run's own seed; a
        compare's B takes A's, so both train on the same batches and sample alike)."""
        self._streams = SeedStreams(self.corpus, self.config.seq_len, self.config.batch, seed)

    def ready(self) -> None:
        """Build what the first step would (the optimiser), so that step's chars/s does not pay for it."""
        _ = self._weights.optimizer

    # -- the surface: what features ask of it --------------------------------------------------------------------
    def attach(self, hook: EngineHook) -> None:
        """A feature hears this run from now on (rnnscope.contracts.engine_hook); it keeps its own state."""
        self.hooks += (hook,)

    def mark(self, label: str) -> None:
        """A mark on the loss chart at this step."""
        self._record.mark(self.step, label)

    def notify(self, level: str, text: str) -> None:
        """Tell the user something about this run (the screen shows it as a toast; headless, warnings are lines)."""
        seq = self.notice.seq + 1 if self.notice else 1
        self.notice = Notice(seq, level, text)

    def current_probe(self) -> ProbeReading:
        """The probe at this step: the last one if it is of this step, else run now."""
        return self.probe if self.probe is not None and self.probe.step == self.step else self.refresh_probe()

    def refresh_probe(self, interrupted: Interrupted = never) -> ProbeReading | None:
        """Probe the current weights (None, keeping the last probe, when `interrupted` stopped it)."""
        with self.budget.timed("probe"):
            probe = run_probe(self.model, self.probe_ids, self.probe_targets, self.probe_text, self.step, interrupted)
        if probe is not None:
            self.probe = probe
            with self.budget.timed("timeline"):
                for hook in self.hooks:
                    hook.after_probe(self, probe)
        return probe

    def current_memory(self) -> MemoryReading:
        """Memory at this step: the last measurement if it is of this step, else measured now."""
        return self.memory if self.memory is not None and self.memory.step == self.step else self.refresh_memory()

    def refresh_memory(self, interrupted: Interrupted = never) -> MemoryReading | None:
        """Measure memory now (None, keeping the last, when `interrupted` stopped it)."""
        with self.budget.timed("memory"):  # an interrupted pass counts against the budget too
            memory = self.memory_meter.measure(self.model, self.step, interrupted)
        if memory is not None:
            self.memory = memory
        return memory

    def current_sample(self) -> Sample | None:
        """A sample of this step's weights: the last one if it is of this step, else drawn now and shown."""
        return self.sample if self.sample is not None and self.sample.step == self.step else self.new_sample()

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
        rng = self._streams.rng
        rng_state = rng.get_state()
        with self.budget.timed("sample"):
            ids = sample_ids(self.model, list(self.corpus.encode(prime)), length, temperature, rng, interrupted)
        if ids is None:
            rng.set_state(rng_state)
            return None
        return self.corpus.decode(ids)

    # -- the surface: what drivers do with it --------------------------------------------------------------------
    def start(self) -> None:
        """Before the first step: the probe and memory of these weights, start-up work the side budget does not
        charge (so their costs are known before the budget first has to judge them)."""
        self.current_probe()
        if self.memory is None:
            self.refresh_memory()

    def train_step(self) -> None:
        """One optimisation step; a non-finite loss or gradient pauses the run as DIVERGED."""
        for hook in self.hooks:
            hook.before_step(self)
        inputs, targets = self._streams.sampler.next()  # [B, T] each
        x = torch.from_numpy(inputs).to(self.device)  # [B, T]
        y = torch.from_numpy(targets).to(self.device)  # [B, T]
        optimizer = self._weights.optimizer  # built before the clock starts: the first step is not charged its imports
        norms_before = self.budget.spent["norms"]
        started = time.perf_counter()
        stats = train_step(self.model, optimizer, x, y, self.config.clip, self.step + 1, self.budget)
        elapsed = time.perf_counter() - started
        self.budget.add_training(elapsed - (self.budget.spent["norms"] - norms_before))
        if not (math.isfinite(stats.loss) and math.isfinite(stats.total_pre)):
            self._diverge(stats)
            return
        self.step += 1
        self.last_stats = stats
        self._record.add_step(stats, None if self._weights.cold else elapsed)
        self._weights.cold = False
        if self._validation_due() and self.validate(self.interrupted) is not None:
            for hook in self.hooks:
                hook.after_validation(self)

    def validate(self, interrupted: Interrupted = never) -> float | None:
        """The validation loss now, and memory when the side budget has room for it (a costly pass is taken less
        often) or the run is paused (a single step). A command waiting (`interrupted`) stops it between two batches:
        None, and it is owed to the next step."""
        with self.budget.timed("validation"):
            loss = validation_loss(self.model, self.val_batches, self.device, interrupted)
        self.val_owed = loss is None
        if loss is None:
            return None
        rising = self._record.add_validation(self.step, loss, RISING_VALIDATIONS * self.config.val_every)
        if rising is not None:
            self.notify("warning", f"val rising since step {rising[0]:,} (best {rising[1]:.3f}, now {loss:.3f}): the "
                        "model may be overfitting its training text")
        if self.state != RUNNING or self.budget.affords("memory"):  # a single step while paused: always
            self.refresh_memory(interrupted)
        return loss

    def apply(self, command: commands.Command) -> None:
        """Carry out one command from the screen (between steps)."""
        match command:
            case commands.TogglePause():
                self.state = RUNNING if self.state in (PAUSED, DIVERGED) else PAUSED
                if self.state == PAUSED:
                    self.current_probe()  # paused: the probe's panels show the weights the status line does
            case commands.Step():
                if self.state == RUNNING:
                    self.notify("warning", "n runs one step while paused: press space to pause first")
                    return
                self.train_step()
                self.refresh_probe()
            case commands.ToggleClip():
                self._set_clip(self._clip.toggled(self.config.clip))
            case commands.ScaleClip(factor=factor):
                threshold = self._clip.scaled(self.config.clip, factor)
                if self.config.clip is not None:
                    self._set_clip(threshold)
                else:
                    self.notify("information", f"clipping stays off: threshold {threshold:g} kept for when c turns it on")
            case commands.NextInit():
                init = next_init(self.config.init)
                self._reinitialise(f"init {init}", init=init)
            case commands.NextModel():
                model = next_model(self.config.model)
                self._reinitialise(model, model=model)
            case commands.ToggleActivation():
                self._toggle_activation()
            case commands.Reset():
                self._reinitialise("reset")
            case commands.Export(screen_svg=svg):
                self.export(svg)
            case commands.NewSample(temperature=temperature):
                self.new_sample(temperature)
            case commands.ScaleTemperature(factor=factor):
                self.new_sample(scaled_temperature(self.temperature, factor))

    def export(self, screen_svg: str | None = None, name: str | None = None) -> Path | None:
        """Write a snapshot of the current state (to RUN_DIR/`name`/, replacing it, instead of RUN_DIR/step-N/ where
        `name` is given: it is then not announced); failures become a notice, never an exception."""
        timings = self.budget.timings()  # as the run stood when the export was asked: its own passes are charged after
        self.current_probe()
        self.current_memory()
        for hook in self.hooks:
            hook.before_export(self)  # the units analyse this step (units.json)
        path = export_snapshot(self, screen_svg, timings, name)
        if path is None:
            return None
        for hook in self.hooks:
            hook.after_export(self, path)
        if name is None:
            self.notify("information", f"snapshot saved: {path}")
        return path

    def result(self) -> dict:
        """The headless run's closing numbers."""
        summaries = {key: value for hook in self.hooks for key, value in hook.summary().items()}
        return result_of(self, self._record.val_history.array(), summaries)

    def checkpoint(self) -> dict:
        """Everything needed to resume this run exactly (rnnscope.training.checkpoint writes and reads it)."""
        return checkpoint_of(self.config, self.corpus, self.step, self._weights, self._streams, self._record,
                             Controls(self._clip.last, self.temperature))

    def restore(self, data: dict) -> None:
        """Continue from a checkpoint (see checkpoint.load_checkpoint); the config must already match."""
        self.step, controls = restore_from(data, self.corpus, self._weights, self._streams, self._record)
        self._clip.last, self.temperature = controls.last_clip, controls.temperature
        self.mark("resumed")

    def close(self) -> None:
        """No training is left: what follows (the final probe, memory, sample, export) is wind-down, not charged."""
        if not self.budget.closed:
            self.budget.close()
            for hook in self.hooks:
                hook.after_close(self)

    def alive(self) -> None:
        """Training is paused: the run's heartbeat still says it is alive (rnnscope.storage.timeline.recorder)."""
        self.timeline.alive(self.step)

    def end_run(self) -> None:
        """The run is over (a clean end: Quit, the last step, a signal that ends it like Ctrl-C)."""
        self.timeline.end(self.step)

    # -- its own ----------------------------------------------------------------------------------------------------
    def _default_probe_text(self) -> str:
        if self.task is not None:  # one item: its cue at t = 0, its answer the last target
            return self.task.probe_text(self.config.seed)
        return self.corpus.decode(self.corpus.val[: self.config.seq_len + 1])

    def _validation_due(self) -> bool:
        """At every --val-every step (histories stay reproducible), or owed; when validation alone takes more than
        its part of the side budget (rnnscope.training.side_budget.VALIDATION_SHARE), the user is told once."""
        every = self.config.val_every
        if self.val_owed:
            return True
        if self.step % every:
            return False
        share = self.budget.share_of("validation", every)
        if share > VALIDATION_SHARE * self.budget.budget and not self.val_told:
            self.val_told = True
            self.notify("warning", f"validation takes {self.budget.expected('validation') * 1000:,.0f} ms every "
                        f"{every:,} steps, {share:.1%} of the training time: over half the side budget of "
                        f"{self.budget.budget:.0%} by itself (a larger --val-every lowers it)")
        return True

    def _diverge(self, stats) -> None:
        name, value = max(stats.grad_norms.items(), key=lambda kv: _sort_key(kv[1]))
        self.state = DIVERGED
        self.diverged = (f"step {stats.step}: loss {stats.loss:.4g}, largest gradient {value:.3g} ({name}); "
                         "weights kept from the last finite step")
        self.mark("diverged")
        for hook in self.hooks:
            hook.after_divergence(self)
        self.notify("error", f"DIVERGED at step {stats.step}: change a setting (c, i, m, r) and press space")

    def _set_clip(self, clip: float | None) -> None:
        self._clip.set(clip)
        self.config = self.config.with_(clip=clip)
        self.mark("clip off" if clip is None else f"clip {clip:g}")

    def _toggle_activation(self) -> None:
        model = cells.facts_of(self.config.model).activation_twin
        if model is None:
            self.notify("warning", "a switches tanh ↔ ReLU of a vanilla RNN: press m for rnn-tanh first")
            return
        self._weights.set_activation(cells.facts_of(model).activation)
        self.config = self.config.with_(model=model)
        self.mark(model)
        self.refresh_probe()

    def _reinitialise(self, label: str, **changes) -> None:
        self.config = self.config.with_(**changes).validate()
        self._weights.build(self.config)
        self.diverged = None
        if self.state == DIVERGED:
            self.state = PAUSED
        for hook in self.hooks:  # before the new picture: a compare's B takes A's weights first
            hook.after_reinit(self)
        self._record.forget_recent()
        self.mark(label)
        self.refresh_probe()
        self.new_sample()  # the old sample was the old weights' text (a key pressed, like g: at once)
        self.memory = None  # the old weights' curve: measured again once the side budget has room


def _sort_key(value: float) -> float:
    return math.inf if not math.isfinite(value) else value
