"""Log-scale helpers shared by the flow strip and the gradient-norm bars."""

from __future__ import annotations

import numpy as np

TINY = 1e-30  # norms at or below this are drawn at the bottom of the scale
LARGEST = np.finfo(float).max
EIGHTHS = " ▁▂▃▄▅▆▇█"
EIGHTH_CHARS = np.array(list(EIGHTHS))


def log10_safe(values: np.ndarray) -> np.ndarray:
    """log10 of non-negative values; 0 and NaN map to log10(TINY), +inf to log10 of the largest float."""
    return np.log10(np.minimum(np.fmax(np.asarray(values, dtype=float), TINY), LARGEST))  # fmax: NaN -> TINY


def log_range(*arrays: np.ndarray) -> tuple[float, float]:
    """[lo, hi] in log10 over the finite, positive entries of the arrays (a decade wide at least, within the
    floats: 10**hi never overflows; an infinity is drawn at the top, not counted)."""
    logs = np.concatenate([log10_safe(a).ravel() for a in arrays])
    finite = logs[np.isfinite(logs) & (logs > np.log10(TINY)) & (logs < np.log10(LARGEST))]
    if finite.size == 0:
        return -1.0, 0.0
    lo, hi = float(finite.min()), float(finite.max())
    lo, hi = (lo, hi) if hi - lo >= 1.0 else ((lo + hi) / 2 - 0.5, (lo + hi) / 2 + 0.5)
    top = float(np.log10(LARGEST)) - 0.01
    return (min(lo, top - 1.0), min(hi, top))


def bucket_mean(values: np.ndarray, columns: int) -> np.ndarray:
    """Shrink [T] to [columns] by averaging consecutive buckets (identity when T <= columns)."""
    if len(values) <= columns:
        return values
    edges = np.linspace(0, len(values), columns + 1).astype(int)
    return np.add.reduceat(values, edges[:-1]) / np.diff(edges)


def bar_rows(heights: np.ndarray, rows: int) -> list[str]:
    """Vertical bars of `heights` in [0, 1] drawn with eighth blocks, top row first."""
    eighths = np.round(np.clip(np.nan_to_num(heights, posinf=1.0, neginf=0.0), 0, 1) * rows * 8).astype(int)  # [columns]
    floors = np.arange(rows - 1, -1, -1)[:, None] * 8  # [rows, 1] eighths below each row, top row first
    return ["".join(row) for row in EIGHTH_CHARS[np.clip(eighths - floors, 0, 8)].tolist()]
