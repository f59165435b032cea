"""The lessons as data: the catalog, the judging rule (holds / not yet / fails / unjudgeable), the merge rule."""

import dataclasses

import pytest

from rnnscope.contracts.config import RunConfig
from rnnscope.lessons import FAILS, HOLDS, LESSONS, NOT_YET, UNJUDGEABLE, find_lesson, lesson_names
from rnnscope.lessons.catalog import ENCODING, FLOW, GATES, LOSS, MEMORY, NORMS, PROBE, SAMPLE, SIGMA, STATES
from rnnscope.lessons.lesson import Finding, parse_compare
from rnnscope.lessons.presets import lesson_settings

LECTURE_ORDER = ["encoding", "vanishing", "exploding", "clipping", "relu-identity", "lstm-gates", "long-memory",
                 "generation", "music", "interpretable-cells"]  # music: the lab (PRODUCT.md section 14)
PANELS = {GATES, STATES, FLOW, NORMS, LOSS, SIGMA, PROBE, ENCODING, SAMPLE, MEMORY}
MEMORY_SETTINGS = {"task", "distance", "forget_bias"}  # RunConfig gains these with the memory tasks
COMPARE_KEYS = {"model", "hidden", "embed", "layers", "lr", "optimizer", "clip", "init", "init_gain", "forget_bias",
                "seed"}


def test_the_lessons_follow_the_lecture():
    assert lesson_names() == LECTURE_ORDER


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.name)
def test_each_lesson_is_complete_and_its_preset_is_a_valid_run(lesson):
    assert 20 < len(lesson.claim) < 400 and lesson.claim.count(". ") <= 3
    assert lesson.look_at and set(lesson.look_at) <= PANELS
    assert lesson.press and lesson.steps > 0
    plain = {k: v for k, v in lesson.preset.items() if k not in MEMORY_SETTINGS}
    config = RunConfig(**plain).validate()
    if lesson.compare is not None:
        changes = parse_compare(lesson.compare)
        assert set(changes) <= COMPARE_KEYS
        plain_b = {k: v for k, v in changes.items() if k not in MEMORY_SETTINGS}
        config.with_(**plain_b).validate()
    if lesson.preset.get("task") == "recall":
        low, high = lesson.preset["distance"]
        assert 1 <= low <= high and high + 3 <= config.seq_len  # MAX fits one training window
    assert set(lesson.requires) <= set(lesson.preset)


def test_parse_compare_types_values_and_reads_clip_0_as_off():
    assert parse_compare("model=rnn-tanh,init=default") == {"model": "rnn-tanh", "init": "default"}
    assert parse_compare("clip=0, lr=0.01 ,hidden=64") == {"clip": None, "lr": 0.01, "hidden": 64}
    assert parse_compare("forget-bias=1") == {"forget_bias": 1}


def _run(step, **settings):
    return {"step": step, "settings": settings}


def _lesson(**changes):
    """The vanishing lesson with a check that answers what the evidence's "answer" says."""
    lesson = find_lesson("vanishing")
    return dataclasses.replace(lesson, check=lambda ev: Finding(ev["answer"], "decay 0.5", {"decay": 0.5}),
                               **changes)


def test_judging_turns_a_no_into_not_yet_before_the_budget_and_fails_after_it():
    lesson = _lesson()
    preset = {k: lesson.preset[k] for k in lesson.requires}
    early = lesson.judge({**_run(10, **preset), "answer": False})
    late = lesson.judge({**_run(lesson.steps, **preset), "answer": False})
    holds = lesson.judge({**_run(10, **preset), "answer": True})
    too_early = lesson.judge({**_run(lesson.steps + 5, **preset), "answer": None})
    assert (early.status, early.line) == (NOT_YET, f"not yet: decay 0.5 (step 10 of ~{lesson.steps:,})")
    assert late.status == FAILS and late.line.startswith("fails: decay 0.5 (step")
    assert (holds.status, holds.line, holds.evidence) == (HOLDS, "holds: decay 0.5", {"decay": 0.5})
    assert holds.holds and not early.holds
    assert too_early.status == FAILS  # "too early" past the budget is still a failure


def test_an_override_of_a_setting_the_claim_needs_makes_it_unjudgeable():
    lesson = _lesson()
    preset = {k: lesson.preset[k] for k in lesson.requires}
    result = lesson.judge({**_run(500, **{**preset, "model": "lstm"}), "answer": True})
    assert result.status == UNJUDGEABLE
    assert "model is lstm, the lesson needs rnn-tanh" in result.line and "--model" in result.line
    assert lesson.judge({**_run(500, **{**preset, "hidden": 64}), "answer": True}).status == HOLDS


def test_a_comparison_checks_both_runs_settings_and_counts_the_slower_step():
    lesson = find_lesson("clipping")
    wanted = {k: lesson.preset[k] for k in lesson.requires}
    lesson = dataclasses.replace(lesson, check=lambda ev: Finding(False, "x", {}))
    both = {"a": _run(700, **wanted), "b": _run(10, **{**wanted, "clip": None})}
    assert lesson.judge(both).status == NOT_YET  # B is at step 10
    both["b"]["settings"]["clip"] = 1.0  # the user turned B's clipping on: no longer the comparison
    result = lesson.judge(both)
    assert result.status == UNJUDGEABLE and "run B's clip is 1.0, the lesson needs off" in result.line


def test_missing_numbers_mean_not_yet_not_a_crash():
    lesson = find_lesson("long-memory")
    wanted = {k: lesson.preset[k] for k in lesson.requires}
    partner = {**wanted, **parse_compare(lesson.compare)}
    both = {"a": {**_run(5, **wanted), "metrics": [], "memory": None},
            "b": {**_run(5, **partner), "metrics": [], "memory": None}}
    result = lesson.judge(both)
    assert result.status == NOT_YET and "recall accuracy" in result.line


def test_flags_override_the_preset_and_a_corpus_replaces_the_task():
    lesson = find_lesson("long-memory")
    merged = lesson_settings(lesson, {"hidden": 32, "seed": 2})
    assert merged["hidden"] == 32 and merged["seed"] == 2 and merged["task"] == "recall"
    assert merged["model"] == lesson.preset["model"]
    on_corpus = lesson_settings(lesson, {"corpus": "my.txt"})
    assert on_corpus["corpus"] == "my.txt" and "task" not in on_corpus and "distance" not in on_corpus
    on_task = lesson_settings(find_lesson("vanishing"), {"task": "recall"})
    assert on_task["task"] == "recall" and "corpus" not in on_task


def test_the_lessons_load_neither_torch_nor_the_ui():
    from tests.test_boundary import _modules_loaded_by

    loaded = _modules_loaded_by(["rnnscope.lessons", "rnnscope.lessons.presets", "rnnscope.lessons.cli"])
    assert "rnnscope" in loaded and "numpy" in loaded  # it sees what was really imported
    assert not loaded & {"torch", "textual", "rich"}
