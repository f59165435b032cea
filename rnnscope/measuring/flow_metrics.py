"""Derived flow numbers of PRODUCT.md section 3: decay, memory horizon, verdict, sigma_max, saturation."""

from __future__ import annotations

import math

import numpy as np

from rnnscope import cells
from rnnscope.contracts.frames import EXPLODING, HEALTHY, VANISHING, LayerMetrics, Saturation

VANISHING_BELOW = 0.9  # decay per step under this: the flow vanishes
EXPLODING_ABOVE = 1.1  # decay per step over this: the flow explodes
HORIZON_FRACTION = 0.01  # the memory horizon is where the flow has fallen to 1%
SATURATED_LOW = 0.1  # a sigmoid gate entry below this counts as shut
SATURATED_HIGH = 0.9  # a sigmoid gate entry above this counts as open


def decay_per_step(grad_h: np.ndarray) -> float:
    """Geometric mean factor per step back in time: (grad_h[0] / grad_h[T-1]) ** (1 / (T-1)).

    No flow at all (both ends 0) is 0.0 (fully vanished); a flow that only exists far back
    (last 0, first > 0) is inf; a nan at either end gives nan. Needs T >= 2.
    """
    if len(grad_h) < 2:
        raise ValueError("the decay needs a probe of at least 2 steps")
    first, last = float(grad_h[0]), float(grad_h[-1])
    if first == 0.0 and last == 0.0:
        return 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.float64(first) / np.float64(last)
    return float(ratio ** (1.0 / (len(grad_h) - 1)))


def memory_horizon(decay: float) -> float:
    """Steps back until the flow falls to 1%: ln 0.01 / ln decay.

    math.inf when decay >= 1 (the flow never falls); 0.0 when decay is 0 (it is gone after one
    step, the limit of the formula); nan stays nan.
    """
    if math.isnan(decay):
        return math.nan
    if decay >= 1.0:
        return math.inf
    if decay <= 0.0:
        return 0.0
    return math.log(HORIZON_FRACTION) / math.log(decay)


def verdict(decay: float) -> str:
    """VANISHING below 0.9, EXPLODING above 1.1, HEALTHY between.

    nan counts as EXPLODING: a non-finite gradient is what overflow through time leaves behind.
    """
    if math.isnan(decay) or decay > EXPLODING_ABOVE:
        return EXPLODING
    if decay < VANISHING_BELOW:
        return VANISHING
    return HEALTHY


def named_sigmas(largest: np.ndarray, kind: str) -> float | dict[str, float]:
    """Per-block largest singular values [G] as the metrics hold them: a float for a vanilla RNN, else gate -> value."""
    names = cells.GATE_NAMES[kind]
    if not names:
        return float(largest[0])
    return {name: float(value) for name, value in zip(names, largest)}


def sigma_max(weight_hh: np.ndarray, kind: str) -> float | dict[str, float]:
    """Largest singular value of W_hh [G*H, H]: a float for a vanilla RNN, gate name -> value if gated; nan for a
    block holding nan or inf."""
    hidden = weight_hh.shape[1]
    blocks = weight_hh.reshape(-1, hidden, hidden).astype(np.float64)  # [G, H, H]
    finite = np.isfinite(blocks).all(axis=(1, 2))  # [G]; LAPACK refuses nan and inf
    largest = np.full(len(blocks), np.nan)  # [G]
    if finite.any():
        gram = blocks[finite] @ blocks[finite].transpose(0, 2, 1)  # [g, H, H] W W^T: largest eigenvalue sigma_max^2
        # the eigenvalues of W W^T: faster than an SVD (benchmarks/README.md, by hand)
        largest[finite] = np.sqrt(np.maximum(np.linalg.eigvalsh(gram)[:, -1], 0.0))
    return named_sigmas(largest, kind)


def saturation(gates: np.ndarray, kind: str) -> dict[str, Saturation]:
    """Per sigmoid gate of gates [G, T, H]: fraction of entries < 0.1 and > 0.9; empty for vanilla RNN."""
    names = cells.GATE_NAMES[kind]
    result = {}
    for name in cells.facts_of(kind).sigmoid_gates:
        result[name] = _saturation(gates[names.index(name)])  # [T, H]
    return result


def _saturation(values: np.ndarray) -> Saturation:
    return Saturation(low=float(np.mean(values < SATURATED_LOW)), high=float(np.mean(values > SATURATED_HIGH)))


def layer_metrics(kind: str | None, gates: np.ndarray, grad_h: np.ndarray, sigma: float | dict[str, float],
                  grad_c: np.ndarray | None = None, saturated: dict[str, np.ndarray] | None = None) -> LayerMetrics:
    """All derived numbers of one layer from its gates [G, T, H], grad_h [T], sigma_max (as sigma_max() gives it)
    and grad_c [T]; `saturated` (gate name -> [T, H]) names the sigmoid gates of a layer of no kind (kind None)."""
    decay = decay_per_step(grad_h)
    cell_decay = None if grad_c is None else decay_per_step(grad_c)
    return LayerMetrics(
        decay_per_step=decay,
        memory_horizon=memory_horizon(decay),
        verdict=verdict(decay),
        sigma_max=sigma,
        saturation=saturation(gates, kind) if saturated is None else
        {name: _saturation(values) for name, values in saturated.items()},
        cell_decay_per_step=cell_decay,
        cell_memory_horizon=None if cell_decay is None else memory_horizon(cell_decay),
        cell_verdict=None if cell_decay is None else verdict(cell_decay),
    )
