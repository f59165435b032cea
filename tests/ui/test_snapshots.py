"""SVG snapshots of the dashboard at 160x48, 100x30 and too small (fake frames, seeded, paused)."""

from __future__ import annotations

import pytest

from rnnscope.ui.app import RnnscopeApp, make_app
from tests.ui.app_harness import wait_until
from tests.ui.fake_source import FakeSource


def snapshot_app(**source_options) -> RnnscopeApp:
    return make_app(lambda: FakeSource(T=48, H=32, V=30, **source_options), run_label="snapshot")


async def first_frame_painted(pilot) -> None:
    await wait_until(pilot, lambda: pilot.app.painted[0] is not None, "the first frame on screen")
    await pilot.wait_for_scheduled_animations()


def test_dashboard_160x48(snap_compare):
    assert snap_compare(snapshot_app(), terminal_size=(160, 48), run_before=first_frame_painted)


def test_diverged_vanilla_rnn_160x48(snap_compare):
    app = snapshot_app(model="rnn-relu", diverged=True)
    assert snap_compare(app, terminal_size=(160, 48), run_before=first_frame_painted)


@pytest.mark.slow
def test_first_page_100x30(snap_compare):
    assert snap_compare(snapshot_app(), terminal_size=(100, 30), run_before=first_frame_painted)


@pytest.mark.slow
def test_gradients_page_100x30(snap_compare):
    async def on_gradients_page(pilot) -> None:
        await first_frame_painted(pilot)
        await pilot.press("3")
        await pilot.wait_for_scheduled_animations()

    assert snap_compare(snapshot_app(), terminal_size=(100, 30), run_before=on_gradients_page)


def test_too_small_50x15(snap_compare):
    assert snap_compare(snapshot_app(), terminal_size=(50, 15), run_before=first_frame_painted)


def test_compare_160x48(snap_compare):
    from tests.ui.compare_harness import compare_app

    async def both_painted(pilot) -> None:
        await wait_until(pilot, lambda: all(pilot.app.frames.values()) and pilot.app.painted[0] is not None
                         and None not in pilot.app.painted[0], "both runs on screen")
        await pilot.wait_for_scheduled_animations()

    app = compare_app(FakeSource(T=48, H=32, V=30), FakeSource(T=48, H=32, V=30, model="gru"), "B: model gru")
    assert snap_compare(app, terminal_size=(160, 48), run_before=both_painted)
