"""sigma_max of W_hh (per gate block) and gate saturation, with what the numbers mean."""

from __future__ import annotations

import math

import numpy as np

from rnnscope.contracts.frames import LayerMetrics
from rnnscope.ui.render.accents import Accents
from rnnscope.ui.render.lines import Line, cells_of, fixed, seg

LABEL = 9
HINT = "σmax > 1 is needed to explode; < 1 vanishes (tanh)"
SATURATION_HINT = "saturated gates (<0.1 / >0.9) pass little gradient"
SLOPE_HINT = "each step back: × W_hh and × f' (the slope)"


def sigma_line(name: str, sigma: float, columns: int, accents: Accents) -> Line:
    """'forget  1.02 ━━━━━━━━│━━' : a bar to sigma on a 0..2 scale with 1 marked (not in a verdict's colour: a
    sigma above 1 does not make the flow explode, see the saturation below)."""
    scale = max(columns - 6, 4)
    filled = cells_of(sigma / 2.0, scale)
    one = scale // 2
    bar = "".join("│" if i == one else "━" if i < filled else " " for i in range(scale))
    return [seg(fixed(name, LABEL), accents.dim), seg(f"{sigma:5.2f} ", accents.label), seg(bar, accents.bar)]


def saturation_line(name: str, low: float, high: float, columns: int, accents: Accents) -> Line:
    """'forget   low  12% ▓▓░ high  40% ▓▓▓▓' fractions of entries near 0 and near 1."""
    scale = max((columns - LABEL - 20) // 2, 2)  # "low  12% " and " high  40% " beside the two bars

    def part(fraction: float) -> str:
        return fixed("█" * cells_of(fraction, scale), scale)

    return [seg(fixed(name, LABEL), accents.dim), seg(f"low {low:4.0%} "), seg(part(low), accents.vanishing),
            seg(f" high {high:4.0%} "), seg(part(high), accents.exploding)]


def slope_lines(hidden: np.ndarray, pre_activation: np.ndarray | None, relu: bool, accents: Accents) -> list[Line]:
    """A vanilla RNN's saturation, read off the probe: tanh, the share of |h| > 0.9 and the mean slope
    tanh' = 1 - h²; ReLU, the share of units active (slope 1) and off (slope 0)."""
    if relu:
        values = pre_activation if pre_activation is not None else hidden
        finite = values[np.isfinite(values)]
        active = float(np.mean(finite > 0)) if finite.size else math.nan
        return [[seg(fixed("relu", LABEL), accents.dim), seg(f"active {active:4.0%} (f' = 1)  "),
                 seg(f"off {1 - active:4.0%} (f' = 0)", accents.vanishing)]]
    finite = hidden[np.isfinite(hidden)]
    saturated = float(np.mean(np.abs(finite) > 0.9)) if finite.size else math.nan
    slope = float(np.mean(1.0 - finite**2)) if finite.size else math.nan
    return [[seg(fixed("tanh", LABEL), accents.dim), seg(f"|h| > 0.9 {saturated:4.0%}  "),
             seg(f"mean f' = 1 - h² {slope:.2f}", accents.vanishing)]]


def render_health(metrics: LayerMetrics, width: int, height: int, accents: Accents,
                  vanilla: list[Line] | None = None) -> list[Line]:
    """σmax per gate block (or one for a vanilla RNN), the hint, and saturation per sigmoid gate (a vanilla RNN's
    `vanilla` lines: its activation's saturation and slope)."""
    columns = max(width - LABEL, 8)
    sigmas = metrics.sigma_max if isinstance(metrics.sigma_max, dict) else {"W_hh": metrics.sigma_max}
    lines: list[Line] = [[seg("σmax(W_hh)", accents.label), seg("  0 … 2, │ = 1", accents.dim)]]
    lines += [sigma_line(name, float(sigma), columns, accents) for name, sigma in sigmas.items()]
    lines.append([seg(HINT, accents.dim)])
    if metrics.saturation:
        lines.append([seg("saturation", accents.label)])
        lines += [saturation_line(n, s.low, s.high, width, accents) for n, s in metrics.saturation.items()]
        lines.append([seg(SATURATION_HINT, accents.dim)])
    elif vanilla:
        lines += [[seg("saturation", accents.label)], *vanilla, [seg(SLOPE_HINT, accents.dim)]]
    else:
        lines.append([seg("no sigmoid gates: vanilla RNN", accents.dim)])
    if len(lines) > height:  # short panel: the numbers matter more than the hints
        lines = [line for line in lines if line[0].text not in (HINT, SATURATION_HINT, SLOPE_HINT)]
    return lines
