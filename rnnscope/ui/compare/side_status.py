"""One run's status line in a compare: its label (what differs), state, step, losses, then the rest that fits,
and the gradient-flow verdict; the selected run's line is highlighted (compare.tcss)."""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from rnnscope.contracts.frames import Frame
from rnnscope.ui.status_bar import SEPARATOR, fit_status

VERDICT_STYLES = {"vanishing": "bold dodger_blue1", "healthy": "bold green3", "exploding": "bold red1"}


def verdict_of(frame: Frame | None, layer: int = 0) -> str | None:
    """The gradient-flow verdict of the frame's probe at `layer` (None before the first probe)."""
    if frame is None or frame.probe is None or not frame.probe.layers:
        return None
    return frame.probe.layers[min(layer, len(frame.probe.layers) - 1)].metrics.verdict


class SideStatus(Widget):
    """`A` or `B: clip off`, then the run's facts cut to fit, the verdict last."""

    def __init__(self, label: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.label = label
        self.frame: Frame | None = None
        self.shown_layer = 0

    def show(self, frame: Frame, layer: int) -> None:
        if frame is not self.frame or layer != self.shown_layer:
            self.frame, self.shown_layer = frame, layer
            self.refresh()

    def render(self) -> Text:
        head = Text(f" {self.label} ", style="bold reverse")
        verdict = verdict_of(self.frame, self.shown_layer)
        tail = Text(f"{SEPARATOR}{verdict.upper()}", style=VERDICT_STYLES.get(verdict, "bold")) if verdict else Text()
        status = self.frame.status if self.frame is not None else None
        line = fit_status(status, max(self.size.width - head.cell_len - tail.cell_len - 1, 1), compact=True)
        if status is not None and "clip" not in line.plain:  # a narrow side: the clip state (c [ ]) before the verdict
            tail = Text()
            line = fit_status(status, max(self.size.width - head.cell_len - 1, 1), compact=True)
        return Text.assemble(head, " ", line, tail)
