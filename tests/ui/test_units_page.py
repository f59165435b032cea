"""The Units page (U): the ranked units of the latest frame, live; f sorts by a feature; enter moves the heatmaps'
unit cursor and layer to the selected unit; nothing is cut at 160x48 or 100x30."""

from __future__ import annotations

import pytest

from rnnscope.ui.panels.units import UnitsPanel
from rnnscope.ui.units_screen import UnitsScreen
from tests.ui.app_harness import running_app, wait_until
from tests.ui.fake_source import FakeSource
from tests.ui.panel_text import lines_of
from tests.units.fake_units import with_units


class UnitsSource(FakeSource):
    """A fake run whose frames carry a units analysis."""

    def frame(self):
        return with_units(super().frame())


@pytest.mark.parametrize("size", [(160, 48), (100, 30)])
async def test_the_units_page_names_the_planted_unit_and_nothing_is_cut(size):
    source = UnitsSource(layers=2, H=16, step=300)
    async with running_app(source, size) as (app, pilot):
        await pilot.press("U")
        await wait_until(pilot, lambda: isinstance(app.screen, UnitsScreen), "the Units page")
        panel = app.screen.query_one(UnitsPanel)
        lines = lines_of(panel)
        text = "\n".join(lines)
        assert "L1 c3" in lines[3] and "in_dquote" in lines[3]  # ranked first: the planted unit
        assert "+1.00" in lines[3]
        assert all(len(line) <= panel.size.width for line in lines)
        assert len(lines) <= panel.size.height and "def f(x)" in text.replace("↵", "\n")
        assert sum(line.startswith((" + ", " − ")) for line in lines) >= 4  # contexts both ways


async def test_f_sorts_by_a_feature_and_enter_moves_the_heatmaps_to_the_unit():
    source = UnitsSource(layers=2, H=16, step=300)
    async with running_app(source) as (app, pilot):
        await pilot.press("U")
        await wait_until(pilot, lambda: isinstance(app.screen, UnitsScreen), "the Units page")
        panel = app.screen.query_one(UnitsPanel)
        await pilot.press("f")
        assert panel.sort == 0 and "sorted by in_dquote" in lines_of(panel)[0]
        await pilot.press("F", "down")
        assert panel.sort == -1 and panel.selected == 1
        await pilot.press("up", "enter")
        await wait_until(pilot, lambda: not isinstance(app.screen, UnitsScreen), "the dashboard")
        assert (app.view.layer, app.view.unit) == (1, 3)


@pytest.mark.slow
async def test_the_page_follows_the_run_as_it_trains():
    source = UnitsSource(layers=1, H=16, step=20)
    async with running_app(source) as (app, pilot):
        await pilot.press("U")
        await wait_until(pilot, lambda: isinstance(app.screen, UnitsScreen), "the Units page")
        panel = app.screen.query_one(UnitsPanel)
        before = lines_of(panel)[0]
        await pilot.press("space")
        await wait_until(pilot, lambda: lines_of(panel)[0] != before, "a newer units analysis")
        assert "step" in lines_of(panel)[0]


async def test_on_the_compare_screen_the_page_shows_the_selected_run():
    from tests.ui.compare_harness import running_compare

    source_a, source_b = UnitsSource(step=300), UnitsSource(step=20)
    async with running_compare(source_a, source_b) as (app, pilot):
        await pilot.press("s", "U")
        await wait_until(pilot, lambda: isinstance(app.screen, UnitsScreen), "the Units page")
        panel = app.screen.query_one(UnitsPanel)
        assert lines_of(panel)[0].startswith("step 20 ")  # run B's analysis, not A's (step 300)
