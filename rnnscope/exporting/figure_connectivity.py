"""The connectivity map of the exported figure: ||dl_t/de_s|| as a triangle, target t down, input s across, log colours."""

from __future__ import annotations

import numpy as np

from rnnscope.contracts.frames import CONNECTIVITY_MAX_T

TITLE = "connectivity ‖∂l_t/∂e_s‖ (log) · target t ↓ input s →"


def log_limits(connectivity: np.ndarray) -> tuple[float, float] | None:
    """(vmin, vmax) over the finite, positive values at s <= t, a decade wide at least; None when there are none."""
    below = np.tril(np.ones(connectivity.shape, dtype=bool))  # [T, T] s <= t
    values = connectivity[below].astype(float)  # [n]
    values = values[np.isfinite(values) & (values > 0)]
    if values.size == 0:
        return None
    low, high = float(values.min()), float(values.max())
    return (low, high) if high >= 10 * low else (np.sqrt(low * high) / np.sqrt(10), np.sqrt(low * high) * np.sqrt(10))


def connectivity_map(ax, connectivity: np.ndarray | None, steps: int):
    """Draw the triangle into `ax` and return its image (for a colour bar), or None with the reason written in the axes.

    Values at s <= t below the colour range (a zero gradient) take its lowest colour, an infinity its highest;
    a NaN and every cell above the diagonal stay blank; a long probe's measured rows (the others are NaN) are
    drawn each over its share of the target axis."""
    from matplotlib import colormaps
    from matplotlib.colors import LogNorm

    ax.set_title(TITLE, fontsize=9)
    limits = None if connectivity is None else log_limits(connectivity)
    if limits is None:
        why = (f"not measured: probes of up to {CONNECTIVITY_MAX_T} steps only (this one has {steps})"
               if connectivity is None and steps > CONNECTIVITY_MAX_T
               else "not measured in this probe" if connectivity is None else "no finite gradient to show")
        ax.text(0.5, 0.5, why, transform=ax.transAxes, ha="center", color="dimgrey", fontsize=8)
        ax.set_xticks([])
        ax.set_yticks([])
        return None
    low, high = limits
    steps = connectivity.shape[0]
    measured = np.flatnonzero(~np.isnan(connectivity).all(axis=1))  # [R] a long probe's measured target rows
    measured = measured if measured.size else np.arange(steps)
    above = measured[:, None] < np.arange(steps)[None, :]  # [R, T] s > t: no path from input to target
    clipped = np.clip(connectivity[measured].astype(float), low, high)  # [R, T] NaN stays NaN
    shown = np.ma.masked_array(clipped, mask=above | np.isnan(clipped))  # [R, T]
    cmap = colormaps["magma"].with_extremes(bad="white")
    image = ax.imshow(shown, aspect="auto", interpolation="nearest", cmap=cmap, norm=LogNorm(vmin=low, vmax=high),
                      extent=(-0.5, steps - 0.5, steps - 0.5, -0.5))  # R evenly spaced rows drawn over the T targets
    ax.set_ylabel("target t", fontsize=8)
    ax.tick_params(axis="y", labelsize=7)
    return image
