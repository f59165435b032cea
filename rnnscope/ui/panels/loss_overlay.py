"""LossOverlayPanel: a compare's one loss panel, both runs' curves and validation points on one plot."""

from __future__ import annotations

import numpy as np

from rnnscope.contracts.frames import Frame
from rnnscope.ui.panels.base import FramePanel, part_version
from rnnscope.ui.render.accents import Accents
from rnnscope.ui.render.lines import Line
from rnnscope.ui.render.loss_overlay import Curves, render_loss_overlay
from rnnscope.ui.view_state import ViewState

HISTORIES = ("loss_history", "val_history", "events")
NO_ROWS = np.empty((0, 2))


class LossOverlayPanel(FramePanel):
    """Shows a pair of frames, (A, B), either None until its run sends its first status."""

    title = "loss"
    needs_probe = False

    def inputs(self, frames: tuple[Frame | None, Frame | None], view: ViewState) -> tuple:
        return tuple(None if f is None else tuple(part_version(f, n) for n in HISTORIES) for f in frames)

    def build(self, frames: tuple[Frame | None, Frame | None], view: ViewState, width: int, height: int,
              color_system: str | None, accents: Accents) -> list[Line]:
        styles = ((accents.train, accents.val), (accents.train_b, accents.val_b))
        runs = [Curves(name, f.loss_history if f is not None else NO_ROWS, f.val_history if f is not None else NO_ROWS,
                       f.events if f is not None else (), *style)
                for name, f, style in zip("AB", frames, styles)]
        return render_loss_overlay(runs, width, height, accents)
