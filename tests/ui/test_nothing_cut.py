"""Read every panel as a person would: at 160x48 and on every page at 100x30, no line is wider than its panel."""

from __future__ import annotations

import pytest

from rnnscope.lessons import find_lesson
from rnnscope.ui.app import make_app
from tests.ui.app_harness import wait_until
from tests.ui.fake_source import FakeSource
from tests.ui.panel_text import cut_lines, truecolor


@pytest.mark.slow
@pytest.mark.parametrize("size", [(160, 48), (100, 30)])
@pytest.mark.parametrize(("model", "lesson"), [("lstm", None), ("rnn-tanh", "vanishing"), ("gru", None)])
async def test_no_panel_line_is_cut(size, model, lesson):
    source = FakeSource(step=1190, H=128, T=64, model=model)
    app = make_app(lambda: source, run_label="test", lesson=find_lesson(lesson) if lesson else None)
    async with app.run_test(size=size) as pilot:
        await wait_until(pilot, lambda: app.latest is not None and app.latest.probe is not None, "the first probe")
        truecolor(app)
        for page in range(len(app.dashboard.pages) if app.dashboard.paged else 1):
            app.dashboard.select_page(page)
            await pilot.pause()
            assert cut_lines(app) == []
