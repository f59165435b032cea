"""The y axis of a loss plot, one rule for the dashboard's loss panels and the exported figure: a spike is clipped."""

from __future__ import annotations

import numpy as np

RECENT_PERCENTILE = 98  # the y axis covers this percentile of the later half of the run: a spike is drawn clipped
HEADROOM = 1.5  # ... times the range from the lowest loss, so the earlier curve shows its fall


def y_range(histories: list[np.ndarray]) -> tuple[float, float, bool]:
    """The y axis [lo, hi] of loss curves ([N, 2] step, loss): from the lowest loss up to the RECENT_PERCENTILE of
    the later half of the steps (and every curve's latest value) with some headroom, so that neither the start
    nor a spike squashes the curves into one row; True when values lie above hi (drawn on the top row)."""
    rows = np.concatenate([h for h in histories if len(h)] or [np.zeros((0, 2))])  # [N, 2]
    rows = rows[np.isfinite(rows[:, 1])]
    if len(rows) == 0:
        return 0.0, 1.0, False
    steps, values = rows[:, 0], rows[:, 1]
    recent = values[steps >= (steps.min() + steps.max()) / 2]
    latest = [float(h[np.isfinite(h[:, 1])][-1, 1]) for h in histories if np.isfinite(h[:, 1]).any()]
    lo, top = float(values.min()), max(float(np.percentile(recent, RECENT_PERCENTILE)), *latest)
    hi = min(lo + HEADROOM * (top - lo), float(values.max()))
    hi = hi if hi > lo else lo + max(abs(lo) * 0.1, 1e-3)
    return lo, hi, bool((values > hi).any())
