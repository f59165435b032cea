"""The lesson panel on a fake run: the claim, the highlighted panels, the live check from the sent evidence; L."""

from __future__ import annotations

import dataclasses

import pytest

from rnnscope.lessons import find_lesson
from rnnscope.ui.app import make_app
from rnnscope.ui.lessons.lesson_list import LessonList
from rnnscope.ui.lessons.lesson_panel import LOOK_CLASS, LessonPanel
from tests.ui.app_harness import after_command, status_text, wait_until
from tests.ui.fake_source import FakeSource

VANISHING = find_lesson("vanishing")


class LessonSource(FakeSource):
    """A fake tanh run that sends vanishing-lesson evidence from step `first_check` on."""

    def __init__(self, first_check: int, **kwargs) -> None:
        super().__init__(model="rnn-tanh", **kwargs)
        self.first_check = first_check

    def frame(self):
        frame = super().frame()
        if self.step < self.first_check:
            return frame
        evidence = {"step": self.step, "settings": {"model": "rnn-tanh", "init": "default", "init_gain": 1.0},
                    "metrics": [{"decay_per_step": 0.55, "memory_horizon": 8.0, "sigma_max": 2.5}]}
        return dataclasses.replace(frame, lesson_evidence=evidence)


def _check_line(app) -> str:
    return app.query_one(LessonPanel).result.line


async def test_the_lesson_panel_shows_the_claim_and_the_check_turning_from_not_yet_to_holds():
    source = LessonSource(first_check=199, step=198)
    app = make_app(lambda: source, run_label="test", lesson=VANISHING)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(pilot, lambda: "step" in status_text(app), "the first frame")
        panel = app.query_one(LessonPanel)
        assert VANISHING.claim[:40] in str(panel.render())
        assert _check_line(app) == "not yet: waiting for the first check"
        await after_command(pilot, source, "n")  # step 199: evidence, but too early to judge
        assert _check_line(app).startswith("not yet: decay 0.55 < 0.9") and "judged after step 200" in _check_line(app)
        await after_command(pilot, source, "n")  # step 200
        assert _check_line(app) == "holds: decay 0.55 < 0.9, horizon 8 steps, sigma_max 2.50"
        looked = {panel.title for panel in app.dashboard.panels if panel.has_class(LOOK_CLASS)}
        assert looked == set(VANISHING.look_at) & {panel.title for panel in app.dashboard.panels}
        assert looked and "gates" not in looked


async def test_without_a_lesson_there_is_no_lesson_panel_and_nothing_is_highlighted():
    app = make_app(lambda: FakeSource(), run_label="test")
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(pilot, lambda: "step" in status_text(app), "the first frame")
        assert not app.query(LessonPanel)
        assert not any(panel.has_class(LOOK_CLASS) for panel in app.dashboard.panels)


@pytest.mark.slow
async def test_L_lists_the_lessons_escape_goes_back_and_enter_asks_for_the_chosen_one():
    source = LessonSource(first_check=0)
    app = make_app(lambda: source, run_label="test", lesson=VANISHING)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: "step" in status_text(app), "the first frame")
        await pilot.press("L")
        await wait_until(pilot, lambda: isinstance(app.screen, LessonList), "the lesson list")
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, LessonList), "the dashboard again")
        assert app.next_lesson is None and app.is_running
        await pilot.press("L")
        await wait_until(pilot, lambda: isinstance(app.screen, LessonList), "the lesson list")
        for _ in range(3):  # encoding, vanishing, exploding, clipping
            await pilot.press("down")
        await pilot.press("enter")
        await wait_until(pilot, lambda: not app.is_running, "the app to exit")
    assert app.next_lesson == "clipping"


def test_a_diverged_run_s_memory_reference_does_not_crash_the_memory_view():
    from rnnscope.ui.render.memory import reference_row

    assert reference_row(float("nan"), 4) == 3 and reference_row(1.0, 4) == 0


class RecallSource(FakeSource):
    """A fake run of the relu-identity lesson's side `side`, sending its recall evidence from step `first_check`."""

    def __init__(self, side: str, accuracy: float, first_check: int, **kwargs) -> None:
        super().__init__(**kwargs)
        self.settings = ({"task": "recall", "model": "rnn-relu", "init": "identity"} if side == "a"
                         else {"task": "recall", "model": "rnn-tanh", "init": "default"})
        self.accuracy, self.first_check = accuracy, first_check

    def frame(self):
        frame = super().frame()
        if self.step < self.first_check:
            return frame
        memory = {"task": {"by_distance": [{"distance": 20, "accuracy": self.accuracy, "items": 64}]}}
        evidence = {"step": self.step, "settings": self.settings, "memory": memory}
        return dataclasses.replace(frame, lesson_evidence=evidence)


async def test_a_compare_lesson_judges_both_runs_evidence_once_both_have_sent_it():
    from rnnscope.ui.compare.app import CompareApp
    from rnnscope.ui.source_link import SourceLink
    from tests.ui.compare_harness import caught_up

    lesson = find_lesson("relu-identity")
    sources = {"a": RecallSource("a", 1.0, first_check=100, step=100), "b": RecallSource("b", 0.03, 101, step=100)}
    app = CompareApp({side: SourceLink(lambda s=s: s) for side, s in sources.items()}, differs="B: rnn-tanh",
                     run_label="test", lesson=lesson)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(pilot, lambda: all(app.frames.values()) and caught_up(app), "both first frames")
        assert _check_line(app) == "not yet: waiting for the first check of run B"
        sources["b"].step = 101  # B's next frame carries its evidence
        await pilot.press("n")
        await wait_until(pilot, lambda: _check_line(app).startswith("holds"), "the check to hold")
        assert _check_line(app) == "holds: rnn-relu+identity recalls 1.00 at distance 20; rnn-tanh 0.03"


class GatesSource(FakeSource):
    """A fake LSTM on recall whose lstm-gates evidence names unit 5 as the one that stores the key."""

    def frame(self):
        frame = super().frame()
        unit = {"unit": 5, "input_at_key": 0.9, "forget_over_filler": 0.97, "cell_kept": 0.9,
                "output_over_filler": 0.1, "output_at_cue": 0.8}
        memory = {"task": {"by_distance": [{"distance": 20, "accuracy": 0.95, "items": 64}]}}
        evidence = {"step": self.step, "settings": {"task": "recall", "model": "lstm"}, "memory": memory,
                    "extra": {"gates": {"units": [unit], "holding": 1}}}
        return dataclasses.replace(frame, lesson_evidence=evidence)


async def test_a_lesson_selects_the_unit_its_check_names_with_the_cursor_at_the_key():
    source = GatesSource(step=500)
    app = make_app(lambda: source, run_label="test", lesson=find_lesson("lstm-gates"))
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(pilot, lambda: app.view.unit == 5, "the named unit selected")
        assert app.view.cursor_t == 0 and "unit 5" in _check_line(app)
        await pilot.press("down")  # the arrows move on from there: the next evidence does not pull it back
        await after_command(pilot, source, "n")
        assert app.view.unit == 6
