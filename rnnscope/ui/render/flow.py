"""The gradient-flow view: ||dl_T/dh_t|| (and ||dl_T/dc_t||) over time on a log scale, with the verdict."""

from __future__ import annotations

import numpy as np

from rnnscope.frames import LayerProbe
from rnnscope.ui.render.accents import Accents
from rnnscope.ui.render.heatmap import colour_bar, heatmap_rows
from rnnscope.ui.render.lines import Line, fixed, seg, si
from rnnscope.ui.render.log_scale import bar_rows, bucket_mean, log10_safe, log_range
from rnnscope.ui.render.palette import SEQUENTIAL, palette_for
from rnnscope.ui.render.window import time_axis

GUTTER = 9  # cells for the y labels / row names
MAX_BAR_ROWS = 8


def horizon_text(layer: LayerProbe) -> str:
    """'∞' when the flow never falls to 1%, else the number of steps."""
    return "∞" if layer.metrics.horizon_is_infinite else f"{layer.metrics.memory_horizon:.0f} steps"


def verdict_line(layer: LayerProbe, accents: Accents) -> Line:
    """'decay/step 0.873 · horizon 34 steps · VANISHING' with the verdict in its colour."""
    metrics = layer.metrics
    return _verdict_segments("", metrics.decay_per_step, horizon_text(layer), metrics.verdict, accents)


def cell_verdict_line(layer: LayerProbe, accents: Accents) -> Line | None:
    """The same for the cell path (from ‖∂l/∂c‖), LSTM only: 'cell: decay 0.990 · horizon ∞ · HEALTHY' (per step
    as the line above; short enough for a third of a 160-column screen)."""
    metrics = layer.metrics
    if metrics.cell_verdict is None:
        return None
    horizon = "∞" if metrics.cell_memory_horizon == float("inf") else f"{metrics.cell_memory_horizon:.0f} steps"
    return _verdict_segments("cell: ", metrics.cell_decay_per_step, horizon, metrics.cell_verdict, accents)


def _verdict_segments(prefix: str, decay: float, horizon: str, verdict: str, accents: Accents) -> Line:
    head = [seg(prefix, accents.label)] if prefix else []
    return head + [
        seg("decay " if prefix else "decay/step ", accents.dim), seg(f"{decay:.3f}"),
        seg(" · horizon ", accents.dim), seg(horizon),
        seg(" · "), seg(verdict.upper(), getattr(accents, verdict, accents.label)),
    ]


def log_strip(logs: np.ndarray, lo: float, hi: float, color_system: str | None) -> Line:
    """One line of colour cells for log values (both half-rows the same colour)."""
    palette = palette_for(SEQUENTIAL, color_system)
    return heatmap_rows(np.repeat(logs[None, :], palette.rows_per_line, axis=0), lo, hi, palette)[0]


def render_flow(layer: LayerProbe, text: str, cursor: int, width: int, height: int, color_system: str | None,
                accents: Accents) -> list[Line]:
    """The flow panel's lines: log bars of ||dl_T/dh_t||, colour strips, time axis, legend, verdicts (h, cell)."""
    columns = max(width - GUTTER, 1)
    series = [("‖∂l/∂h‖", layer.grad_h)] + ([("‖∂l/∂c‖", layer.grad_c)] if layer.grad_c is not None else [])
    lo, hi = log_range(*(values for _, values in series))
    logs = [bucket_mean(log10_safe(values), columns) for _, values in series]
    cell_line = cell_verdict_line(layer, accents)
    rows = max(min(height - 4 - len(series) - (cell_line is not None), MAX_BAR_ROWS), 1)
    bars = bar_rows((logs[0] - lo) / (hi - lo), rows)
    out: list[Line] = []
    for r, bar in enumerate(bars):
        label = si(10**hi) if r == 0 else si(10**lo) if r == rows - 1 else ""
        out.append([seg(fixed(label, GUTTER), accents.dim), seg(bar, accents.bar)])
    out += [[seg(fixed(name, GUTTER), accents.label), *log_strip(values, lo, hi, color_system)]
            for (name, _), values in zip(series, logs)]
    T = len(layer.grad_h)
    if T <= columns:
        axis = time_axis(text, 0, T, cursor, GUTTER, accents)
    else:
        axis = [seg(" " * GUTTER), seg(f"t=0{'t=' + str(T - 1):>{max(columns - 3, 0)}}", accents.dim)]
    legend = colour_bar(palette_for(SEQUENTIAL, color_system), 8)
    legend_line = [seg(fixed("log₁₀", GUTTER), accents.dim), *legend, seg(f" {si(10**lo)} … {si(10**hi)}  ← from l_T")]
    verdicts = [verdict_line(layer, accents)] + ([cell_line] if cell_line is not None else [])
    spare = height - len(out) - len(verdicts)  # a short panel drops the legend, then the axis: the verdicts stay
    return out + [axis, legend_line][: max(spare, 0)] + verdicts
