"""Scope: watch a user's own nn.LSTM / nn.GRU / nn.RNN (or a custom cell through its step) from inside any training
loop, within a time budget."""

from __future__ import annotations

import os
import time
import warnings
import weakref
from pathlib import Path

from rnnscope.contracts.frames import CONNECTIVITY_MAX_T
from rnnscope.storage.timeline.check import check_timeline_frame
from rnnscope.watch.drift import DRIFTED, drift, drift_warning, find_source
from rnnscope.watch.grad_norms import GradNorms
from rnnscope.watch.guard import OWN, Guard, failure, quiet
from rnnscope.watch.inputs import check_inputs, check_schedule
from rnnscope.watch.numbers import loss_number, mean_loss
from rnnscope.watch.output import Output
from rnnscope.watch.publisher import rank
from rnnscope.watch.schedule import ProbeSchedule
from rnnscope.watch.steps import StepModule
from rnnscope.watch.target import describe, target
from rnnscope.watch.units import scope_units
from rnnscope.watch.watched_probe import WatchedProbe


def _shown(value: object) -> str:
    """A value the loop passed, in a few characters for a warning (whatever its str does: raise, run long)."""
    try:
        return repr(value if not isinstance(value, int) or abs(value) < 10 ** 60 else float("inf"))[:60]
    except Exception:  # a __repr__ that raises
        return "(no repr)"


def unreadable(frame) -> str | None:
    """What the timeline's reader would refuse in this frame (nan or inf states, ...), or None."""
    try:
        check_timeline_frame(frame, None)
    except ValueError as error:
        return str(error)
    return None


