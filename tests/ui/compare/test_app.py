"""The compare screen on two fake sources: both runs shown with what differs, the selection key routes the
setting keys to the selected run only, space and n reach both, the view moves on both sides, e goes to A."""

from __future__ import annotations

import pytest

from rnnscope.contracts import commands
from rnnscope.ui.compare.dashboard import SIDE_PANELS, CompareDashboard
from rnnscope.ui.panels.loss_overlay import LossOverlayPanel
from tests.ui.compare_harness import after_keys, running_compare, side_text
from tests.ui.fake_source import FakeSource


async def test_both_runs_are_shown_with_their_panels_and_one_loss_panel():
    a, b = FakeSource(step=100), FakeSource(step=100, model="gru")
    async with running_compare(a, b) as (app, pilot):
        assert side_text(app, "a").startswith(" A ") and side_text(app, "b").startswith(" B: model gru ")
        verdict = app.frames["b"].probe.layers[0].metrics.verdict.upper()
        assert "step 100" in side_text(app, "a") and side_text(app, "b").endswith(verdict)
        dashboard = app.query_one(CompareDashboard)
        for side in ("a", "b"):
            panels = dashboard.side_panels(side)
            assert [type(p) for p in panels] == list(SIDE_PANELS)
            assert all(p.frame is app.frames[side] and p.region.area > 0 for p in panels)
        assert dashboard.side_panels("a")[0].frame.status.config.model == "lstm"
        assert dashboard.side_panels("b")[0].frame.status.config.model == "gru"
        overlay = app.query(LossOverlayPanel)
        assert len(overlay) == 1 and overlay.first().frame == (app.frames["a"], app.frames["b"])
        assert "selected:  A " in app.query_one("#status").render().plain


SETTING_KEYS = [("c", commands.ToggleClip()), ("left_square_bracket", commands.ScaleClip(0.5)),
                ("i", commands.NextInit()), ("a", commands.ToggleActivation()), ("m", commands.NextModel()),
                ("r", commands.Reset())]


@pytest.mark.slow
@pytest.mark.parametrize(("key", "command"), SETTING_KEYS, ids=[k for k, _ in SETTING_KEYS])
async def test_setting_keys_reach_the_selected_run_only(key, command):
    a, b = FakeSource(), FakeSource()
    async with running_compare(a, b) as (app, pilot):
        await after_keys(pilot, [a], key)
        assert a.received == [command] and b.received == []
        await pilot.press("s")
        assert app.selected == "b" and "selected:  B " in app.query_one("#status").render().plain
        assert app.query_one("#side-b").has_class("-selected") and not app.query_one("#side-a").has_class("-selected")
        await after_keys(pilot, [b], key)
        assert a.received == [command] and b.received == [command]


async def test_clip_toggle_shows_on_the_selected_side_only():
    a, b = FakeSource(), FakeSource()
    async with running_compare(a, b) as (app, pilot):
        await pilot.press("s")
        await after_keys(pilot, [b], "c")
        assert "clip off" in side_text(app, "b") and "clip off" not in side_text(app, "a")


async def test_space_and_n_reach_both_runs():
    a, b = FakeSource(step=7), FakeSource(step=7)
    async with running_compare(a, b) as (app, pilot):
        await after_keys(pilot, [a, b], "n")
        assert a.received == b.received == [commands.Step()]
        assert "step 8" in side_text(app, "a") and "step 8" in side_text(app, "b")
        await after_keys(pilot, [a, b], "space")
        assert a.received[-1] == b.received[-1] == commands.TogglePause()
        assert "RUNNING" in side_text(app, "a") and "RUNNING" in side_text(app, "b")


async def test_space_pauses_the_running_run_when_the_other_has_diverged():
    a, b = FakeSource(paused=False), FakeSource(diverged=True)
    async with running_compare(a, b) as (app, pilot):
        await after_keys(pilot, [a], "space")
        assert a.received == [commands.TogglePause()] and b.received == []
        await after_keys(pilot, [a, b], "space")  # none running: both go on (B tries again)
        assert b.received == [commands.TogglePause()]


async def test_e_goes_to_a_which_leads_the_paired_export_and_g_to_both():
    a, b = FakeSource(), FakeSource()
    async with running_compare(a, b) as (app, pilot):
        await after_keys(pilot, [a], "e")
        assert len(a.export_svgs) == 1 and a.export_svgs[0].startswith("<svg") and b.received == []
        await after_keys(pilot, [a, b], "g")
        assert a.received[-1] == b.received[-1] == commands.NewSample()


async def test_cursor_unit_and_layer_move_together():
    a, b = FakeSource(layers=2), FakeSource(layers=2, model="gru")
    async with running_compare(a, b) as (app, pilot):
        for key in ("right", "right", "down", "l"):
            await pilot.press(key)
        await pilot.pause()
        views = [p.view for side in ("a", "b") for p in app.query_one(CompareDashboard).side_panels(side)]
        assert views[0].cursor_t == 2 and views[0].unit == 1 and views[0].layer == 1
        assert all(view == views[0] for view in views)


@pytest.mark.slow
async def test_small_terminal_pages_show_a_beside_b():
    a, b = FakeSource(), FakeSource()
    async with running_compare(a, b, size=(100, 30)) as (app, pilot):
        dashboard = app.query_one(CompareDashboard)
        assert dashboard.paged
        shown = [p for p in app.query("FramePanel") if p.region.area > 0]
        assert [p.title for p in shown] == ["gates", "gates"]
        assert shown[0].region.x < shown[1].region.x and shown[0].frame is app.frames["a"]
        assert shown[0].region.height == shown[1].region.height > 30 // 2  # each run the page's height
        await pilot.press("4")
        await pilot.pause()
        assert [p.title for p in app.query("FramePanel") if p.region.area > 0] == ["memory", "memory"]
        await pilot.press("5")  # the gradients page holds the flow and the norms now: five pages
        await pilot.pause()
        assert [p.title for p in app.query("FramePanel") if p.region.area > 0] == ["loss"]
