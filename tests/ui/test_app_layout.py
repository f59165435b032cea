"""Layout by terminal size: the whole grid at 160x48, pages at 100x30, a clear notice below 60x20; zoom."""

from __future__ import annotations

import pytest

from rnnscope.ui.dashboard import PAGES, page_of
from rnnscope.ui.key_bar import KeyBar
from rnnscope.ui.panels import ALL_PANELS, FramePanel
from rnnscope.ui.too_small import TooSmall, too_small_message
from tests.ui.app_harness import running_app
from tests.ui.fake_source import FakeSource


def visible_panels(app) -> list[str]:
    """Titles of the panels that are on screen with a usable area."""
    screen_region = app.screen.region
    return [
        panel.title
        for panel in app.query(FramePanel)
        if panel.display and panel.region.height >= 4 and screen_region.contains_region(panel.region)
    ]


async def test_every_panel_is_visible_at_once_at_160x48():
    async with running_app(FakeSource(), (160, 48)) as (app, pilot):
        assert sorted(visible_panels(app)) == sorted(panel.title for panel in ALL_PANELS)
        assert not app.query_one("#pages").display


async def test_the_key_bar_mounted_after_the_first_paint_lists_the_keys_on_one_row_at_160x48():
    from rnnscope.ui.key_bar import KeyBar

    async with running_app(FakeSource(), (160, 48)) as (app, pilot):
        bar = app.query_one(KeyBar)
        assert bar.region.y == 47 and bar.region.height == 1
        shown = bar.render().plain
        assert "quit" in shown and "pause" in shown


@pytest.mark.slow
async def test_at_100x30_every_panel_is_reachable_through_the_pages():
    async with running_app(FakeSource(), (100, 30)) as (app, pilot):
        assert app.query_one("#pages").display
        seen: set[str] = set()
        for index in range(len(PAGES)):
            await pilot.press(str(index + 1))
            shown = visible_panels(app)
            assert shown and all(page_of(title) == index for title in shown)
            seen.update(shown)
        assert seen == {panel.title for panel in ALL_PANELS}


async def test_page_keys_do_nothing_and_hide_from_the_footer_when_the_grid_fits():
    async with running_app(FakeSource(), (160, 48)) as (app, pilot):
        await pilot.press("3")
        assert app.dashboard.page == 0
        assert "page" not in [b.binding.description for b in app.screen.active_bindings.values() if b.enabled]


async def test_growing_the_terminal_brings_the_grid_back():
    async with running_app(FakeSource(), (100, 30)) as (app, pilot):
        await pilot.resize_terminal(160, 48)
        await pilot.pause()
        assert len(visible_panels(app)) == len(ALL_PANELS)


async def test_below_60x20_a_notice_replaces_the_dashboard():
    async with running_app(FakeSource(), (160, 48)) as (app, pilot):
        await pilot.resize_terminal(50, 15)
        await pilot.pause()
        assert visible_panels(app) == []
        notice = app.query_one(TooSmall)
        assert notice.display and notice.region.height > 0
        assert notice.render().plain == too_small_message(50, 15) == (
            "terminal too small (need at least 60x20, have 50x15)"
        )


async def test_zoom_fills_the_screen_with_the_focused_panel_and_back():
    async with running_app(FakeSource(), (160, 48)) as (app, pilot):
        await pilot.press("tab", "tab", "z")
        zoomed = app.screen.maximized
        assert isinstance(zoomed, FramePanel) and zoomed is app.screen.focused
        assert zoomed.region.width >= 150 and zoomed.region.height >= 40
        for bar in (app.status_bar, app.query_one(KeyBar)):  # the status line and the keys stay
            assert bar.display and bar.region.height > 0 and not bar.region.overlaps(zoomed.region)
        assert app.status_bar.region.y == 0  # the status line stays on top
        await pilot.press("z")
        assert app.screen.maximized is None
        assert len(visible_panels(app)) == len(ALL_PANELS)
