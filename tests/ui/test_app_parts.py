"""A panel is rebuilt only when a part it reads changed or its view did (counted, not timed)."""

from __future__ import annotations

import pytest

from rnnscope.ui.panels import (
    EncodingPanel,
    GatesPanel,
    GradNormsPanel,
    LossPanel,
    MemoryPanel,
    SamplePanel,
    StatePanel,
)
from tests.ui.app_harness import after_command, caught_up, running_app, wait_until
from tests.ui.fake_source import FakeSource

PROBE_PANELS = (GatesPanel, StatePanel, EncodingPanel)


def _builds(app) -> dict[type, int]:
    return {type(panel): panel.builds for panel in app.dashboard.panels}


async def _settled(pilot) -> None:
    await wait_until(pilot, lambda: caught_up(pilot.app), "the updates painted")
    await pilot.pause(0.1)  # the compositor asks for the lines


async def test_an_unchanged_probe_does_not_rebuild_the_probe_panels():
    source = FakeSource(step=100)
    async with running_app(source) as (app, pilot):
        await _settled(pilot)
        before = _builds(app)
        await after_command(pilot, source, "c")  # clip off: a new status, the same probe, sample, histories
        await _settled(pilot)
        after = _builds(app)
        assert after[GradNormsPanel] == before[GradNormsPanel] + 1  # it shows the clip threshold
        for panel in (*PROBE_PANELS, LossPanel, SamplePanel, MemoryPanel):
            assert after[panel] == before[panel], panel.__name__


@pytest.mark.slow
async def test_a_new_probe_or_a_view_change_rebuilds_only_its_readers():
    source = FakeSource(step=100)
    async with running_app(source) as (app, pilot):
        await _settled(pilot)
        before = _builds(app)
        await after_command(pilot, source, "n")  # one step: a new probe and a new loss row
        await _settled(pilot)
        stepped = _builds(app)
        for panel in (*PROBE_PANELS, LossPanel, MemoryPanel):  # the fake source measures memory at every step
            assert stepped[panel] == before[panel] + 1, panel.__name__
        await pilot.press("right")  # the time cursor: a view change
        await _settled(pilot)
        moved = _builds(app)
        assert moved[EncodingPanel] == stepped[EncodingPanel] + 1
        assert moved[LossPanel] == stepped[LossPanel] and moved[SamplePanel] == stepped[SamplePanel]
        assert moved[MemoryPanel] == stepped[MemoryPanel]
