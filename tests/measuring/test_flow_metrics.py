"""Flow metrics on sequences and matrices whose answers are known by construction."""

import math

import numpy as np
import pytest
import torch

from rnnscope.cells import GATE_NAMES
from rnnscope.contracts.frames import EXPLODING, HEALTHY, VANISHING, Saturation
from rnnscope.measuring.flow_metrics import (
    decay_per_step,
    layer_metrics,
    memory_horizon,
    saturation,
    sigma_max,
    verdict,
)

torch.set_num_threads(1)


def _geometric(decay, steps=20, last=0.7):
    """grad_h whose flow shrinks by `decay` per step back in time: grad_h[t] = last * decay**(T-1-t)."""
    return (last * decay ** np.arange(steps - 1, -1, -1)).astype(np.float32)


@pytest.mark.parametrize("decay", [0.3, 0.85, 1.0, 1.07, 1.6])
def test_decay_recovers_a_geometric_rate(decay):
    assert decay_per_step(_geometric(decay)) == pytest.approx(decay, rel=1e-5)


def test_decay_uses_only_the_ends_and_handles_zeros_and_nan():
    wiggly = np.array([0.5, 9.0, 0.01, 2.0], dtype=np.float32)
    assert decay_per_step(wiggly) == pytest.approx((0.5 / 2.0) ** (1 / 3))
    assert decay_per_step(np.array([0.0, 0.0, 0.0])) == 0.0
    assert decay_per_step(np.array([0.0, 1.0, 2.0])) == 0.0
    assert math.isinf(decay_per_step(np.array([1.0, 1.0, 0.0])))
    assert math.isnan(decay_per_step(np.array([np.nan, 1.0, 1.0])))
    with pytest.raises(ValueError):
        decay_per_step(np.array([1.0]))


def test_memory_horizon_is_where_the_flow_reaches_one_percent():
    for decay in (0.5, 0.9, 0.99):
        horizon = memory_horizon(decay)
        assert decay**horizon == pytest.approx(0.01)
    assert memory_horizon(1.0) == math.inf and memory_horizon(3.0) == math.inf
    assert memory_horizon(0.0) == 0.0
    assert math.isnan(memory_horizon(math.nan))
    assert memory_horizon(0.5) < memory_horizon(0.9) < memory_horizon(0.99)


@pytest.mark.parametrize(
    "decay, expected",
    [(0.0, VANISHING), (0.5, VANISHING), (0.899, VANISHING), (0.9, HEALTHY), (1.0, HEALTHY),
     (1.1, HEALTHY), (1.101, EXPLODING), (math.inf, EXPLODING), (math.nan, EXPLODING)],
)
def test_verdict_thresholds(decay, expected):
    assert verdict(decay) == expected


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_sigma_max_per_gate_block_matches_torch_svdvals(kind):
    hidden = 6
    gates = len(GATE_NAMES[kind])
    weight_hh = torch.randn(gates * hidden, hidden, generator=torch.Generator().manual_seed(1))
    result = sigma_max(weight_hh.numpy(), kind)
    assert list(result) == list(GATE_NAMES[kind])
    for name, block in zip(GATE_NAMES[kind], weight_hh.split(hidden)):
        assert result[name] == pytest.approx(torch.linalg.svdvals(block)[0].item(), rel=1e-5)
    assert len(set(result.values())) == gates  # each block measured separately


def test_sigma_max_of_a_vanilla_rnn_is_one_number():
    weight_hh = torch.randn(5, 5, generator=torch.Generator().manual_seed(2))
    result = sigma_max(weight_hh.numpy(), "rnn-tanh")
    assert isinstance(result, float)
    assert result == pytest.approx(torch.linalg.svdvals(weight_hh)[0].item(), rel=1e-5)
    assert sigma_max(2.5 * np.eye(4, dtype=np.float32), "rnn-relu") == pytest.approx(2.5)


def test_saturation_counts_shut_and_open_entries_per_sigmoid_gate():
    steps, hidden = 2, 5
    gates = np.full((4, steps, hidden), 0.5, dtype=np.float32)  # [G, T, H]
    gates[0, 0, :3] = 0.05  # input: 3 of 10 shut
    gates[1, :, :] = 0.95  # forget: all open
    gates[2, :, :] = -1.0  # cell candidate (tanh): not a sigmoid gate, ignored
    gates[3, 1, 0] = 0.1  # output: exactly 0.1 is not below 0.1
    gates[3, 1, 1] = 0.91  # output: 1 of 10 open
    result = saturation(gates, "lstm")
    assert result == {
        "input": Saturation(low=0.3, high=0.0),
        "forget": Saturation(low=0.0, high=1.0),
        "output": Saturation(low=0.0, high=0.1),
    }
    assert saturation(np.zeros((0, steps, hidden)), "rnn-tanh") == {}
    assert list(saturation(np.full((3, steps, hidden), 0.5), "gru")) == ["reset", "update"]


def test_layer_metrics_combines_the_parts():
    grad_h = _geometric(0.5)
    sigma = sigma_max(np.tile(np.eye(4, dtype=np.float32), (3, 1)), "gru")
    metrics = layer_metrics("gru", np.full((3, 20, 4), 0.99), grad_h, sigma)
    assert metrics.decay_per_step == pytest.approx(0.5, rel=1e-5)
    assert metrics.memory_horizon == pytest.approx(math.log(0.01) / math.log(0.5), rel=1e-5)
    assert metrics.verdict == VANISHING
    assert metrics.sigma_max == pytest.approx({"reset": 1.0, "update": 1.0, "new": 1.0})
    assert metrics.saturation["update"] == Saturation(low=0.0, high=1.0)


def test_sigma_max_of_a_non_finite_block_is_nan_and_the_others_are_kept():
    weight_hh = np.concatenate([np.full((3, 3), np.inf), 2.0 * np.eye(3), np.full((3, 3), np.nan)]).astype(np.float32)
    result = sigma_max(weight_hh, "gru")
    assert math.isnan(result["reset"]) and math.isnan(result["new"]) and result["update"] == pytest.approx(2.0)
