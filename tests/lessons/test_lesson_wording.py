"""The lessons' words match the keys and the numbers: the exact key sequence, key advice in the dashboard (the
option headless), the vanishing check explained by tanh saturation, the long-memory promise the check keeps."""

from __future__ import annotations

import numpy as np

from rnnscope.contracts.config import INITS
from rnnscope.lessons import UNJUDGEABLE, checks, find_lesson
from rnnscope.lessons.lesson import parse_compare
from rnnscope.lessons.restore import key_advice
from rnnscope.lessons.unit_evidence import tanh_evidence
from rnnscope.ui.lessons.lesson_panel import live_check
from tests.lesson_fixtures import run_evidence_of

FLOW = {"hidden": 16, "seq_len": 16}


def _run(step: int, **settings) -> dict:
    return {"step": step, "settings": settings}


def test_the_vanishing_lesson_gives_the_key_sequence_that_reaches_identity():
    lesson = find_lesson("vanishing")
    steps = INITS.index("identity") - INITS.index("default")
    assert f"press i {steps} times (init identity)" in lesson.watch and "Press i (identity init)" not in lesson.watch
    assert lesson.press == " ".join(["i"] * steps) + ", then a"


def test_in_the_dashboard_an_unjudgeable_setting_is_explained_with_its_keys():
    lesson = find_lesson("vanishing")
    wanted = {k: lesson.preset[k] for k in lesson.requires}
    evidence = _run(50, **{**wanted, "init": "xavier"})
    on_screen = live_check(lesson, {"": evidence})
    assert on_screen.status == UNJUDGEABLE
    assert "press i 3 times: orthogonal → identity → default" in on_screen.line and "--init" not in on_screen.line
    headless = lesson.judge(evidence)
    assert "leave --init out" in headless.line  # the command line's words where there are no keys
    gain = live_check(lesson, {"": _run(50, **{**wanted, "init_gain": 1.5})})
    assert "restart the lesson without --init-gain" in gain.line  # no key sets the gain


def test_a_compare_lesson_says_which_run_to_select():
    lesson = find_lesson("long-memory")
    wanted = {k: lesson.preset[k] for k in lesson.requires}
    partner = {**wanted, **parse_compare(lesson.compare)}
    result = live_check(lesson, {"a": _run(10, **wanted), "b": _run(10, **{**partner, "model": "rnn-relu"})})
    assert result.status == UNJUDGEABLE
    assert "s selects run B, then press a (ReLU ↔ tanh) for rnn-tanh" in result.line


def test_key_advice_for_the_clip_keys():
    assert key_advice("clip", None, 1.0) == "press c: clipping off"
    assert key_advice("clip", 1.0, 4.0) == "press [ 2 times: clip 1"
    assert key_advice("clip", 1.0, 3.0) is None  # no sequence of halvings reaches it


def test_tanh_evidence_is_the_mean_slope_and_the_saturated_share():
    hidden = np.array([[0.0, 0.95], [-0.99, 0.5]])
    found = tanh_evidence(hidden)
    assert found["saturated"] == 0.5
    assert np.isclose(found["mean_slope"], np.mean(1 - hidden**2))


def test_the_vanishing_check_explains_a_sigma_above_one_with_saturation(tmp_path):
    run = run_evidence_of(tmp_path, 5, model="rnn-tanh", init_gain=3.0, **FLOW)
    sigma = float(run["metrics"][0]["sigma_max"])
    assert sigma > 1
    text = checks.vanishing(run, settle=0).text
    slope = run["extra"]["tanh"]["mean_slope"]
    assert f"sigma_max {sigma:.2f} > 1 but tanh saturates" in text and f"mean tanh' {slope:.2f}" in text


def test_the_long_memory_promise_is_what_the_check_accepts():
    lesson = find_lesson("long-memory")
    assert "stays healthy" not in lesson.watch and "does not vanish" in lesson.watch
    assert f">= {checks.VANISHING_BELOW}" in lesson.watch
    cell_exploding = 1.112  # a cell path the figure and the screen call exploding: the promise still holds
    metrics_a = [{"decay_per_step": 0.96, "cell_decay_per_step": cell_exploding}]
    metrics_b = [{"decay_per_step": 0.3}]
    memory = {"task": {"by_distance": [{"distance": 20, "accuracy": 1.0}]}}
    memory_b = {"task": {"by_distance": [{"distance": 20, "accuracy": 0.03}]}}
    found = checks.long_memory({"a": {"metrics": metrics_a, "memory": memory},
                                "b": {"metrics": metrics_b, "memory": memory_b}})
    assert found.ok and "lstm cell decay 1.11 >= 0.9" in found.text


def test_every_lesson_panel_fits_its_six_lines_at_160_columns():
    from rich.console import Console

    from rnnscope.lessons import LESSONS, CheckResult
    from rnnscope.ui.lessons.lesson_panel import LessonPanel

    width = 160 - 4  # the panel's border and padding
    for lesson in LESSONS:
        panel = LessonPanel(lesson)
        panel.result = CheckResult("holds", "holds: " + "9.99 " * 28)  # a long check line, ~145 characters
        lines = panel.text().wrap(Console(width=width), width)
        assert len(lines) <= 6, (lesson.name, len(lines))


def test_press_holds_keys_only():
    from rnnscope.lessons.catalog import LESSONS
    from rnnscope.ui.keymap import ALL_KEYS

    keys = {part for key in ALL_KEYS for part in (key.key, key.display, *(key.footer_key or "").split()) if part}
    keys |= {"←", "→", "↑", "↓", "then"}
    for lesson in LESSONS:
        words = lesson.press.replace(",", " ").split()
        assert words and set(words) <= keys, (lesson.name, set(words) - keys)


def test_vanishing_on_a_text_says_what_the_context_curve_shows_in_the_lesson_and_the_help():
    from rnnscope.contracts.states import SHORT_CONTEXT
    from rnnscope.ui.help_text import READING_GUIDE

    said = SHORT_CONTEXT.format(k=8)
    assert said in find_lesson("vanishing").watch and said in " ".join(READING_GUIDE.split())
