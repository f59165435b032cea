"""Scope(analysis=, features=): the watched module's units over the user's analysis inputs, scored against the user's
features (r against numpy.corrcoef of the module's own h and c), recorded in every frame, shown by --attach, the
training untouched; bad features refused at construction in one line."""

import numpy as np
import pytest
import torch
from torch import nn

from rnnscope import Scope
from rnnscope.storage.timeline.units_meta import read_units
from rnnscope.watch.attach import AttachSource
from tests.watch_fixtures import frames_in, train

N = 120


def _own_states(rnn: nn.LSTM, inputs: torch.Tensor) -> np.ndarray:
    """h and c of a 1-layer nn.LSTM at every step, one call of the module per step: [N, 2H]."""
    state, rows = None, []
    with torch.no_grad():
        for x in inputs:
            _, state = rnn(x[None, None], state)  # x [I] -> [1, 1, I]
            rows.append(torch.cat((state[0][0, 0], state[1][0, 0])).numpy())
    return np.stack(rows)


def test_the_units_of_a_tiny_lstm_are_scored_against_the_users_features_and_attach_shows_them(tmp_path):
    torch.manual_seed(0)
    rnn = nn.LSTM(3, 4)
    analysis = torch.randn(N, 3)
    features = {"drift": np.cumsum(analysis[:, 0].numpy()), "flag": analysis[:, 1].numpy() > 0}
    scope = Scope(rnn, tmp_path, probe=torch.randn(6, 3), every=1, analysis=analysis, features=features)
    for step in range(3):
        scope.step(step, loss=1.0)
    scope.close()
    frames = frames_in(tmp_path)
    assert len(frames) == 3 and all(read_units(f.meta) is not None for f in frames)
    record = read_units(frames[-1].meta)
    own = _own_states(rnn, analysis)  # [N, 8]
    for column, values in enumerate(features.values()):
        oracle = max(abs(np.corrcoef(own[:, u], values.astype(np.float64))[0, 1]) for u in range(own.shape[1]))
        assert record.best_r[column] == pytest.approx(oracle, abs=2e-4)
        assert record.best_beyond[column] == pytest.approx(oracle, abs=2e-4)  # fixed vectors: one class, beyond = r
    assert record.frame.features == ("drift", "flag") and set(record.frame.kind) == {"h", "c"}
    source = AttachSource(tmp_path)
    source.poll()
    units = source.parts()["units"]
    assert units is not None and units.features == ("drift", "flag") and units.step <= frames[-1].entry.step


def test_the_analysis_leaves_the_training_untouched_and_reads_token_ids_through_the_embedding(tmp_path):
    ids = torch.arange(40) % 11
    features = {"even": (ids % 2 == 0).numpy(), "count": np.arange(40) % 7}

    def make(model):
        return Scope(model.rnn, tmp_path, probe=[1, 2, 3], embedding=model.encoder, every=2, analysis=ids,
                     features=features, vocab=[f"w{i}" for i in range(11)])

    plain, _, _ = train(6)
    watched, _, scope = train(6, make)
    scope.close()
    assert watched == plain  # bit for bit
    record = read_units(frames_in(tmp_path)[-1].meta)
    assert len(record.frame.kind) <= 2 * 2 * 8 and set(record.frame.layer.tolist()) <= {0, 1}
    assert np.isnan(record.best_beyond[0]) or record.best_beyond[0] < 1e-3  # "even" is a function of the token


@pytest.mark.parametrize("options, message", [
    ({"features": {"a": np.ones(N)}}, "together"),
    ({"analysis": torch.randn(N, 3)}, "together"),
    ({"analysis": torch.randn(N, 2), "features": {"a": np.arange(N)}}, "analysis (read like the probe): probe has shape"),
    ({"analysis": torch.randn(N, 3), "features": {"a": np.ones(N)}}, "the same at every position"),
    ({"analysis": torch.randn(N, 3), "features": {"a": np.arange(N - 1)}}, f"give {N} numbers"),
    ({"analysis": torch.randn(N, 3), "features": {"a": np.full(N, np.nan)}}, "nan or inf"),
    ({"analysis": torch.randn(N, 3), "features": {"no spaces": np.arange(N)}}, "no feature name"),
    ({"analysis": torch.randn(N, 3), "features": {"a": ["x"] * N}}, "give 120 numbers"),
    ({"analysis": torch.randn(N, 3), "features": [np.arange(N)]}, "must be a dict"),
    ({"analysis": torch.randn(N, 3), "features": {f"f{i}": np.arange(N) for i in range(17)}}, "at most 16"),
])
def test_bad_analysis_or_features_are_refused_in_one_line(tmp_path, options, message):
    with pytest.raises(ValueError) as refused:
        Scope(nn.LSTM(3, 4), tmp_path, probe=torch.randn(6, 3), **options)
    assert message in str(refused.value) and "\n" not in str(refused.value)
    assert not (tmp_path / "timeline").exists()  # refused before anything is written
