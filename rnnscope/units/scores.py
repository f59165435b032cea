"""Scores of every unit against every feature: r, r beyond the current character, the contexts."""

from __future__ import annotations

import numpy as np

from rnnscope.contracts.units import CONTEXT_RADIUS, CONTEXTS


def correlations(units: np.ndarray, features: np.ndarray) -> np.ndarray:
    """Pearson r of every unit with every feature: units [N, U], features [N, F] -> [U, F] (0 where either side is
    constant: a constant says nothing)."""
    u = units - units.mean(axis=0)  # [N, U]
    f = features - features.mean(axis=0)  # [N, F]
    return (u.T @ f) / np.outer(_norms(u, units), _norms(f, features))  # [U, F]


def _norms(centred: np.ndarray, values: np.ndarray) -> np.ndarray:
    """The columns' norms of centred [N, K]; inf for a column whose spread is rounding error of values [N, K]."""
    norms = np.linalg.norm(centred, axis=0)  # [K]
    rounding = 16 * np.finfo(centred.dtype).eps * np.sqrt(len(values)) * (1 + np.abs(values).max(axis=0, initial=0))
    return np.where(norms > rounding, norms, np.inf)


def centre_per_character(values: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """values [N, K] less their mean over the positions holding the same current character (ids [N] int)."""
    _, groups = np.unique(ids, return_inverse=True)  # [N] group of each position
    members = np.zeros((groups.max() + 1, len(ids)), dtype=values.dtype)  # [C, N] one-hot of each group
    members[groups, np.arange(len(ids))] = 1.0
    means = (members @ values) / members.sum(axis=1, keepdims=True)  # [C, K]
    return values - means[groups]  # [N, K]


def beyond_character(units: np.ndarray, features: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """r beyond the current character: the correlation after both sides are centred on their mean per current
    character (ids [N]), so a unit that is a function of the character scores 0. [U, F]."""
    return correlations(centre_per_character(units, ids), centre_per_character(features, ids))


def top_positions(values: np.ndarray, count: int = CONTEXTS, apart: int = CONTEXT_RADIUS,
                  block: int = 16) -> np.ndarray:
    """For every unit of values [N, U], the positions of its `count` largest values, greedily from the largest,
    each more than `apart` from those chosen before it (contexts that do not repeat one another; the earlier of
    equal values first). [U, count] int; -1 where the text is too short for `count` of them. Each round looks at
    the maxima of `block`-character blocks, and recomputes only the blocks a choice ruled positions out of."""
    n, units = values.shape
    blocks = -(-n // block)
    open_ = np.full((units, blocks * block), -np.inf, dtype=np.float32)  # [U, nb * B]; ruled out: -inf
    open_[:, :n] = values.T
    tiles = open_.reshape(units, blocks, block)  # a view: [U, nb, B]
    peaks = tiles.max(axis=2)  # [U, nb]
    chosen = np.full((units, count), -1, dtype=np.int64)
    rows = np.arange(units)[:, None]  # [U, 1]
    window = np.arange(-apart, apart + 1)  # [2 * apart + 1]
    touched = np.arange(-(-(2 * apart + 1) // block) + 1)  # [k] blocks a window can reach, from its first
    for slot in range(count):
        best = np.argmax(peaks, axis=1)  # [U] the block holding the largest value still open
        found = np.isfinite(peaks[rows[:, 0], best])  # [U]
        position = best * block + np.argmax(tiles[rows[:, 0], best], axis=1)  # [U]
        chosen[found, slot] = position[found]
        open_[rows, np.clip(position[:, None] + window, 0, n - 1)] = -np.inf
        near = np.clip((np.maximum(position - apart, 0) // block)[:, None] + touched, 0, blocks - 1)  # [U, k]
        peaks[rows, near] = tiles[rows, near].max(axis=2)
    return chosen
