"""The per-unit lesson evidence: embedding groups, the LSTM's key units on a recall probe, sample diversity."""

import numpy as np
import pytest

from rnnscope.lessons import checks
from rnnscope.lessons.unit_evidence import (
    char_entropy,
    distinct_ngram_ratio,
    embedding_evidence,
    gate_evidence,
    sample_evidence,
)

VOCAB = list("aeioubcdfgABCD.,!")


def _embedding(spread: float, seed: int = 0) -> np.ndarray:
    """One random centre per character group, each character at `spread` noise around its centre."""
    rng = np.random.default_rng(seed)
    centres = {group: rng.normal(size=8) for group in ("v", "c", "u", "p")}
    group_of = {**dict.fromkeys("aeiou", "v"), **dict.fromkeys("bcdfg", "c"), **dict.fromkeys("ABCD", "u"),
                **dict.fromkeys(".,!", "p")}
    return np.stack([centres[group_of[ch]] + spread * rng.normal(size=8) for ch in VOCAB])  # [V, 8]


def test_grouped_embeddings_have_a_low_ratio_and_random_ones_about_one():
    grouped = embedding_evidence(_embedding(0.2), VOCAB)
    scattered = embedding_evidence(np.random.default_rng(1).normal(size=(len(VOCAB), 8)), VOCAB)
    assert grouped["groups"] == ["vowels", "consonants", "upper-case", "punctuation"]
    assert grouped["ratio"] < 0.3 and grouped["neighbour_same"] == 1.0
    assert grouped["neighbour_chance"] == pytest.approx((5 * 4 + 5 * 4 + 4 * 3 + 3 * 2) / (17 * 16))
    assert 0.8 < scattered["ratio"] < 1.2 and scattered["neighbour_same"] < 0.5
    assert checks.encoding({"step": 9, "extra": {"embedding": scattered, "readout": grouped}}).ok
    assert checks.encoding({"step": 9, "extra": {"embedding": grouped, "readout": scattered}}).ok is False


def test_a_vocabulary_with_one_group_cannot_show_the_property():
    found = embedding_evidence(np.eye(4), list("abcd"))
    assert found["ratio"] is None
    assert checks.encoding({"step": 0, "extra": {"embedding": found, "readout": found}}).ok is False


PROBE = "k" + "." * 6 + "=k"  # T = 8 characters read: key at 0, filler 1..6, '=' at 7


def _lstm_arrays(forget_level: float, output_at_cue: float) -> tuple[np.ndarray, np.ndarray]:
    """gates [4, T, H], cell [T, H] of a 3-unit LSTM run by the cell equation c_t = f c_{t-1} + i g.

    Unit 0 stores the key (input 1, candidate 0.8 at t = 0, nothing after) and keeps it with forget
    gate `forget_level`; its output gate is 0.1 over the filler and `output_at_cue` at '='. Units 1
    and 2 store nothing (input gate shut).
    """
    steps, units = len(PROBE) - 1, 3
    gates = np.zeros((4, steps, units))
    gates[0, 0, 0], gates[2, 0, 0] = 1.0, 0.8
    gates[1] = forget_level
    gates[3] = 0.1
    gates[3, steps - 1, 0] = output_at_cue
    cell = np.zeros((steps, units))
    previous = np.zeros(units)
    for t in range(steps):
        previous = gates[1, t] * previous + gates[0, t] * gates[2, t]
        cell[t] = previous
    return gates, cell


def test_a_unit_that_stores_holds_and_outputs_the_key_is_named():
    found = gate_evidence(*_lstm_arrays(0.99, 0.9), PROBE)
    assert found["holding"] == 1 and found["cue_at"] == 7 and found["key"] == "k"
    unit = found["units"][0]
    assert unit["unit"] == 0 and unit["input_at_key"] == 1.0
    assert unit["forget_over_filler"] == pytest.approx(0.99)
    assert unit["cell_kept"] == pytest.approx(0.99 ** 6)
    assert (unit["output_over_filler"], unit["output_at_cue"]) == (pytest.approx(0.1), 0.9)


def _gates_run(found, accuracy=0.95):
    memory = {"task": {"by_distance": [{"distance": 30, "accuracy": accuracy, "items": 64}]}}
    return {"step": 100, "memory": memory, "extra": {"gates": found}}


def test_the_lstm_gates_check_breaks_when_forget_closes_or_output_stays_shut():
    assert checks.lstm_gates(_gates_run(gate_evidence(*_lstm_arrays(0.99, 0.9), PROBE))).ok
    leaky = gate_evidence(*_lstm_arrays(0.5, 0.9), PROBE)  # the forget gate lets the key go
    assert leaky["holding"] == 0 and checks.lstm_gates(_gates_run(leaky)).ok is False
    shut = gate_evidence(*_lstm_arrays(0.99, 0.1), PROBE)  # held, but never read out
    assert checks.lstm_gates(_gates_run(shut)).ok is False
    untrained = gate_evidence(*_lstm_arrays(0.99, 0.9), PROBE)
    assert checks.lstm_gates(_gates_run(untrained, accuracy=0.3)).ok is False


def test_sample_diversity_measures():
    assert distinct_ngram_ratio("abcabcabc", 3) == pytest.approx(3 / 7)
    assert distinct_ngram_ratio("abcdefg", 3) == 1.0
    assert char_entropy("aaaa") == 0.0 and char_entropy("abab") == pytest.approx(np.log(2))
    found = sample_evidence({1.5: "abcdefgh", 0.5: "abababab"})
    assert found["temperatures"] == [0.5, 1.5] and found["texts"] == ["abababab", "abcdefgh"]  # the samples kept
    assert found["distinct"] == [pytest.approx(2 / 6), 1.0]
