"""The compare screen at 160x48 as a person reads it: each side's status line shows its own settings, the
heatmaps show enough units, the loss panel separates the runs."""

from __future__ import annotations

import contextlib

from rnnscope.ui.compare_app import CompareApp
from rnnscope.ui.source_link import SourceLink
from tests.ui.app_harness import wait_until
from tests.ui.compare_harness import after_keys, caught_up, side_text
from tests.ui.fake_source import FakeSource


@contextlib.asynccontextmanager
async def compare_on(a: FakeSource, b: FakeSource, differs: str, size=(160, 48)):
    app = CompareApp({"a": SourceLink(lambda: a), "b": SourceLink(lambda: b)}, differs=differs, run_label="test")
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
