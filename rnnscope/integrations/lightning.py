"""A Lightning callback that drives a Scope: gradient norms before the optimizer step, a step after each batch.

    from rnnscope.integrations.lightning import ScopeCallback
    trainer = Trainer(callbacks=[ScopeCallback(Scope(model.rnn, "runs/exp1", probe=probe))])
"""

from __future__ import annotations

try:
    from lightning.pytorch import Callback
except ImportError:
    try:
        from pytorch_lightning import Callback
    except ImportError:
        raise ImportError("rnnscope.integrations.lightning needs Lightning: pip install lightning "
                          "(or call scope.grads / scope.step from your own loop)") from None


class ScopeCallback(Callback):
    """Calls scope.grads in on_before_optimizer_step (unscaled gradients, before Lightning clips them) and
    scope.step with the batch's loss after the training batch that stepped the optimizer, both with the number of
    optimizer steps before it (Lightning counts the step at once: the batch's end sees one more); closes the scope
    when training ends."""

    def __init__(self, scope) -> None:
        super().__init__()
        self.scope = scope
        self.stepping: int | None = None  # the optimizer step this batch takes (None while accumulating)

    def on_before_optimizer_step(self, trainer, pl_module, optimizer) -> None:
        self.stepping = trainer.global_step
        self.scope.grads(self.stepping)

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx) -> None:
        if self.stepping is None:
            return
        loss = outputs.get("loss") if isinstance(outputs, dict) else outputs
        self.scope.step(self.stepping, loss=loss)
        self.stepping = None

    def on_train_end(self, trainer, pl_module) -> None:
        self.scope.close()

    def on_exception(self, trainer, pl_module, exception) -> None:
        self.scope.close()
