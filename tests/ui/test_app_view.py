"""Keys that change what is looked at (cursor, unit, rows, order, layer) reach the panels, not the engine."""

from __future__ import annotations

import pytest
from textual.widgets import Markdown

from rnnscope.ui.help_screen import HelpScreen
from rnnscope.ui.keymap import ALL_KEYS
from rnnscope.ui.panels import FramePanel
from rnnscope.ui.render.window import unit_order
from rnnscope.ui.view_state import ViewState
from tests.ui.app_harness import after_command, running_app, wait_until
from tests.ui.fake_source import FakeSource


def panel_views(app) -> set[ViewState]:
    return {panel.view for panel in app.query(FramePanel)}


@pytest.mark.slow
async def test_arrows_move_the_time_cursor_and_the_unit_in_every_panel():
    source = FakeSource(T=24, H=40)
    async with running_app(source) as (app, pilot):
        await pilot.press("right", "right", "right", "left", "down", "down")
        await pilot.pause()
        assert (app.view.cursor_t, app.view.unit) == (2, 2)
        assert panel_views(app) == {app.view}
        assert source.received == []


@pytest.mark.slow
async def test_cursor_stops_at_the_ends_of_the_probe():
    async with running_app(FakeSource(T=6)) as (app, pilot):
        await pilot.press(*["right"] * 10)
        assert app.view.cursor_t == 5
        await pilot.press(*["left"] * 10)
        assert app.view.cursor_t == 0


async def test_page_keys_scroll_the_unit_rows():
    async with running_app(FakeSource(H=64)) as (app, pilot):
        page = app.dashboard.unit_page()  # the units the heatmaps on screen show
        await pilot.press("pagedown", "pagedown")
        assert app.view.unit_offset == 2 * page
        await pilot.press("pageup")
        assert app.view.unit_offset == page


async def test_unit_order_and_layer_keys():
    source = FakeSource(layers=2)
    async with running_app(source) as (app, pilot):
        await pilot.press("u")
        assert app.view.unit_order == "active"
        await pilot.press("l")
        assert app.view.layer == 1
        await pilot.press("l")
        assert app.view.layer == 0
        await pilot.pause()
        assert panel_views(app) == {app.view}


@pytest.mark.slow
async def test_help_lists_every_key_and_scrolls():
    source = FakeSource()
    async with running_app(source, (100, 30)) as (app, pilot):
        await pilot.press("question_mark")
        await pilot.pause()
        text = app.screen.query_one(Markdown).source
        assert all(entry.help in text for entry in ALL_KEYS)
        scroll = app.screen.query_one("#help-scroll")
        assert scroll.max_scroll_y > 0
        await pilot.press("pagedown")
        await pilot.pause()
        assert scroll.scroll_y > 0
        await pilot.press("space", "q")  # the dashboard's keys do not act behind the help screen
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)
        assert app.is_running and app.view.unit_offset == 0 and source.received == []


async def test_activity_order_opens_at_its_top_and_keeps_its_ranking_until_u_again():
    source = FakeSource(H=64)
    async with running_app(source, (160, 48)) as (app, pilot):
        ranked = unit_order(app.latest.probe.layers[0].hidden, "active").tolist()
        await pilot.press("u")
        assert (app.view.unit_offset, app.view.unit) == (0, ranked[0])  # rank 1, selected, at the top
        await after_command(pilot, source, "n")  # a new probe: other activities
        await wait_until(pilot, lambda: app.latest.probe.step == 101, "the next probe")
        newer = unit_order(app.latest.probe.layers[0].hidden, "active").tolist()
        assert newer != ranked
        assert app.shown_unit_order() == ranked  # the rows stay where they were
        await pilot.press("u", "u")  # ranked again, on this probe
        assert app.shown_unit_order() == newer and app.view.unit == newer[0]
