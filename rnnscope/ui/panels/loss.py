"""LossPanel: train/val loss curves with a marker at every toggle and re-initialisation."""

from __future__ import annotations

from rnnscope.contracts.frames import Frame
from rnnscope.ui.panels.base import FramePanel, part_version, waiting_for_step, watched
from rnnscope.ui.render.accents import Accents
from rnnscope.ui.render.lines import Line
from rnnscope.ui.render.loss import WAITING_LOSS, render_loss
from rnnscope.ui.view_state import ViewState


class LossPanel(FramePanel):
    """Braille line plot of the loss history (nats; bpc in the legend) and the run's events."""

    title = "loss"
    needs_probe = False

    def inputs(self, frame: Frame, view: ViewState) -> tuple:
        parts = tuple(part_version(frame, name) for name in ("loss_history", "val_history", "events"))
        return (*parts, frame.status.best_val, frame.status.state, frame.status.review)

    def build(self, frame: Frame, view: ViewState, width: int, height: int, color_system: str | None,
              accents: Accents) -> list[Line]:
        # a watched model: its loss's units are its own, not nats per character, and no key marks an event
        best = frame.status.best_val
        return render_loss(frame.loss_history, frame.val_history, frame.events, width, height, accents,
                           own_model=not watched(frame), best_step=None if best is None else best[0],
                           waiting=waiting_for_step(frame, WAITING_LOSS))
