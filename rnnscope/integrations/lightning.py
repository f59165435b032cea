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
    scope.step with the batch's loss after each training batch; closes the scope when training ends."""

    def __init__(self, scope) -> None:
        super().__init__()
        self.scope = scope

    def on_before_optimizer_step(self, trainer, pl_module, optimizer) -> None:
        self.scope.grads(trainer.global_step)

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx) -> None:
        loss = outputs.get("loss") if isinstance(outputs, dict) else outputs
        self.scope.step(trainer.global_step, loss=loss)

    def on_train_end(self, trainer, pl_module) -> None:
        self.scope.close()

    def on_exception(self, trainer, pl_module, exception) -> None:
        self.scope.close()
