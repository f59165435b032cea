"""What an rnnscope run's timeline frames record beside the probe (rnnscope.storage.timeline.recorder): the losses,
the memory, and the meta: settings, vocabulary, the last step's gradient norms, the latest units analysis."""

from __future__ import annotations

import math

from rnnscope.contracts.config import RunConfig
from rnnscope.contracts.engine_surface import EngineSurface
from rnnscope.storage.timeline.frame_meta import FrameMeta
from rnnscope.storage.timeline.recorder import Beside, TimelineRecorder
from rnnscope.storage.timeline.units_meta import units_meta


def engine_recorder(engine: EngineSurface) -> TimelineRecorder:
    """The engine's recorder (a hook: every new probe goes to RUN_DIR/timeline/), its notices the engine's."""
    config = engine.config
    return TimelineRecorder(engine.run_dir, f"rnnscope {config.model} {config.layers}x{config.hidden}",
                            lambda text: engine.notify("warning", text), beside=EngineBeside())


class EngineBeside:
    """`beside(engine)`: the frame's losses, memory and meta; the units' meta entry is made once per analysis."""

    def __init__(self) -> None:
        self._units: tuple = (None, None)  # the last units analysis recorded and its meta entry

    def __call__(self, engine: EngineSurface) -> Beside:
        parts = engine.parts()
        val = parts["val_history"].array()  # [M, 2]
        train_loss = parts["status"].train_loss
        return Beside(train_loss=train_loss if math.isfinite(train_loss) else None,
                      val_loss=float(val[-1, 1]) if len(val) and math.isfinite(val[-1, 1]) else None,
                      memory=parts["memory"], meta=self._meta(engine.config, parts))

    def _meta(self, config: RunConfig, parts: dict) -> FrameMeta:
        """The settings, the vocabulary, the last step's gradient norms (what --attach shows beside the probe) and the
        latest units analysis (rnnscope.storage.timeline.units_meta)."""
        stats, grads = parts["last_step"], {}
        if stats is not None and math.isfinite(stats.total_pre):
            grads = dict(grad_step=stats.step, grad_norms=stats.grad_norms, grad_total=stats.total_pre,
                         grad_norms_post=stats.grad_norms_post, grad_total_post=stats.total_post,
                         clipped=stats.clipped)
        units = parts["units"]
        if units is not None and self._units[0] is not units:
            self._units = (units, units_meta(units))
        return FrameMeta(model=config.model, clip=config.clip or 0.0, init=config.init, vocab=tuple(parts["vocab"]),
                         units=self._units[1] if units is not None else None, **grads)
