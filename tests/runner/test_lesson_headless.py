"""`rnnscope --lesson NAME --headless`: one JSON line whose evidence is the exported snapshot's, exit codes."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest

from rnnscope.cli import main
from rnnscope.contracts import commands
from rnnscope.lessons import find_lesson
from rnnscope.lessons.unit_evidence import SAMPLE_TEMPERATURES
from tests.core_fixtures import tiny_engine, write_corpus

TINY = ["--hidden", "16", "--embed", "8", "--seq-len", "16", "--batch", "4", "--val-every", "2", "--threads", "1"]


def _lesson(capsys, tmp_path: Path, name: str, *extra: str) -> tuple[int, dict]:
    corpus = write_corpus(tmp_path)
    code = main(["--lesson", name, "--headless", str(corpus), "--run-dir", str(tmp_path / "run"), *TINY, *extra])
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1
    return code, json.loads(lines[0])


def test_the_verdict_is_printed_and_stored_in_the_snapshot_with_the_same_numbers(capsys, tmp_path):
    code, out = _lesson(capsys, tmp_path, "vanishing", "--steps", "4")
    assert code == (0 if out["holds"] else 1)
    assert out["lesson"] == "vanishing" and out["claim"] == find_lesson("vanishing").claim
    assert out["steps"] == 4 and out["status"] in ("holds", "fails")  # the budget --steps 4 is spent
    meta = json.loads((Path(out["snapshot"]) / "meta.json").read_text())
    assert meta["step"] == out["steps"]
    assert meta["lesson"]["evidence"] == out["evidence"] and meta["lesson"]["line"] == out["line"]
    assert out["evidence"]["metrics"] == meta["metrics"]  # read back from the snapshot, not recomputed
    assert out["numbers"]["decay_per_step"] == meta["metrics"][0]["decay_per_step"]


def test_an_override_of_a_setting_the_claim_needs_is_unjudgeable_without_training(capsys, tmp_path):
    code, out = _lesson(capsys, tmp_path, "vanishing", "--model", "lstm")
    assert code == 1 and out["status"] == "unjudgeable" and out["steps"] == 0
    assert "model is lstm, the lesson needs rnn-tanh" in out["line"]


@pytest.mark.slow
def test_a_compare_lesson_exports_both_runs_and_the_figure(capsys, tmp_path):
    code, out = _lesson(capsys, tmp_path, "clipping", "--steps", "3", "--optimizer", "adam")
    assert code == 1 and out["status"] == "unjudgeable"  # --optimizer is one of the settings clipping needs
    code, out = _lesson(capsys, tmp_path, "clipping", "--steps", "3")
    assert set(out["evidence"]) == {"a", "b"} and Path(out["snapshot"]).is_file()
    for side in "ab":
        meta = json.loads((Path(out["snapshots"][side]) / "meta.json").read_text())
        assert meta["lesson"]["evidence"][side]["metrics"] == meta["metrics"]
    assert out["evidence"]["a"]["settings"]["clip"] == 1.0 and out["evidence"]["b"]["settings"]["clip"] is None


def test_the_engine_keeps_the_largest_gradient_norm_of_every_step(tmp_path):
    engine = tiny_engine(tmp_path, clip=0.5)
    for _ in range(6):
        engine.train_step()
    rows = engine.frame().grad_norm_history  # [6, 3]
    assert engine.grad_max == (rows[:, 1].max(), rows[:, 2].max())
    assert np.isclose(engine.grad_max[1], 0.5) or engine.grad_max[1] < 0.5


def test_a_diverged_side_does_not_hold_the_pair_at_its_step():
    lesson = find_lesson("clipping")
    a = {"step": 10, "settings": {}, "diverged": None}
    b = {"step": 1, "settings": {}, "diverged": 2}
    from rnnscope.lessons.lesson import _step

    assert _step({"a": a, "b": b}) == 10 and _step({"a": {**a, "diverged": 11}, "b": b}) == 10
    assert lesson.steps > 10


def test_an_engine_of_a_lesson_sends_its_evidence_at_init_and_at_each_validation(tmp_path):
    from rnnscope.lessons.lesson_run import attach_lesson

    engine = tiny_engine(tmp_path, lesson="vanishing", val_every=3, model="rnn-tanh")
    engine.budget.budget = 1e9  # room for evidence at every validation (the budget's own test is below)
    attach_lesson(engine)  # whoever builds an engine for a lesson attaches its tracker
    assert engine.parts()["lesson_evidence"] is None
    engine.train_step()
    at_init = engine.parts()["lesson_evidence"]
    assert at_init["step"] == 0 and at_init["initial_metrics"] == at_init["metrics"]
    for _ in range(3):
        engine.train_step()
    evidence = engine.parts()["lesson_evidence"]
    assert evidence["step"] == 3 and evidence["initial_metrics"] == at_init["initial_metrics"]
    assert find_lesson("vanishing").judge(evidence).status in ("not yet", "holds")
    assert engine.frame().lesson_evidence == evidence
    (tmp_path / "plain").mkdir()
    assert attach_lesson(plain := tiny_engine(tmp_path / "plain")) is None
    plain.train_step()
    assert "lesson_evidence" not in plain.parts() and plain.frame().lesson_evidence is None


def test_a_lesson_s_samples_leave_the_screen_s_sample_and_temperature_alone(tmp_path):
    from rnnscope.lessons.lesson_run import attach_lesson

    engine = tiny_engine(tmp_path, lesson="generation", val_every=2)
    engine.budget.budget = 1e9  # room for evidence at every validation
    tracker = attach_lesson(engine)
    shown = engine.new_sample(0.7)
    for _ in range(2):
        engine.train_step()
    assert set(tracker.samples) == set(SAMPLE_TEMPERATURES) and tracker.evidence["step"] == 2
    assert engine.sample is shown and engine.temperature == 0.7 and engine.status().temperature == 0.7


def test_new_weights_take_the_lesson_s_initial_metrics_again_before_the_next_step(tmp_path):
    from rnnscope.lessons.lesson_run import attach_lesson

    engine = tiny_engine(tmp_path, lesson="exploding", val_every=1)
    engine.budget.budget = 1e9  # room for evidence at every validation
    tracker = attach_lesson(engine)
    engine.train_step()
    first = tracker.initial_metrics
    assert tracker.evidence["step"] == engine.step == 1
    engine.apply(commands.NextInit())  # other weights, the same step
    assert tracker.initial_metrics is None and engine.parts()["lesson_evidence"]["initial_metrics"] == first
    assert tracker.current(engine)["initial_metrics"] != first  # the evidence of the old weights is not reused
    engine.train_step()
    assert tracker.evidence["initial_metrics"] == tracker.initial_metrics != first
    assert tracker.evidence["step"] == 2 and tracker.current(engine) is tracker.evidence


def test_a_task_run_reads_its_task_and_distance_from_meta_json():
    from rnnscope.lessons.evidence import run_evidence

    meta = {"step": 5, "task": {"name": "recall", "distance": [1, 20]}, "memory": None, "vocab": ["a", "b"]}
    settings = run_evidence(meta)["settings"]
    assert settings["task"] == "recall" and settings["distance"] == [1, 20]
    assert run_evidence({**meta, "task": None})["settings"]["task"] is None


def test_a_lesson_run_s_figure_is_titled_with_its_claim(tmp_path):
    from rnnscope.exporting.figure import claim_lines
    from tests.fake_frames import make_frame

    frame = make_frame()
    assert claim_lines(frame) == []
    lesson = find_lesson("long-memory")
    titled = dataclasses.replace(frame, status=dataclasses.replace(
        frame.status, config=frame.status.config.with_(lesson=lesson.name)))
    assert " ".join(claim_lines(titled)) == lesson.claim


def test_a_lesson_s_evidence_at_a_validation_waits_for_room_in_the_side_budget(tmp_path):
    from rnnscope.lessons.lesson_run import attach_lesson

    engine = tiny_engine(tmp_path, lesson="generation", val_every=1)
    tracker = attach_lesson(engine)
    engine.train_step()  # the evidence at the initial weights: start-up, not charged
    engine.budget.budget = 0.0  # no room: probe, memory and three samples each validation would be side work
    for _ in range(3):
        engine.train_step()
    assert tracker.evidence["step"] == 0 and not tracker.fresh(engine)
    assert engine.budget.spent["sample"] == 0 and engine.budget.spent["lesson"] == 0
    engine.budget.budget = 1e9  # room
    engine.train_step()
    assert tracker.fresh(engine) and engine.budget.spent["lesson"] > 0 and engine.budget.spent["sample"] > 0