class Scope:
    """Probes `module` now and then and writes what it sees to RUN_DIR for `rnnscope --attach RUN_DIR`.

    With `analysis=` (inputs like `probe=`) and `features=` ({name: one number per analysis position}), frames also
    record what each unit means: the module's h (and c) over the analysis inputs scored against the features.

    Call `grads(step)` after backward (before clipping) and `step(step, loss=...)` after the optimizer step. It reads
    parameters and .grad and never writes them, draws no global random numbers, never switches train/eval, calls no
    collective; with torch.distributed, rank 0 alone probes and writes (the other ranks return at once). A guest in
    the loop: whatever fails at run time is one RuntimeWarning naming its cause, then the scope skips (a state that
    can pass: inference mode, parameters not float32) or stops; it never raises into training.

    A bidirectional or proj_size module is probed as rows (each layer's directions); a custom module is watched
    through `cell_step(x_t, state) -> (new_state, h_t, gates)` (rnnscope.watch.steps), `input_size` its input's
    width when the module has no `input_size` attribute.
    """

    def __init__(self, module, run_dir, *, probe, targets=None, readout=None, labels=None, embedding=None,
                 vocab=None, decode=None, sample=None, budget: float = 0.02, every: int | None = None,
                 analysis=None, features=None, cell_step=None, input_size: int | None = None) -> None:
        rnn = target(module, cell_step, input_size)
        if analysis is not None and isinstance(rnn, StepModule):
            raise ValueError("rnnscope Scope: analysis= needs a one-direction nn.LSTM, nn.GRU or nn.RNN without proj_size "
                             "for now; leave it out for a bidirectional, projected or custom cell")
        budget, every = check_schedule(budget, every)
        inputs = check_inputs(rnn, probe, targets, readout, labels, embedding=embedding, vocab=vocab, decode=decode,
                              sample=sample)
        self._probe = WatchedProbe(rnn, inputs)
        self._units = scope_units(rnn, analysis, features, embedding=embedding, vocab=vocab, decode=decode)
        self._probe.check_reproduced()
        if inputs.steps > CONNECTIVITY_MAX_T:
            warnings.warn(f"{OWN}: the probe has {inputs.steps} steps, so its frames skip the connectivity "
                          f"map (beyond {CONNECTIVITY_MAX_T} its [T, T] cost grows with T²); the rest of each probe "
                          "grows with T: a shorter probe is probed more often", UserWarning, stacklevel=2)
        self._source = None if inputs.fixed is None else \
            find_source(module, rnn.module if isinstance(rnn, StepModule) else rnn, inputs.fixed)
        self.rank = rank()
        self.run_dir = Path(run_dir)
        self.active = self.rank == 0
        if not self.active:
            return
        self._guard = Guard(str(self.run_dir))
        self._grads = GradNorms(rnn)
        self._schedule = ProbeSchedule(budget, every)
        self._losses: list = []  # the losses since the last frame (tensors read back when it is made)
        self._planned: int | None = None  # the step whose grads() found a probe due: its step() probes
        self._told: int | None = None  # the last step step() was told
        self._sampling = inputs.sample is not None  # until the user's sampling function fails
        self._norms = None  # the last gradient norms written (close()'s final probe repeats them)
        self._output = Output(self.run_dir, describe(rnn), self.rank, self._probe.meta())
        self._close = weakref.finalize(self, self._output.end)  # also at interpreter exit

    def _live(self) -> bool:
        """Watching: rank 0, not closed or stopped, its output writing (in the process that made it: a fork's copy does
        nothing)."""
        return self.active and self._close.alive and self._guard.stopped is None and self._output.writing

    def _stop(self, cause: str) -> None:
        self._guard.stop(cause)
        self._close()

    def grads(self, step: int) -> None:
        """After backward: per-parameter gradient norms of the module, before clipping (read, never written), taken
        only when a probe is due at this step (they go into its frame): in a fast loop, norms at every step would
        spend the budget the probes need."""
        if not self._live() or (step := self._run_step(step)) is None:
            return
        started = time.perf_counter()
        try:
            if self._schedule.due(step) and self._probe.unready() is None:
                self._grads.take(step)
                self._planned = step
        except Exception as error:  # a guest: never raised into the loop
            self._guard.tell(failure("taking the gradient norms", error), "this frame goes without them")
        self._schedule.spend(time.perf_counter() - started)

    def step(self, step: int, loss=None) -> None:
        """After the optimizer step: keep the loss; probe and write when the budget (or `every`) says so. The first
        probe is start-up (first calls, allocations) and not charged to the budget."""
        if not self._live() or (step := self._run_step(step)) is None:
            return
        started = time.perf_counter()
        try:
            self._keep(loss)
            self._told = step
            first = self._schedule.last_step is None
            due, self._planned = self._planned == step or self._schedule.due(step), None
            if due and self._ready():
                self._record(step)
                self._schedule.probed(step, time.perf_counter() - started)
                if first:
                    started = time.perf_counter()
            self._output.beat(step)
        except Exception as error:  # a guest: never raised into the loop
            self._stop(failure("the probe", error))
        self._schedule.spend(time.perf_counter() - started)

    def _run_step(self, step) -> int | None:
        """The run's step (rnnscope.watch.schedule.ProbeSchedule.run_step); None, with a warning, for a bad one."""
        try:
            return self._schedule.run_step(step)
        except (TypeError, ValueError) as err:
            warnings.warn(f"{OWN}: a step ignored: {err}", RuntimeWarning, stacklevel=3)
            return None

    def _keep(self, loss) -> None:
        if loss is None:
            return
        number = loss_number(loss)
        if number is None:
            self._guard.tell(f"loss={type(loss).__name__} {_shown(loss)} is not one real number",
                             "it is left out of the frames' train loss")
        else:
            self._losses.append(number)

    def _ready(self) -> bool:
        """Whether the probe can run now; a reason that can pass is told once and the probe retried at the next
        step, one that cannot stops the scope."""
        unready = self._probe.unready()
        if unready is None:
            return True
        reason, passing = unready
        if passing:
            self._guard.tell(reason, "probes are skipped until it passes, then resume")
        else:
            self._stop(reason)
        return False

    def _record(self, step: int, final: bool = False) -> None:
        """Probe now and write the frame (the sample, the classes' names, the drift check beside it)."""
        with quiet():
            frame = self._probe.run(step)
            extra = {"class_names": self._probe.class_names(frame)}
            sample = self._sample()
            if sample is not None:
                extra["sample"] = sample  # (prime, text)
            if self._source is not None and (moved := drift(self._source, self._probe.inputs.fixed)) > DRIFTED:
                warnings.warn(drift_warning(self._source, moved), UserWarning, stacklevel=3)
                self._source = None  # told once
            grads, loss = self._grads.read() or (self._norms if final else None), self._train_loss()
            self._norms = grads or self._norms  # the final probe shows the last norms taken (their step is in them)
            problem = unreadable(frame)
            if problem is not None:  # the writer never writes what its reader refuses
                self._guard.tell(f"a probe holds what the screen cannot draw ({problem}: has the model diverged?)",
                                 f"such frames are not written (the first at step {step}); probes go on")
                return
            self._add_units(step, extra)
            self._output.append(frame, loss, grads, self._schedule.share(), extra)

    def _add_units(self, step: int, extra: dict) -> None:
        """The units analysis (analysis= and features=) into the frame's meta; a failure costs the units only."""
        if self._units is None:
            return
        try:
            extra["units"] = self._units.record(step, self._probe, self._schedule.spent)
        except Exception as error:  # a guest: the user's embedding on other inputs, ...
            self._units = None
            self._guard.tell(failure("the units analysis", error), "frames go without units from now on")

    def _sample(self) -> tuple[str, str] | None:
        if not self._sampling:
            return None
        try:
            return self._probe.sample()
        except Exception as error:  # the user's function: its failure costs the samples only
            self._sampling = False
            self._guard.tell(failure("sample()", error), "frames go without samples from now on")
            return None

    def _train_loss(self) -> float:
        """The mean of the losses since the last frame (nan without any, or when they cannot be read back)."""
        losses, self._losses = self._losses, []
        try:
            return mean_loss(losses)
        except Exception as error:  # a loss tensor on a device that went away, ...
            self._guard.tell(failure("reading the loss back", error), "that frame has no train loss")
            return float("nan")

    @property
    def side_share(self) -> float:
        """The share of the loop's wall time this scope has spent so far, its start-up probe aside (0 on ranks
        that do not publish)."""
        return self._schedule.share() if self.active else 0.0

    def close(self) -> None:
        """Take a final probe at the last step told (when none was taken there), then mark the run ended and give
        the folder back (also done, without the probe, when the scope is garbage-collected or the interpreter
        exits)."""
        if not self.active:
            return
        if self._live() and self._told is not None and self._told != self._schedule.last_step:
            try:
                if self._ready():
                    self._record(self._told, final=True)
            except Exception as error:  # a guest: never raised into the loop
                self._guard.tell(failure("the final probe", error), "the run ends without it")
        if os.getpid() == self._output.pid:
            self._close()
