"""Each lesson's check on evidence from real tiny runs: it holds on its own kind of run and fails on one built to break it."""

import pytest

from rnnscope.lessons import FAILS, HOLDS, UNJUDGEABLE, checks, find_lesson
from rnnscope.lessons.unit_evidence import SAMPLE_TEMPERATURES
from tests.lesson_fixtures import engine_evidence, run_evidence_of, trained_engine

FLOW = dict(hidden=48, seq_len=40)  # long enough for the flow to show its trend (as test_lecture_claims)
EXPLODES = dict(model="rnn-relu", init="identity", init_gain=1.2, optimizer="sgd", lr=0.1, hidden=48, seq_len=16)


def test_vanishing_holds_for_tanh_default_and_fails_for_relu_identity(tmp_path):
    tanh = run_evidence_of(tmp_path / "tanh", 10, model="rnn-tanh", **FLOW)
    relu = run_evidence_of(tmp_path / "relu", 10, model="rnn-relu", init="identity", **FLOW)
    holds, broken = checks.vanishing(tanh, settle=0), checks.vanishing(relu, settle=0)
    assert holds.ok and holds.numbers["decay_per_step"] < 0.9
    assert broken.ok is False and broken.numbers["decay_per_step"] > 0.9
    assert checks.vanishing(tanh, settle=11).ok is None  # not judged before it has trained a while


def test_the_vanishing_lesson_calls_an_lstm_override_unjudgeable(tmp_path):
    lstm = run_evidence_of(tmp_path, 5, model="lstm", **FLOW)
    lstm["settings"]["model"] = "lstm"
    assert find_lesson("vanishing").judge(lstm).status == UNJUDGEABLE


def test_exploding_holds_without_clipping_and_fails_with_it_or_with_tanh(tmp_path):
    off = run_evidence_of(tmp_path / "off", 20, **EXPLODES, clip=None)
    on = run_evidence_of(tmp_path / "on", 20, **EXPLODES, clip=1.0)
    tanh = run_evidence_of(tmp_path / "tanh", 20, model="rnn-tanh", optimizer="sgd", lr=0.1, clip=None, **FLOW)
    assert checks.exploding(off).ok and off["diverged"] is not None
    assert checks.exploding(on).ok is False  # the flow explodes at init, but clipping keeps the run alive
    assert checks.exploding(tanh).ok is False and checks.exploding(tanh).numbers["initial_decay_per_step"] < 1


def test_clipping_holds_for_on_versus_off_and_fails_when_both_clip(tmp_path):
    on = run_evidence_of(tmp_path / "on", 60, **EXPLODES, clip=1.0)
    off = run_evidence_of(tmp_path / "off", 60, **EXPLODES, clip=None)
    found = checks.clipping({"a": on, "b": off}, settle=0)
    assert found.ok, found.text
    assert found.numbers["on_max_post"] <= 1.0 + 1e-4 and found.numbers["on_loss"] < found.numbers["on_loss_first"]
    assert checks.clipping({"a": on, "b": on}, settle=0).ok is False


def test_clipping_fails_when_the_post_clip_norm_exceeds_the_threshold(tmp_path):
    on = run_evidence_of(tmp_path / "on", 60, **EXPLODES, clip=1.0)
    off = run_evidence_of(tmp_path / "off", 60, **EXPLODES, clip=None)
    on["settings"]["clip"] = 0.5  # the recorded post-clip norms (1.0) now break the claimed threshold
    assert checks.clipping({"a": on, "b": off}, settle=0).ok is False


def test_generation_holds_after_training_and_fails_untrained(tmp_path):
    def evidence(folder, steps):
        engine, initial_metrics = trained_engine(folder, steps, model="lstm", hidden=32, lr=0.01)
        return engine_evidence(engine, initial_metrics, {t: engine.draw_sample(t).text for t in SAMPLE_TEMPERATURES})

    trained, untrained = evidence(tmp_path / "trained", 60), evidence(tmp_path / "untrained", 0)
    holds, broken = checks.generation(trained, settle=0), checks.generation(untrained, settle=0)
    assert holds.ok, holds.text
    assert broken.ok is False, broken.text


def test_encoding_fails_on_an_untrained_embedding(tmp_path):
    found = checks.encoding(run_evidence_of(tmp_path, 0))
    readout = found.numbers["readout"]
    assert found.ok is False and readout["ratio"] > 0.9
    assert readout["neighbour_same"] < 1.6 * readout["neighbour_chance"]


def test_the_lesson_line_reads_holds_with_numbers(tmp_path):
    lesson = find_lesson("exploding")
    evidence = run_evidence_of(tmp_path, 20, **EXPLODES, clip=None)
    evidence["settings"].update(init_gain=1.2, optimizer="sgd")
    result = lesson.judge(evidence)
    assert result.status == HOLDS and result.line.startswith("holds: decay 1.")
    assert "diverged after step" in result.line


def _memory(*accuracy_by_distance):
    rows = [{"distance": d, "accuracy": a, "items": 64} for d, a in accuracy_by_distance]
    return {"context_curve": None, "task": {"name": "recall", "distance": [1, 30], "chance": 1 / 26,
                                            "by_distance": rows}}


def _recall_run(accuracy_at_30, **metrics):
    return {"step": 4000, "settings": {}, "memory": _memory((1, 1.0), (30, accuracy_at_30)),
            "metrics": [{"decay_per_step": 0.5, "cell_decay_per_step": None, **metrics}], "extra": {}}


@pytest.mark.parametrize("check", [checks.relu_identity, checks.long_memory])
def test_the_memory_comparisons_need_the_cure_to_recall_and_the_tanh_rnn_not_to(check):
    cure = _recall_run(0.97, decay_per_step=1.0, cell_decay_per_step=1.0)
    tanh = _recall_run(0.05, decay_per_step=0.3)
    assert check({"a": cure, "b": tanh}).ok
    assert check({"a": tanh, "b": cure}).ok is False  # the runs swapped: the claim breaks
    assert check({"a": cure, "b": cure}).ok is False


def test_long_memory_also_needs_a_healthy_cell_path():
    cure = _recall_run(0.97, decay_per_step=1.0, cell_decay_per_step=0.7)
    found = checks.long_memory({"a": cure, "b": _recall_run(0.05, decay_per_step=0.3)})
    assert found.ok is False and "lstm cell decay 0.7 < 0.9" in found.text


def test_a_failing_check_past_its_budget_says_fails(tmp_path):
    lesson = find_lesson("relu-identity")
    cure = {**_recall_run(0.4), "settings": {"task": "recall", "model": "rnn-relu", "init": "identity"}}
    tanh = {**_recall_run(0.05), "settings": {"task": "recall", "model": "rnn-tanh", "init": "default"}}
    result = lesson.judge({"a": cure, "b": tanh})
    assert result.status == FAILS
    assert "recalls 0.40 at distance 30, needs >= 0.9" in result.line and f"(step 4,000 of ~{lesson.steps:,})" in result.line
