"""A Hugging Face Trainer callback that drives a Scope: gradient norms before each optimizer step, a step after it.

    from rnnscope.integrations.hf import ScopeCallback
    trainer = Trainer(..., callbacks=[ScopeCallback(Scope(model.rnn, "runs/exp1", probe=probe))])
"""

from __future__ import annotations

try:
    from transformers import TrainerCallback
except ImportError:
    raise ImportError("rnnscope.integrations.hf needs transformers: pip install transformers "
                      "(or call scope.grads / scope.step from your own loop)") from None


class ScopeCallback(TrainerCallback):
    """scope.grads in on_pre_optimizer_step (the Trainer has clipped by then: it offers no earlier hook), scope.step
    in on_step_end with the last logged loss (the Trainer logs a step's loss after on_step_end: the frame's loss is
    the one logged before, none at the first step), both with the number of optimizer steps before this one (the Trainer
    counts it before on_step_end), scope.close when training ends."""

    def __init__(self, scope) -> None:
        self.scope = scope
        self.loss: float | None = None  # the Trainer's last logged training loss

    def on_pre_optimizer_step(self, args, state, control, **kwargs):
        self.scope.grads(state.global_step)

    def on_log(self, args, state, control, logs=None, **kwargs):
        if logs and isinstance(logs.get("loss"), (int, float)):
            self.loss = float(logs["loss"])

    def on_step_end(self, args, state, control, **kwargs):
        self.scope.step(state.global_step - 1, loss=self.loss)

    def on_train_end(self, args, state, control, **kwargs):
        self.scope.close()
