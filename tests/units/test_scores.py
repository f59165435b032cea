"""r against numpy.corrcoef, r beyond the character against its definition, the contexts and find-similar against
brute force."""

import numpy as np
import pytest

from rnnscope.contracts.units import context
from rnnscope.ui.render.similar import find_similar
from rnnscope.units.scores import beyond_character, correlations, top_positions


def test_r_equals_numpy_corrcoef():
    rng = np.random.default_rng(0)
    units, features = rng.normal(size=(500, 6)), rng.normal(size=(500, 3))
    features[:, 1] = 0.5 * units[:, 2] + rng.normal(size=500)
    expected = np.corrcoef(units.T, features.T)[:6, 6:]  # [U, F]
    assert np.allclose(correlations(units, features), expected, atol=1e-12)


def test_a_constant_side_scores_zero():
    rng = np.random.default_rng(1)
    units = np.column_stack([rng.normal(size=100), np.full(100, 3.0)])
    features = np.column_stack([np.zeros(100), rng.normal(size=100)])
    r = correlations(units, features)
    assert r[1].tolist() == [0.0, 0.0] and r[0, 0] == 0.0 and r[0, 1] != 0.0


def test_a_function_of_the_current_character_has_no_r_beyond_it():
    rng = np.random.default_rng(2)
    ids = rng.integers(0, 7, size=2000)
    mirror = np.tanh(rng.normal(size=7))[ids]  # [N] a unit that only mirrors its input
    memory = np.cumsum(rng.normal(size=2000)) / 20  # a feature with state
    feature = memory + 3.0 * (ids == 2)
    units = np.column_stack([mirror, memory + 0.01 * rng.normal(size=2000)])
    beyond = beyond_character(units, feature[:, None], ids)
    assert abs(correlations(units, feature[:, None])[0, 0]) > 0.05  # plain r sees the character
    assert abs(beyond[0, 0]) < 1e-9
    assert beyond[1, 0] > 0.99


def test_r_beyond_is_r_after_centring_per_character_by_hand():
    rng = np.random.default_rng(3)
    ids = rng.integers(0, 4, size=300)
    unit, feature = rng.normal(size=300) + ids, rng.normal(size=300) * ids
    centred = []
    for values in (unit, feature):
        centred.append(np.array([values[i] - values[ids == ids[i]].mean() for i in range(len(values))]))
    expected = np.corrcoef(centred[0], centred[1])[0, 1]
    assert np.isclose(beyond_character(unit[:, None], feature[:, None], ids)[0, 0], expected, atol=1e-12)


def _top_brute(values, count, apart):
    chosen = []
    for position in sorted(range(len(values)), key=lambda i: (-values[i], i)):
        if all(abs(position - c) > apart for c in chosen):
            chosen.append(position)
        if len(chosen) == count:
            break
    return chosen + [-1] * (count - len(chosen))


def test_top_contexts_are_the_greedy_maxima_apart_from_one_another():
    rng = np.random.default_rng(4)
    values = rng.normal(size=(400, 5))
    values[100:110, 0] = 9.0  # a plateau: only one context from it
    found = top_positions(values, count=5, apart=24)
    for unit in range(5):
        assert found[unit].tolist() == _top_brute(values[:, unit], 5, 24)
    assert sum(100 <= p < 110 for p in found[0]) == 1
    assert top_positions(rng.normal(size=(20, 1)), count=5, apart=24)[0, 1:].tolist() == [-1] * 4
    assert context("abcdefgh", 1, radius=2) == ("abcd", 1)


def _similar_brute(values, threshold, query_length):
    """Every span [i, j) of the text: kept when all its positions have all units above the threshold and it cannot
    grow either way."""
    n = len(values)
    on = [all(v > threshold for v in row) for row in values]
    spans = []
    for i in range(n):
        for j in range(i + 1, n + 1):
            if all(on[i:j]) and (i == 0 or not on[i - 1]) and (j == n or not on[j]):
                spans.append((i, j, min(j - i, query_length) / max(j - i, query_length)))
    return sorted(spans, key=lambda s: (-s[2], s[0]))


def test_find_similar_equals_brute_force():
    rng = np.random.default_rng(5)
    values = rng.normal(size=(300, 3)) + 0.8
    for query_length in (1, 3, 7):
        assert find_similar(values, 0.2, query_length, limit=1000) == _similar_brute(values, 0.2, query_length)
    assert find_similar(values, 0.2, 3, limit=2) == _similar_brute(values, 0.2, 3)[:2]


@pytest.mark.parametrize("n", [7, 50, 333])
def test_top_contexts_equal_brute_force_with_ties_and_ragged_blocks(n):
    values = np.random.default_rng(n).integers(0, 6, size=(n, 12)).astype(np.float32)  # many equal values
    found = top_positions(values, count=5, apart=4)
    for unit in range(12):
        assert found[unit].tolist() == _top_brute(values[:, unit], 5, 4)
