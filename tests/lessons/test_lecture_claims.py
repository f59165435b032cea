"""The lecture's claims about gradient flow through time, checked at initialisation on Shakespeare."""

from importlib.resources import files

import numpy as np
import pytest
import torch

from rnnscope.contracts.config import RunConfig
from rnnscope.contracts.frames import EXPLODING, HEALTHY, VANISHING
from rnnscope.measuring.probe import run_probe
from rnnscope.training.model import build_model

torch.set_num_threads(1)
STEPS, HIDDEN, EMBED = 40, 48, 16
SEEDS = [0, 1, 2]
CORPUS = files("rnnscope.sample_texts").joinpath("tinyshakespeare.txt").read_text(encoding="utf-8")[:20000]
VOCAB = sorted(set(CORPUS))
PROBE_TEXT = CORPUS[1000 : 1000 + STEPS + 1]


def _metrics(kind, init="default", gain=1.0, seed=0):
    """Layer-0 metrics of a freshly initialised model probed on PROBE_TEXT."""
    config = RunConfig(model=kind, init=init, init_gain=gain, hidden=HIDDEN, embed=EMBED, seed=seed)
    model = build_model(config, len(VOCAB))
    ids = np.array([VOCAB.index(char) for char in PROBE_TEXT])
    return run_probe(model, ids[:-1], ids[1:], PROBE_TEXT, step=0).layers[0].metrics


@pytest.mark.parametrize("seed", SEEDS)
def test_tanh_rnn_with_default_init_vanishes(seed):
    metrics = _metrics("rnn-tanh", seed=seed)
    assert metrics.verdict == VANISHING
    assert metrics.memory_horizon < STEPS / 2  # the start of the probe is out of reach


@pytest.mark.parametrize("seed", SEEDS)
def test_identity_init_with_relu_keeps_the_flow(seed):
    tanh_default = _metrics("rnn-tanh", seed=seed)
    relu_identity = _metrics("rnn-relu", "identity", seed=seed)
    assert relu_identity.verdict == HEALTHY
    assert relu_identity.decay_per_step > 0.95
    assert relu_identity.decay_per_step > tanh_default.decay_per_step + 0.2
    assert relu_identity.memory_horizon > 5 * tanh_default.memory_horizon


@pytest.mark.parametrize("seed", SEEDS)
def test_the_two_cures_work_together(seed):
    """Identity init helps tanh too, but tanh' < 1 still shrinks each step where ReLU passes 1."""
    tanh_identity = _metrics("rnn-tanh", "identity", seed=seed)
    assert _metrics("rnn-tanh", seed=seed).decay_per_step < tanh_identity.decay_per_step
    assert tanh_identity.decay_per_step < _metrics("rnn-relu", "identity", seed=seed).decay_per_step


@pytest.mark.parametrize("seed", SEEDS)
def test_identity_times_one_and_a_half_with_relu_explodes(seed):
    metrics = _metrics("rnn-relu", "identity", 1.5, seed=seed)
    assert metrics.verdict == EXPLODING
    assert metrics.horizon_is_infinite


@pytest.mark.parametrize(
    "kind, init, gain",
    [("rnn-tanh", "default", 1.0), ("rnn-tanh", "orthogonal", 0.8), ("rnn-tanh", "orthogonal", 3.0),
     ("rnn-relu", "xavier", 1.0), ("rnn-relu", "identity", 1.5)],
)
def test_flow_per_step_never_beats_sigma_max(kind, init, gain):
    """Each step back multiplies by diag(act') W_hh^T, |act'| <= 1: decay <= sigma_max (Pascanu et al.)."""
    metrics = _metrics(kind, init, gain)
    assert metrics.decay_per_step <= metrics.sigma_max * (1 + 1e-5)


def test_recurrent_weights_below_one_vanish_and_well_above_one_explode():
    assert _metrics("rnn-tanh", "orthogonal", 0.8).verdict == VANISHING
    assert _metrics("rnn-tanh", "orthogonal", 3.0).verdict == EXPLODING


@pytest.mark.parametrize("seed", SEEDS)
def test_lstm_gates_tame_a_gain_that_explodes_a_tanh_rnn(seed):
    assert _metrics("rnn-tanh", gain=4.0, seed=seed).verdict == EXPLODING
    assert _metrics("lstm", gain=4.0, seed=seed).decay_per_step < 1.0
