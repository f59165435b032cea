"""What a run has recorded of its training: the loss, validation and gradient histories, the recent windows its status
reads, the best validation step and the events on the loss chart; and their part of a checkpoint."""

from __future__ import annotations

import numpy as np

from rnnscope.contracts.frames import Event, StepStats
from rnnscope.training.history import DecimatingHistory, RecentWindow

MAX_EVENTS = 200  # the loss chart's marks kept (the oldest go first)


class RunRecord:
    """The engine's record of its steps and validations (a collaborator of rnnscope.engine.engine.Engine)."""

    def __init__(self) -> None:
        self.loss_history = DecimatingHistory(2)  # (step, train loss)
        self.val_history = DecimatingHistory(2)  # (step, val loss)
        self.grad_history = DecimatingHistory(3)  # (step, pre-clip total, post-clip total)
        self.grad_max = (0.0, 0.0)  # largest pre-, post-clip total norm of any step (the history is thinned)
        self.recent_loss = RecentWindow()
        self.recent_clip = RecentWindow()
        self.recent_step_s = RecentWindow()  # seconds of each recent training step, for chars_per_s
        self.last_val = float("nan")  # the status's validation loss: of these weights (a re-init clears it)
        self.best_val: tuple[int, float] | None = None  # (step, loss): the lowest validation loss of these weights
        self.rising_told: int | None = None  # the best step whose "val rising since" was told
        self.events: list[Event] = []

    def add_step(self, stats: StepStats, seconds: float | None) -> None:
        """A finite training step; `seconds` None for a warm-up step that chars/s leaves out."""
        if seconds is not None:
            self.recent_step_s.add(seconds)
        self.loss_history.append(stats.step, stats.loss)
        self.grad_history.append(stats.step, stats.total_pre, stats.total_post)
        self.grad_max = (max(self.grad_max[0], stats.total_pre), max(self.grad_max[1], stats.total_post))
        self.recent_loss.add(stats.loss)
        self.recent_clip.add(float(stats.clipped))

    def add_validation(self, step: int, loss: float, rising_after: int) -> tuple[int, float] | None:
        """A completed validation. Keeps the best step; returns (best step, best loss) once the loss has stayed above
        it for `rising_after` steps (once per best): the model may be learning its training text by heart."""
        self.val_history.append(step, loss)
        self.last_val = loss
        if self.best_val is None or loss < self.best_val[1]:
            self.best_val = (step, loss)
            return None
        best_step, _ = self.best_val
        if step - best_step >= rising_after and self.rising_told != best_step:
            self.rising_told = best_step
            return self.best_val
        return None

    def chars_per_s(self, chars_per_step: int) -> float:
        """The one chars/s (status line, progress bar, headless JSON): characters trained per second of training step
        (forward, backward, norms, update) over the last 100 steps, the first of new weights (a warm-up) left out; nan
        before there is one."""
        seconds = self.recent_step_s.mean()
        return chars_per_step / seconds if seconds > 0 else float("nan")

    def forget_recent(self) -> None:
        """New weights: the losses, clip rate and chars/s the status shows were of the old ones."""
        for window in (self.recent_loss, self.recent_clip, self.recent_step_s):
            window.clear()
        self.last_val = float("nan")
        self.best_val = None

    def mark(self, step: int, label: str) -> None:
        self.events.append(Event(step, label))
        del self.events[:-MAX_EVENTS]

    def histories(self) -> dict[str, DecimatingHistory]:
        """The histories a checkpoint keeps, by name."""
        return {"loss": self.loss_history, "val": self.val_history, "grad": self.grad_history}

    def restore(self, histories: dict[str, tuple[np.ndarray, int, int]], events: list[Event]) -> None:
        """From a checkpoint: each history's (rows, stride, seen) and the events; the recent windows from the
        histories' last rows."""
        for name, history in self.histories().items():
            history.set_state(*histories[name])
        self.events = events
        for _, loss in self.loss_history.array()[-100:]:
            self.recent_loss.add(loss)
        val = self.val_history.array()  # [M, 2]
        self.last_val = float(val[-1, 1]) if len(val) else float("nan")
        for _, pre, post in self.grad_history.array()[-100:]:
            self.recent_clip.add(float(post < pre))

