"""sigma_max of W_hh (per gate block) and gate saturation, with what the numbers mean."""

from __future__ import annotations

from rnnscope.frames import LayerMetrics
from rnnscope.ui.render.accents import Accents
from rnnscope.ui.render.lines import Line, cells_of, fixed, seg

LABEL = 9
HINT = "σmax > 1 is needed to explode; < 1 vanishes (tanh)"
SATURATION_HINT = "saturated gates (<0.1 / >0.9) pass little gradient"


def sigma_line(name: str, sigma: float, columns: int, accents: Accents) -> Line:
    """'forget  1.02 ━━━━━━━━│━━' : a bar to sigma on a 0..2 scale with 1 marked."""
    scale = max(columns - 6, 4)
    filled = cells_of(sigma / 2.0, scale)
    one = scale // 2
    bar = "".join("│" if i == one else "━" if i < filled else " " for i in range(scale))
    style = accents.exploding if sigma > 1.0 else accents.vanishing
    return [seg(fixed(name, LABEL), accents.dim), seg(f"{sigma:5.2f} ", style), seg(bar, accents.bar)]


def saturation_line(name: str, low: float, high: float, columns: int, accents: Accents) -> Line:
    """'forget   low  12% ▓▓░ high  40% ▓▓▓▓' fractions of entries near 0 and near 1."""
    scale = max((columns - 20) // 2, 2)

    def part(fraction: float) -> str:
        return fixed("█" * cells_of(fraction, scale), scale)

    return [seg(fixed(name, LABEL), accents.dim), seg(f"low {low:4.0%} "), seg(part(low), accents.vanishing),
            seg(f" high {high:4.0%} "), seg(part(high), accents.exploding)]


def render_health(metrics: LayerMetrics, width: int, height: int, accents: Accents) -> list[Line]:
    """σmax per gate block (or one for a vanilla RNN), the hint, and saturation per sigmoid gate."""
    columns = max(width - LABEL, 8)
    sigmas = metrics.sigma_max if isinstance(metrics.sigma_max, dict) else {"W_hh": metrics.sigma_max}
    lines: list[Line] = [[seg("σmax(W_hh)", accents.label), seg("  0 … 2, │ = 1", accents.dim)]]
    lines += [sigma_line(name, float(sigma), columns, accents) for name, sigma in sigmas.items()]
    lines.append([seg(HINT, accents.dim)])
    if metrics.saturation:
        lines.append([seg("saturation", accents.label)])
        lines += [saturation_line(n, s.low, s.high, width, accents) for n, s in metrics.saturation.items()]
        lines.append([seg(SATURATION_HINT, accents.dim)])
    else:
        lines.append([seg("no sigmoid gates: vanilla RNN", accents.dim)])
    if len(lines) > height:  # short panel: the numbers matter more than the hints
        lines = [line for line in lines if line[0].text not in (HINT, SATURATION_HINT)]
    return lines
