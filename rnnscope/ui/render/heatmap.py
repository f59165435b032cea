"""Heatmap cells from a 2-D array: quantise once, then index precomputed Segment tables."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from rnnscope.ui.render.lines import Line
from rnnscope.ui.render.palette import DIVERGING, Palette

ROBUST_PERCENTILE = 99  # a few huge cell-state entries must not turn every other cell black


def percentile(values: np.ndarray, q: float) -> float:
    """np.percentile(values, q) of a 1-D array (its default 'linear' method, the same float) without its
    overhead: numpy's virtual index, a partition around it, numpy's interpolation (cost: benchmarks/README.md, by hand)."""
    n = values.size
    index = (n - 1) * (q / 100)
    if index >= n - 1:
        return float(values.max())
    k = int(index)  # index >= 0 here
    a, b = np.partition(values, (k, k + 1))[k : k + 2].tolist()
    t, diff = index - k, b - a
    return b - diff * (1 - t) if t >= 0.5 else a + diff * t


def value_range(values: np.ndarray, kind: str) -> tuple[float, float]:
    """The scale's [lo, hi]: ±(99th percentile of |x|) for diverging data (beyond it saturates), min..max otherwise."""
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return (-1.0, 1.0) if kind == DIVERGING else (0.0, 1.0)
    if kind == DIVERGING:
        magnitudes = np.abs(finite)
        top = percentile(magnitudes, ROBUST_PERCENTILE) or float(np.max(magnitudes)) or 1.0
        return -top, top
    lo, hi = float(finite.min()), float(finite.max())
    return (lo, hi) if hi > lo else (lo, lo + 1.0)


def heatmap_rows(values: np.ndarray, lo: float, hi: float, palette: Palette) -> list[Line]:
    """values [rows, cols] -> terminal lines; with half blocks rows 2k and 2k+1 share line k."""
    levels = palette.quantize(values, lo, hi)  # [rows, cols]
    if palette.rows_per_line == 1:
        return palette.cells[levels].tolist()
    if levels.shape[0] % 2:
        empty = np.full((1, levels.shape[1]), palette.levels, dtype=levels.dtype)
        levels = np.concatenate([levels, empty])  # [rows + 1, cols]
    pairs = levels[0::2] * (palette.levels + 1) + levels[1::2]  # [ceil(rows / 2), cols]
    return palette.cells[pairs].tolist()


@lru_cache(maxsize=64)
def _bar_levels(levels: int, width: int) -> np.ndarray:
    return np.linspace(0, levels - 1, max(width, 1)).round().astype(int)


def colour_bar(palette: Palette, width: int) -> Line:
    """A legend strip of `width` cells running from the lowest to the highest level."""
    return palette.swatches[_bar_levels(palette.levels, width)].tolist()
