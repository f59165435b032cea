"""Helpers for tests that read panels as a person's terminal draws them."""

from __future__ import annotations

from rnnscope.ui.panels import FramePanel


def truecolor(app) -> None:
    """Draw as a person's terminal does (half blocks: two units per line); the test console has no colours."""
    for panel in app.query(FramePanel):
        panel.color_system_override = "truecolor"
        panel.refresh()


def lines_of(panel: FramePanel) -> list[str]:
    """The panel's lines as text, at its size now."""
    width, height = panel.size
    return ["".join(s.text for s in line) for line in panel.lines(width, height, panel.looked_up_styles()[1])][:height]


def cut_lines(app) -> list[tuple[str, str]]:
    """(panel title, line) of every line a shown panel draws wider than itself (the terminal would cut it)."""
    cut = []
    for panel in app.query(FramePanel):
        if panel.display and panel.size.width and not panel.has_class("-off-page"):
            cut += [(panel.title, line) for line in lines_of(panel) if len(line) > panel.size.width]
    return cut
