"""Scrubbing: `,` `.` show recorded frames of the timeline while training goes on; End returns to live."""

from __future__ import annotations

import pytest

from rnnscope.ui.panels.gates import GatesPanel
from rnnscope.ui.panels.grad_norms import GradNormsPanel
from rnnscope.ui.panels.loss import LossPanel
from rnnscope.ui.review import REVIEW_EVENT
from tests.ui.app_harness import notifications, running_app, status_text, wait_until
from tests.ui.compare_harness import running_compare, side_text
from tests.ui.fake_source import FakeSource


def _shown_step(app) -> int:
    return app.query_one(GatesPanel).frame.probe.step


def _norms_step(app) -> int:
    return app.query_one(GradNormsPanel).frame.last_step.step


@pytest.mark.slow
async def test_review_shows_an_older_frame_while_the_step_counter_goes_on(tmp_path):
    source = FakeSource(paused=False, step=10, run_dir=tmp_path)
    async with running_app(source) as (app, pilot):
        await wait_until(pilot, lambda: source.step >= 16, "six recorded steps")
        await pilot.press("comma")
        reviewed = _shown_step(app)
        assert reviewed < app.latest.probe.step
        await pilot.press("comma", "comma")
        assert _shown_step(app) == reviewed - 2  # one step a frame in this fake run
        assert f"REVIEW step {reviewed - 2} (frame {reviewed - 2 - 10 + 1} of" in status_text(app)
        assert app.query_one(LossPanel).frame.events[-1].step == reviewed - 2  # the loss curve's marker
        assert _norms_step(app) == reviewed - 2  # the gradient norms recorded with that frame, not the live ones
        step_then = source.step
        await wait_until(pilot, lambda: source.step >= step_then + 3 and f"step {source.step}" in status_text(app),
                         "training to go on")
        assert _shown_step(app) == reviewed - 2 and "REVIEW" in status_text(app)  # still the reviewed frame
        await pilot.press("full_stop")
        assert _shown_step(app) == reviewed - 1
        await pilot.press("end")
        await wait_until(pilot, lambda: _shown_step(app) == app.latest.probe.step, "the live probe")
        assert "REVIEW" not in status_text(app) and _norms_step(app) == app.latest.last_step.step
        assert all(e.label != REVIEW_EVENT for e in app.query_one(LossPanel).frame.events)


@pytest.mark.slow
async def test_review_back_to_the_first_frame_and_forward_past_the_newest_is_live(tmp_path):
    source = FakeSource(paused=True, step=5, run_dir=tmp_path)
    async with running_app(source) as (app, pilot):
        for _ in range(3):
            await pilot.press("n")
            await wait_until(pilot, lambda: app.latest.probe.step == source.step, "the step")
        await pilot.press(*["comma"] * 6)  # more presses than frames: stays at the first
        assert _shown_step(app) == 5 and "(frame 1 of 4)" in status_text(app)
        await pilot.press(*["full_stop"] * 3)
        assert _shown_step(app) == 8 and "REVIEW" in status_text(app)
        await pilot.press("full_stop")
        assert "REVIEW" not in status_text(app) and _shown_step(app) == 8


async def test_review_without_a_timeline_is_a_notice(tmp_path):
    source = FakeSource(paused=True, step=5, run_dir=None)
    source.run_dir = tmp_path / "nothing here"  # the status names a folder with no timeline
    async with running_app(source) as (app, pilot):
        await pilot.press("comma")
        await wait_until(pilot, lambda: notifications(app, "warning"), "a notice")
        assert "no timeline" in notifications(app, "warning")[0] and "REVIEW" not in status_text(app)


@pytest.mark.slow
async def test_compare_review_moves_both_runs_to_the_same_step(tmp_path):
    source_a = FakeSource(paused=True, step=20, run_dir=tmp_path / "a")
    source_b = FakeSource(paused=True, step=20, model="gru", run_dir=tmp_path / "b")
    async with running_compare(source_a, source_b) as (app, pilot):
        for _ in range(3):
            await pilot.press("n")
            await wait_until(pilot, lambda: all(app.frames[s].probe.step == 20 + _ + 1 for s in "ab"), "both steps")  # noqa: B023 (called at once, inside the loop)
        await pilot.press("comma", "comma")
        await pilot.pause()
        shown = {side: app.dashboard.side_panels(side)[0].frame.probe.step for side in "ab"}
        assert shown == {"a": 21, "b": 21}
        assert "REVIEW step 21" in side_text(app, "a") and "REVIEW step 21" in side_text(app, "b")
        await pilot.press("end")
        await pilot.pause()
        assert "REVIEW" not in side_text(app, "a")
