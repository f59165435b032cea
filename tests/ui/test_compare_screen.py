"""The compare screen at 160x48 as a person reads it: each side's status line shows its own settings, the
heatmaps show enough units, the loss panel separates the runs."""

from __future__ import annotations

import contextlib

import pytest

from rnnscope.lessons import find_lesson
from rnnscope.ui.compare.app import CompareApp
from rnnscope.ui.panels.heatmap_panel import HeatmapPanel
from rnnscope.ui.panels.loss_overlay import LossOverlayPanel
from rnnscope.ui.source_link import SourceLink
from tests.ui.app_harness import wait_until
from tests.ui.compare_harness import after_keys, caught_up, side_text
from tests.ui.fake_source import FakeSource
from tests.ui.panel_text import cut_lines, lines_of, truecolor


@contextlib.asynccontextmanager
async def compare_on(a: FakeSource, b: FakeSource, differs: str, size=(160, 48), lesson: str | None = None):
    app = CompareApp({"a": SourceLink(lambda: a), "b": SourceLink(lambda: b)}, differs=differs, run_label="test",
                     lesson=find_lesson(lesson) if lesson else None)
    async with app.run_test(size=size) as pilot:
        await wait_until(pilot, lambda: all(app.frames.values()) and caught_up(app), "both first frames")
        yield app, pilot


async def test_b_status_shows_its_clip_state_before_and_after_c():
    a, b = FakeSource(step=1190, H=64, T=64), FakeSource(step=1190, H=64, T=64, model="rnn-tanh")
    async with compare_on(a, b, "B: model rnn-tanh") as (app, pilot):
        assert "clip 1" in side_text(app, "b"), side_text(app, "b")
        await pilot.press("s")
        await after_keys(pilot, [b], "c")
        assert "clip off" in side_text(app, "b") and "clip off" not in side_text(app, "a"), side_text(app, "b")


@pytest.mark.parametrize("lesson", [None, "long-memory"])
async def test_heatmaps_show_at_least_six_units_per_gate_at_160x48(lesson):
    a, b = FakeSource(step=1190, H=64, T=22), FakeSource(step=1190, H=64, T=22, model="rnn-tanh")
    async with compare_on(a, b, "B: model rnn-tanh", lesson=lesson) as (app, pilot):
        truecolor(app)
        await pilot.pause()
        for side in ("a", "b"):
            for panel in app.dashboard.side_panels(side):
                if isinstance(panel, HeatmapPanel):  # beside a lesson the states give two lines to the gradient norms
                    wanted = 4 if lesson and panel.title == "cell & hidden state" else 6
                    assert panel.page_units() >= wanted, (side, panel.title, panel.size)
                    assert f"0-{panel.page_units() - 1} of 64" in lines_of(panel)[0]
        flow = lines_of(app.dashboard.side_panels("a")[2])
        assert flow[-1].startswith("cell: ") and flow[-1].rstrip().endswith(
            app.frames["a"].probe.layers[0].metrics.cell_verdict.upper()), flow


async def test_memory_bars_keep_three_rows_beside_a_lesson():
    a, b = FakeSource(step=1190, H=64, T=22), FakeSource(step=1190, H=64, T=22, model="rnn-tanh")
    async with compare_on(a, b, "B: model rnn-tanh", lesson="long-memory") as (app, pilot):
        memory = lines_of(app.dashboard.side_panels("a")[4])
        bar_rows = [line for line in memory if set(line[6:]) & set("█▇▆▅▄▃▂▁")]
        assert len(bar_rows) >= 3, memory
        assert memory[0].startswith("3.3") and bar_rows[-1].startswith("0 "), memory  # labelled top and bottom


async def test_the_loss_panel_gives_the_plot_the_rows_it_saved():
    a, b = FakeSource(step=1190, H=64, T=22), FakeSource(step=1190, H=64, T=22, model="rnn-tanh")
    async with compare_on(a, b, "B: model rnn-tanh") as (app, pilot):
        overlay = app.query_one(LossOverlayPanel)
        assert overlay.outer_size.height <= 8
        shown = lines_of(overlay)
        legend = next(line for line in shown if line.startswith("A train"))
        assert " B train " in legend  # both runs' losses on one line: three rows of plot in six


@pytest.mark.slow
@pytest.mark.parametrize("size", [(160, 48), (100, 30)])
async def test_no_panel_line_is_cut_in_the_compare_lesson(size):
    a, b = FakeSource(step=1190, H=64, T=22), FakeSource(step=1190, H=64, T=22, model="rnn-tanh")
    async with compare_on(a, b, "B: model rnn-tanh", size=size, lesson="long-memory") as (app, pilot):
        truecolor(app)
        for page in range(len(app.dashboard.pages) if app.dashboard.paged else 1):
            app.dashboard.select_page(page)
            await pilot.pause()
            assert cut_lines(app) == []


@pytest.mark.slow
async def test_at_100x30_b_status_still_shows_its_clip_state():
    a, b = FakeSource(step=1190, H=64, T=22), FakeSource(step=1190, H=64, T=22, model="rnn-tanh")
    async with compare_on(a, b, "B: model rnn-tanh", size=(100, 30), lesson="long-memory") as (app, pilot):
        await pilot.press("s")
        await after_keys(pilot, [b], "c")
        assert "clip off" in side_text(app, "b"), side_text(app, "b")
        gates = [panel for panel in app.dashboard.side_panels("a") if isinstance(panel, HeatmapPanel)][0]
        truecolor(app)
        await pilot.pause()
        assert gates.page_units() >= 6  # A beside B: each run gets the page's height
