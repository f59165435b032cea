"""Scores of every unit against every feature: r, r beyond the current character, the best feature, the contexts."""

from __future__ import annotations

import numpy as np

CONTEXTS = 5  # top contexts each way per unit
CONTEXT_RADIUS = 24  # characters each side of a context's centre


def correlations(units: np.ndarray, features: np.ndarray) -> np.ndarray:
    """Pearson r of every unit with every feature: units [N, U], features [N, F] -> [U, F] (0 where either side is
    constant: a constant says nothing)."""
    u = units - units.mean(axis=0)  # [N, U]
    f = features - features.mean(axis=0)  # [N, F]
    u_norm = np.sqrt(np.einsum("nu,nu->u", u, u))  # [U]
    f_norm = np.sqrt(np.einsum("nf,nf->f", f, f))  # [F]
    tiny = 1e-9 * np.sqrt(len(units))
    u_norm = np.where(u_norm > tiny * (1 + np.abs(units).max(axis=0, initial=0)), u_norm, np.inf)
    f_norm = np.where(f_norm > tiny * (1 + np.abs(features).max(axis=0, initial=0)), f_norm, np.inf)
    return (u.T @ f) / np.outer(u_norm, f_norm)  # [U, F]


def centre_per_character(values: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """values [N, K] less their mean over the positions holding the same current character (ids [N] int)."""
    _, groups = np.unique(ids, return_inverse=True)  # [N] group of each position
    sums = np.zeros((groups.max() + 1, values.shape[1]))  # [C, K]
    np.add.at(sums, groups, values)
    counts = np.bincount(groups)[:, None]  # [C, 1]
    return values - (sums / counts)[groups]  # [N, K]


def beyond_character(units: np.ndarray, features: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """r beyond the current character: the correlation after both sides are centred on their mean per current
    character (ids [N]), so a unit that is a function of the character scores 0. [U, F]."""
    return correlations(centre_per_character(units, ids), centre_per_character(features, ids))


def best_features(scores: np.ndarray) -> np.ndarray:
    """Each unit's best feature: the index of its largest |score| (scores [U, F]) -> [U] int."""
    return np.argmax(np.abs(scores), axis=1)


def top_positions(values: np.ndarray, count: int = CONTEXTS, apart: int = CONTEXT_RADIUS) -> np.ndarray:
    """For every unit of values [N, U], the positions of its `count` largest values, greedily from the largest,
    each more than `apart` from those chosen before it (contexts that do not repeat one another). [U, count] int;
    -1 where the text is too short for `count` of them."""
    n, units = values.shape
    k = min(n, count * (2 * apart + 1) + 1)  # enough candidates: each choice rules out at most 2 * apart + 1
    candidates = np.argpartition(-values, k - 1, axis=0)[:k] if k < n else np.tile(np.arange(n)[:, None], units)
    order = np.argsort(-np.take_along_axis(values, candidates, axis=0), axis=0, kind="stable")  # [k, U]
    candidates = np.take_along_axis(candidates, order, axis=0)  # [k, U] positions, largest value first
    open_ = np.ones(candidates.shape, dtype=bool)  # [k, U] not yet ruled out
    chosen = np.full((units, count), -1, dtype=np.int64)
    columns = np.arange(units)
    for slot in range(count):
        first = np.argmax(open_, axis=0)  # [U] the best candidate still open
        found = open_[first, columns]  # [U]
        position = candidates[first, columns]  # [U]
        chosen[found, slot] = position[found]
        open_ &= ~(found & (np.abs(candidates - position) <= apart))
    return chosen


def context(text: str, position: int, radius: int = CONTEXT_RADIUS) -> tuple[str, int]:
    """The characters within `radius` of `position` and the position's offset in them."""
    start = max(0, position - radius)
    return text[start: position + radius + 1], position - start
