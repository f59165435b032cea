"""Find similar (LSTMVis's match): the spans of the analysis text where the selected units are jointly above a
threshold, ranked by their overlap with the query span."""

from __future__ import annotations

import numpy as np


def joint_runs(values: np.ndarray, threshold: float) -> list[tuple[int, int]]:
    """The maximal runs [start, end) of positions where every column of values [N, S] (the selected units) is above
    `threshold`, in order."""
    on = np.all(values > threshold, axis=1).astype(np.int8)  # [N]
    edges = np.diff(np.concatenate(([0], on, [0])))  # [N + 1]
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    return list(zip(starts.tolist(), ends.tolist(), strict=True))


def jaccard(length_a: int, length_b: int) -> float:
    """The Jaccard overlap of two spans laid over each other from their starts: |A ∩ B| / |A ∪ B|."""
    return min(length_a, length_b) / max(length_a, length_b)


def find_similar(values: np.ndarray, threshold: float, query_length: int, limit: int = 10) -> list[tuple[int, int, float]]:
    """The runs of values [N, S] where the S selected units are jointly above `threshold`, each with its Jaccard
    overlap with a query span of `query_length` characters (laid from their starts), best first (the earlier on
    ties); at most `limit`. [(start, end, jaccard)]."""
    matches = [(start, end, jaccard(end - start, query_length)) for start, end in joint_runs(values, threshold)]
    matches.sort(key=lambda match: (-match[2], match[0]))
    return matches[:limit]
