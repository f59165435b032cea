"""The Units page (U): the ranked units of the latest frame, live; f sorts by a feature; enter moves the heatmaps'
unit cursor and layer to the selected unit; / finds similar spans; nothing is cut at 160x48 or 100x30."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from rnnscope.contracts.units import Emergence
from rnnscope.ui.panels.units import UnitsPanel
from rnnscope.ui.render.similar import similar_spans
from rnnscope.ui.units_screen import UnitsScreen
from tests.ui.app_harness import running_app, wait_until
from tests.ui.fake_source import FakeSource
from tests.ui.panel_text import lines_of
from tests.units.fake_units import TEXT, make_units, with_units


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
        assert lines_of(panel)[0].startswith("run B (s switches) · step 20 ")  # run B's analysis, not A's (step 300)
        await pilot.press("s")
        assert lines_of(panel)[0].startswith("run A (s switches) · step 300 ")  # s switches, the page follows


async def test_slash_finds_the_spans_where_the_selected_unit_is_on_again():
    source = UnitsSource(layers=2, H=16, step=300)
    async with running_app(source) as (app, pilot):
        await pilot.press("U")
        await wait_until(pilot, lambda: isinstance(app.screen, UnitsScreen), "the Units page")
        panel = app.screen.query_one(UnitsPanel)
        await pilot.press("slash")
        lines = lines_of(panel)
        head = next(i for i, line in enumerate(lines) if line.startswith("similar "))
        assert "L1 c3 jointly > 0.5" in lines[head] and "strongest context" in lines[head]
        starts = [int(line.split("@")[1].split()[0]) for line in lines[head + 1:] if line.startswith("  1.00 @")]
        quotes = [i for i in range(len(TEXT)) if TEXT.startswith('"a (b)"', i) and i < 2048]  # the planted unit's spans
        assert len(starts) >= 3 and set(starts) <= set(quotes[1:])  # the query (the first) itself left out
        assert all(len(line) <= panel.size.width for line in lines)
        await pilot.press("down", "x", "up", "x")  # two units marked: random rank-2 noise is not jointly on with it
        assert len(panel.marked) == 2 and "+" in lines_of(panel)[head]


def test_find_similar_takes_its_query_from_the_probe_at_the_time_cursor():
    frame = UnitsSource(layers=2, H=16, step=300).frame()
    units = frame.units
    planted = int(units.order[0])
    cell = np.zeros_like(frame.probe.layers[1].cell)  # [T, H]
    cell[5:9, 3] = 1.0  # on over 4 characters of the probe
    probe = dataclasses.replace(frame.probe, layers=(frame.probe.layers[0],
                                                     dataclasses.replace(frame.probe.layers[1], cell=cell)))
    found = similar_spans(units, [planted], 0.5, probe, cursor=6)
    assert (found.source, found.query) == ("probe", (5, 8 + 1))
    assert found.matches and all(overlap == pytest.approx(4 / 6) for _, _, overlap in found.matches)
    assert similar_spans(units, [planted], 0.5, probe, cursor=20).source == "analysis"  # off there: its context


class EmergingSource(UnitsSource):
    """Frames whose analysis has seen in_dquote emerge at step 6 and depth_paren at step 8 (once reached)."""

    def frame(self):
        frame = super().frame()
        emerged = tuple(Emergence(name, 1, "c", 3, 0.9, step) for name, step in (("in_dquote", 6), ("depth_paren", 8))
                        if step <= frame.status.step)
        return dataclasses.replace(frame, units=dataclasses.replace(frame.units, emerged=emerged))


async def test_in_review_the_page_shows_the_units_the_reviewed_frame_recorded(tmp_path):
    source = EmergingSource(layers=2, H=16, step=5, paused=True, run_dir=tmp_path)
    async with running_app(source) as (app, pilot):
        for step in (6, 7, 8):
            await pilot.press("n")
            await wait_until(pilot, lambda: app.latest.probe.step == step, "the step")  # noqa: B023 (called at once)
        await pilot.press("U")
        await wait_until(pilot, lambda: isinstance(app.screen, UnitsScreen), "the Units page")
        panel = app.screen.query_one(UnitsPanel)
        assert lines_of(panel)[0].startswith("step 8 · ")  # live
        await pilot.press("comma")
        title = lines_of(panel)[0]
        assert title.startswith("step 7 · as recorded: the top units and each feature's best")
        assert "in_dquote c3 @ 6" in lines_of(panel)[1] and "@ 8" not in lines_of(panel)[1]  # emerged by then
        recorded = make_units(7, 16, 2, seed=7)
        best = recorded.order[0]  # the recorded ranking's first is the analysis's first
        assert recorded.name(best) in lines_of(panel)[3] and f"{recorded.score(best):+.2f}" in lines_of(panel)[3]
        await pilot.press("slash")
        assert any("keeps no strip" in line for line in lines_of(panel))
        await pilot.press("end")
        assert lines_of(panel)[0].startswith("step 8 · ")
