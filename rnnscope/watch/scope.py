"""Scope: watch a user's own nn.LSTM / nn.GRU / nn.RNN from inside any training loop, within a time budget."""

from __future__ import annotations

import time
import warnings
import weakref
from pathlib import Path

import torch

from rnnscope.watch.grad_norms import GradNorms
from rnnscope.watch.inputs import check_inputs, check_schedule
from rnnscope.watch.output import Output
from rnnscope.watch.publisher import rank
from rnnscope.watch.schedule import ProbeSchedule
from rnnscope.watch.target import describe, refuse_unsupported, unwrap
from rnnscope.watch.watched_probe import WatchedProbe


class Scope:
    """Probes `module` now and then and writes what it sees to RUN_DIR for `rnnscope --attach RUN_DIR`.

    Call `grads(step)` after backward (before clipping) and `step(step, loss=...)` after the optimizer step. It reads
    parameters and .grad and never writes them, draws no global random numbers, never switches train/eval, calls no
    collective; with torch.distributed, rank 0 alone probes and writes (the other ranks return at once).
    """

    def __init__(self, module, run_dir, *, probe, targets=None, readout=None, labels=None, budget: float = 0.02,
                 every: int | None = None) -> None:
        rnn = unwrap(module)
        refuse_unsupported(rnn)
        budget, every = check_schedule(budget, every)
        self._probe = WatchedProbe(rnn, check_inputs(rnn, probe, targets, readout, labels))
        self._probe.check_reproduced()
        self.rank = rank()
        self.run_dir = Path(run_dir)
        self.active = self.rank == 0
        if not self.active:
            return
        self._grads = GradNorms(rnn)
        self._schedule = ProbeSchedule(budget, every)
        self._losses: list[torch.Tensor | float] = []  # the losses since the last frame, read back when it is made
        self._planned: int | None = None  # the step whose grads() found a probe due: its step() probes
        self._output = Output(self.run_dir, describe(rnn), self.rank, self._probe.meta())
        self._close = weakref.finalize(self, self._output.end)  # also at interpreter exit

    def grads(self, step: int) -> None:
        """After backward: per-parameter gradient norms of the module, before clipping (read, never written), taken
        only when a probe is due at this step (they go into its frame): in a fast loop, norms at every step would
        spend the budget the probes need."""
        if not self.active or not self._close.alive or (step := self._run_step(step)) is None:
            return
        started = time.perf_counter()
        if self._schedule.due(step):
            self._grads.take(step)
            self._planned = step
        self._schedule.spend(time.perf_counter() - started)

    def step(self, step: int, loss=None) -> None:
        """After the optimizer step: keep the loss; probe and write when the budget (or `every`) says so."""
        if not self.active or not self._close.alive or (step := self._run_step(step)) is None:
            return
        started = time.perf_counter()
        if loss is not None:
            self._losses.append(loss.detach() if isinstance(loss, torch.Tensor) else float(loss))
        due, self._planned = self._planned == step or self._schedule.due(step), None
        if due and self._output.writing:
            frame = self._probe.run(step)
            self._output.append(frame, self._train_loss(), self._grads.read(), self._schedule.share())
            self._schedule.probed(step, time.perf_counter() - started)
        self._output.beat(step)
        self._schedule.spend(time.perf_counter() - started)

    def _run_step(self, step) -> int | None:
        """The run's step (rnnscope.watch.schedule.ProbeSchedule.run_step); None, with a warning, for a bad one."""
        try:
            return self._schedule.run_step(step)
        except (TypeError, ValueError) as err:
            warnings.warn(f"rnnscope Scope: a step ignored: {err}", RuntimeWarning, stacklevel=3)
            return None

    def _train_loss(self) -> float:
        """The mean of the losses since the last frame (nan without any), read back from the device once."""
        losses, self._losses = self._losses, []
        if not losses:
            return float("nan")
        numbers = [x for x in losses if not isinstance(x, torch.Tensor)]
        tensors = [x.double().mean() for x in losses if isinstance(x, torch.Tensor)]  # on the device, no sync yet
        total = sum(numbers) + (float(torch.stack(tensors).sum()) if tensors else 0.0)
        return total / len(losses)

    @property
    def side_share(self) -> float:
        """The share of the loop's wall time this scope has spent so far (0 on ranks that do not publish)."""
        return self._schedule.share() if self.active else 0.0

    def close(self) -> None:
        """Mark the run ended (also done when the scope is garbage-collected or the interpreter exits)."""
        if self.active:
            self._close()
