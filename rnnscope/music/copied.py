"""Memorisation: for a tune, the longest stretch copied verbatim from the training text and the share of its
characters inside copied stretches of at least COPIED_MIN characters, from a suffix array built once per text."""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass

import numpy as np

COPIED_MIN = 20  # a stretch this long found verbatim in the training text counts as copied


@dataclass(frozen=True)
class Copying:
    longest: int  # the longest stretch of the tune found verbatim in the training text, in characters
    share: float  # the share of the tune's characters inside copied stretches of >= COPIED_MIN characters


class CopyIndex:
    """The training text's suffix array (prefix doubling in numpy; cost: benchmarks/README.md, by hand); a
    tune's longest match at each position is found by binary search, O(len(tune) * log(len(text)) * match)."""

    def __init__(self, text: str):
        self.text = text
        self.order = _suffix_array(text)  # [N] start of each suffix, in sorted order

    def match_lengths(self, query: str) -> np.ndarray:
        """For each position i of `query`, the length of the longest prefix of query[i:] found in the text."""
        out = np.zeros(len(query), dtype=np.int64)  # [len(query)]
        for i in range(len(query)):
            out[i] = self._longest_at(query[i:])
        return out

    def copying(self, query: str, minimum: int = COPIED_MIN) -> Copying:
        lengths = self.match_lengths(query)  # [len(query)]
        covered = np.zeros(len(query) + 1, dtype=np.int64)  # [len + 1] difference array of the copied stretches
        for i in np.flatnonzero(lengths >= minimum):
            covered[i] += 1
            covered[i + lengths[i]] -= 1
        inside = int((np.cumsum(covered)[: len(query)] > 0).sum())
        return Copying(int(lengths.max()) if len(query) else 0, inside / len(query) if len(query) else 0.0)

    def _longest_at(self, suffix: str) -> int:
        """The longest common prefix of `suffix` with any suffix of the text: at its insertion point's neighbours."""
        where = bisect_left(_SortedSuffixes(self.text, self.order, len(suffix)), suffix)
        best = 0
        for k in (where - 1, where):
            if 0 <= k < len(self.order):
                best = max(best, _common_prefix(suffix, self.text, int(self.order[k])))
        return best


class _SortedSuffixes:
    """The sorted suffixes as a sequence bisect can search, each read from the text only when compared and only as
    far as the query reaches (cut to its length, a suffix sorts against the query as the whole suffix does)."""

    def __init__(self, text: str, order: np.ndarray, reach: int):
        self.text, self.order, self.reach = text, order, reach

    def __len__(self) -> int:
        return len(self.order)

    def __getitem__(self, k: int) -> str:
        start = int(self.order[k])
        return self.text[start : start + self.reach]


def _common_prefix(query: str, text: str, start: int) -> int:
    n = 0
    limit = min(len(query), len(text) - start)
    while n < limit and query[n] == text[start + n]:
        n += 1
    return n


def _suffix_array(text: str) -> np.ndarray:
    """The starts of `text`'s suffixes in sorted order (code point order, as Python compares strings)."""
    n = len(text)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    rank = np.array([ord(ch) for ch in text], dtype=np.int64)  # [N]
    k = 1
    while True:
        second = np.full(n, -1, dtype=np.int64)  # [N] rank of the suffix k further on (-1: past the end)
        second[: n - k] = rank[k:] if k < n else second[:0]
        order = np.lexsort((second, rank))  # [N] by (rank, second)
        pairs = np.stack([rank[order], second[order]], axis=1)  # [N, 2]
        new_group = np.concatenate([[0], np.any(pairs[1:] != pairs[:-1], axis=1).astype(np.int64)])  # [N]
        rank = np.empty(n, dtype=np.int64)
        rank[order] = np.cumsum(new_group)
        if rank.max() == n - 1 or k >= n:
            return order
        k *= 2
