"""A model with hand-set weights whose cell 0 integrates a quote toggle exactly is found first, with r >= 0.99,
under inside-double-quotes; the analysis pass equals PyTorch's own LSTM; a hostile user pattern is refused."""

import time

import numpy as np
import pytest
import torch

from rnnscope.contracts.config import RunConfig
from rnnscope.training.model import build_model
from rnnscope.units.analysis import analyse, linear_scan
from rnnscope.units.ranking import rank_units, text_features
from rnnscope.units.user_features import match_feature

BIG = 30.0  # saturates a sigmoid to 1 (or 0) in float32


def _planted_model(vocab: list[str]):
    """An LSTM of 6 units: unit 0's cell keeps its value except at `"`, where it flips between 0 and 1; the other
    units have small random weights."""
    torch.manual_seed(0)
    model = build_model(RunConfig(hidden=6, embed=4), len(vocab))
    quote = vocab.index('"')
    with torch.no_grad():
        for p in model.parameters():
            p.mul_(0.3)
        model.embedding.weight[:, 0] = 0.0
        model.embedding.weight[quote, 0] = 1.0  # x_0: is the character a quote
        w_ih, w_hh, b = model.rnn.weight_ih_l0, model.rnn.weight_hh_l0, model.rnn.bias_ih_l0
        hidden = 6
        for gate in range(4):  # unit 0 reads nothing but the quote bit and its own h
            w_ih[gate * hidden, :] = 0.0
            w_hh[gate * hidden, :] = 0.0
        model.rnn.bias_hh_l0[[0, hidden, 2 * hidden, 3 * hidden]] = 0.0
        # input gate: open at a quote only when h_{t-1} is low (the string was closed): 0.1 - h, and -BIG elsewhere
        w_ih[0, 0], w_hh[0, 0], b[0] = BIG, -4 * BIG, 0.4 * BIG - BIG
        w_ih[hidden, 0], b[hidden] = -2 * BIG, BIG  # forget gate: 0 at a quote, 1 elsewhere
        b[2 * hidden] = BIG  # candidate 1
        b[3 * hidden] = BIG  # output gate 1
    return model


def test_a_planted_quote_cell_is_found_first_under_inside_double_quotes():
    rng = np.random.default_rng(0)
    words = ["alpha", "beta", "x", "(y)", ' "', '" ', ", ", "z9"]  # never three quotes in a row
    text = "".join(rng.choice(words) for _ in range(1500))[:4000]
    vocab = sorted(set(text))
    ids = np.array([vocab.index(c) for c in text])
    model = _planted_model(vocab)
    states = [(s.layer, s.kind, s.values) for s in analyse(model, ids)]
    features, beyond = text_features(text)
    frame = rank_units(5, text, ids, states, features, beyond)
    top = int(frame.order[0])
    assert frame.index[top] == 0
    assert frame.features[frame.best[top]] == "in_dquote"
    assert frame.r[top, frame.features.index("in_dquote")] >= 0.99
    assert frame.score(top) >= 0.99
    cell = states[1][2][:, 0]
    assert np.allclose(cell, features["in_dquote"], atol=1e-5)  # it really integrates the toggle


def test_the_analysis_pass_equals_pytorchs_lstm_with_the_state_carried_through():
    model = build_model(RunConfig(hidden=16, embed=8, layers=2), 20)
    ids = np.random.default_rng(1).integers(0, 20, 700)
    states = analyse(model, ids)
    with torch.no_grad():
        out, _ = model.rnn(model.embedding(torch.as_tensor(ids)).unsqueeze(0))
    assert [(s.layer, s.kind) for s in states] == [(0, "h"), (0, "c"), (1, "h"), (1, "c")]
    assert np.allclose(states[2].values, out[0].numpy(), atol=1e-5)


def test_the_blocked_scan_equals_the_step_by_step_recurrence():
    gen = torch.Generator().manual_seed(2)
    decay, written = torch.rand(203, 5, generator=gen), torch.randn(203, 5, generator=gen)
    expected, c = [], torch.zeros(5)
    for t in range(203):
        c = decay[t] * c + written[t]
        expected.append(c)
    assert torch.allclose(linear_scan(decay, written, block=16), torch.stack(expected), atol=1e-5)


def test_a_user_feature_marks_the_characters_inside_its_matches():
    assert match_feature(r"b+", "abbcab").tolist() == [0, 1, 1, 0, 0, 1]


@pytest.mark.slow
def test_a_hostile_pattern_is_bounded_and_refused():
    started = time.perf_counter()
    assert match_feature(r"(a+)+$", "a" * 40 + "b", limit_s=1.0) is None
    assert time.perf_counter() - started < 5.0
