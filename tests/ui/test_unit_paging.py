"""Unit paging matches the rows drawn and keeps the selected unit on screen (index order and most active first)."""

from __future__ import annotations

import contextlib

import numpy as np
import pytest

from rnnscope.lessons import find_lesson
from rnnscope.ui.app import make_app
from rnnscope.ui.panels import GatesPanel
from rnnscope.ui.panels.heatmap_panel import HeatmapPanel
from rnnscope.ui.render.window import unit_order
from tests.ui.app_harness import wait_until
from tests.ui.fake_source import FakeSource
from tests.ui.panel_text import lines_of, truecolor


@contextlib.asynccontextmanager
async def lesson_app(size=(160, 48)):
    source = FakeSource(step=1190, H=64, T=22)
    app = make_app(lambda: source, run_label="test", lesson=find_lesson("lstm-gates"))
    async with app.run_test(size=size) as pilot:
        await wait_until(pilot, lambda: app.latest is not None and app.latest.probe is not None, "the first probe")
        truecolor(app)
        await pilot.pause()
        yield app, pilot


async def test_page_down_scrolls_by_the_units_drawn():
    async with lesson_app() as (app, pilot):
        pages = [panel.page_units() for panel in app.query(HeatmapPanel)]
        page = min(pages)
        assert page != 16 and app.dashboard.unit_page() == page
        await pilot.press("pagedown")
        assert app.view.unit_offset == page
        gates = app.query_one(GatesPanel)
        assert f"units {page}-{2 * page - 1} of 64" in lines_of(gates)[0]
        await pilot.press("pageup")
        assert app.view.unit_offset == 0


@pytest.mark.slow
async def test_the_selected_unit_stays_on_screen():
    async with lesson_app() as (app, pilot):
        for _ in range(21):
            await pilot.press("down")
        assert app.view.unit == 21
        page = app.dashboard.unit_page()
        assert app.view.unit_offset <= 21 < app.view.unit_offset + page
        marked = [line for line in lines_of(app.query_one(GatesPanel)) if "▸" in line[:4]]
        assert marked and all(line.split("▸")[0].strip() == "20" for line in marked)  # units 20 and 21 share a line


@pytest.mark.slow
async def test_down_in_activity_order_walks_the_order_shown():
    async with lesson_app() as (app, pilot):
        await pilot.press("u")
        order = unit_order(app.latest.probe.layers[0].hidden, "active").tolist()
        assert np.all(np.diff(np.mean(np.abs(app.latest.probe.layers[0].hidden), axis=0)[order]) <= 0)
        start = 0  # the most active unit is selected, at the top
        assert app.view.unit_offset == 0 and app.view.unit == order[0]
        await pilot.press("down")
        assert app.view.unit == order[start + 1]
        gates = lines_of(app.query_one(GatesPanel))
        marked = [line[:6] for line in gates if line[5:6] == "▸"]
        assert marked and all(str(app.view.unit) in label.strip(" ▸").split("/") for label in marked)
        for _ in range(5):
            await pilot.press("pageup")
        assert app.view.unit_offset == 0
        assert lines_of(app.query_one(GatesPanel))[1][:5].strip() == f"{order[0]}/{order[1]}"  # both labelled


async def test_the_gates_page_at_100x30_uses_the_width_for_the_scales():
    source = FakeSource(step=1190, H=128, T=64)
    app = make_app(lambda: source, run_label="test")
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: app.latest is not None and app.latest.probe is not None, "the first probe")
        truecolor(app)
        await pilot.pause()
        gates = app.query_one(GatesPanel)
        lines = lines_of(gates)
        assert gates.page_units() >= 10  # was 8: the block headers moved beside the rows
        rows = [line for line in lines if "▀" in line]
        assert max(len(line.rstrip()) for line in rows) >= 4 + 64 + 1 + 18  # the scales sit right of the 64 columns
        assert any("input (store)" in line and "▀" in line for line in lines)
