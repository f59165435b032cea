"""The gradient-flow view: ||dl_T/dh_t|| (and ||dl_T/dc_t||) over time on a log scale, with the verdict."""

from __future__ import annotations

import math

import numpy as np

from rnnscope import cells
from rnnscope.contracts.frames import LayerProbe
from rnnscope.contracts.states import SHORT_CONTEXT, VANISHING
from rnnscope.ui.render.accents import Accents
from rnnscope.ui.render.heatmap import colour_bar, heatmap_rows
from rnnscope.ui.render.lines import Line, fit, fixed, line_width, seg, si
from rnnscope.ui.render.log_scale import bar_rows, bucket_mean, log10_safe, log_range
from rnnscope.ui.render.palette import SEQUENTIAL, palette_for
from rnnscope.ui.render.window import time_axis

GUTTER = 9  # cells for the y labels / row names
MAX_BAR_ROWS = 8


def horizon_text(layer: LayerProbe) -> str:
    """'∞' when the flow never falls to 1%, else the number of steps."""
    return "∞" if layer.metrics.horizon_is_infinite else f"{layer.metrics.memory_horizon:.0f} steps"


def verdict_line(layer: LayerProbe, accents: Accents, width: int = 80) -> Line:
    """'decay/step 0.873 · horizon 34 steps · VANISHING' with the verdict in its colour (shorter when narrow)."""
    metrics = layer.metrics
    return _verdict_segments("", metrics.decay_per_step, horizon_text(layer), metrics.verdict, accents, width)


def cell_verdict_line(layer: LayerProbe, accents: Accents, width: int = 80) -> Line | None:
    """The same for the cell path (from ‖∂l/∂c‖), LSTM only: 'cell: decay 0.990 · horizon ∞ · HEALTHY'."""
    metrics = layer.metrics
    if metrics.cell_verdict is None:
        return None
    horizon = "∞" if metrics.cell_memory_horizon == float("inf") else f"{metrics.cell_memory_horizon:.0f} steps"
    return _verdict_segments("cell: ", metrics.cell_decay_per_step, horizon, metrics.cell_verdict, accents, width)


def _verdict_segments(prefix: str, decay: float, horizon: str, verdict: str, accents: Accents, width: int) -> Line:
    """The verdict line in the longest of its forms that fits `width` (the verdict itself is never cut off); a
    non-finite flow (the weights overflowed) reads DIVERGED, with no number."""
    head = [seg(prefix, accents.label)] if prefix else []
    if math.isnan(decay):
        return head + [seg("no finite flow · ", accents.dim), seg("DIVERGED", accents.exploding)]
    tail = [seg(verdict.upper(), getattr(accents, verdict, accents.label))]
    forms = [
        [seg("decay " if prefix else "decay/step ", accents.dim), seg(f"{decay:.3f}"), seg(" · horizon ", accents.dim),
         seg(horizon), seg(" · ")],
        [seg("decay ", accents.dim), seg(f"{decay:.3f}"), seg(" · "), seg(horizon), seg(" · ")],
        [seg(f"{decay:.2f} ")],
        [],
    ]
    return next(line for form in forms if line_width(line := head + form + tail) <= width or not form)


def log_strip(logs: np.ndarray, lo: float, hi: float, color_system: str | None) -> Line:
    """One line of colour cells for log values (both half-rows the same colour)."""
    palette = palette_for(SEQUENTIAL, color_system)
    return heatmap_rows(np.repeat(logs[None, :], palette.rows_per_line, axis=0), lo, hi, palette)[0]


SHORT_CONTEXT_FORMS = (SHORT_CONTEXT, "predicted from ~{k} chars: no long memory is needed", "~{k} chars of context suffice")


def short_context_line(context_chars: int, width: int, accents: Accents) -> Line:
    """Why VANISHING on a text need not be a broken cure: what the context curve (memory panel) says, in the longest
    form that fits `width` whole."""
    texts = [form.format(k=context_chars) for form in SHORT_CONTEXT_FORMS]
    return fit([seg(next((text for text in texts if len(text) <= width), texts[-1]), accents.dim)], width)


def render_flow(layer: LayerProbe, text: str, cursor: int, width: int, height: int, color_system: str | None,
                accents: Accents, context_chars: int | None = None, backward: bool = False) -> list[Line]:
    """The flow panel's lines: log bars of ||dl_T/dh_t||, colour strips, time axis, legend, verdicts (h, cell);
    a bidirectional module's backward row (`backward`) flows from l_0 towards T-1.
    A short panel keeps the verdicts first, then one bar row, the strips, the axis, the legend, more bar rows."""
    columns = max(width - GUTTER, 1)
    series = [("‖∂l/∂h‖", layer.grad_h)] + ([("‖∂l/∂c‖", layer.grad_c)] if layer.grad_c is not None else [])
    lo, hi = log_range(*(values for _, values in series))
    logs = [bucket_mean(log10_safe(values), columns) for _, values in series]
    cell_line = cell_verdict_line(layer, accents, width)
    verdicts = [verdict_line(layer, accents, width)] + ([cell_line] if cell_line is not None else [])
    vanishing = VANISHING in (layer.metrics.verdict, layer.metrics.cell_verdict)
    if context_chars is not None and vanishing and height > len(verdicts) + 2:
        verdicts.append(short_context_line(context_chars, width, accents))
    room = height - len(verdicts)
    strips = ([[seg(fixed(name, GUTTER), accents.label), *log_strip(values, lo, hi, color_system)]
               for (name, _), values in zip(series, logs)] + jacobian_strip(layer, columns, color_system, accents)
              )[: max(room - 1, 0)]
    extras = [flow_axis(layer, text, cursor, columns, accents), legend_line(lo, hi, color_system, accents, width, backward)]
    extras = extras[: max(room - 1 - len(strips), 0)]
    rows = min(max(room - len(strips) - len(extras), 1 if room > 0 else 0), MAX_BAR_ROWS)
    bars: list[Line] = []
    for r, bar in enumerate(bar_rows((logs[0] - lo) / (hi - lo), rows) if rows else []):
        label = si(10**hi) if r == 0 else si(10**lo) if r == rows - 1 else ""
        bars.append([seg(fixed(label, GUTTER), accents.dim), seg(bar, accents.bar)])
    return (bars + strips + extras + verdicts)[-height:] if height > 0 else []


def jacobian_strip(layer: LayerProbe, columns: int, color_system: str | None, accents: Accents) -> list[Line]:
    """A diagonal recurrence's Jacobian dh_t / dh_(t-1) (a min cell's `jacobian` gate), its mean over the units per
    step on the 0 … 1 scale: how much of h_(t-1) each step keeps, the factor the flow is multiplied by; none for
    a kind without one."""
    if cells.JACOBIAN not in layer.gate_names:
        return []
    keep = bucket_mean(layer.gates[layer.gate_names.index(cells.JACOBIAN)].mean(axis=1), columns)  # [columns]
    return [[seg(fixed("diag J", GUTTER), accents.label), *log_strip(keep, 0.0, 1.0, color_system)]]


def flow_axis(layer: LayerProbe, text: str, cursor: int, columns: int, accents: Accents) -> Line:
    """The probe's characters under the columns, or 't=0 … t=T-1' when the flow is bucketed into fewer columns."""
    T = len(layer.grad_h)
    if T <= columns:
        return time_axis(text, 0, T, cursor, GUTTER, accents)
    return [seg(" " * GUTTER), seg(f"t=0{'t=' + str(T - 1):>{max(columns - 3, 0)}}", accents.dim)]


def legend_line(lo: float, hi: float, color_system: str | None, accents: Accents, width: int,
                backward: bool = False) -> Line:
    """The strips' colour scale; '← from l_T' (where the flow starts; 'from l_0 →' for a backward row) only when it
    fits."""
    legend = colour_bar(palette_for(SEQUENTIAL, color_system), 8)
    line = [seg(fixed("log₁₀", GUTTER), accents.dim), *legend, seg(f" {si(10**lo)} … {si(10**hi)}")]
    note = seg("  from l_0 →" if backward else "  ← from l_T")
    return line + [note] if line_width(line) + len(note.text) <= width else fit(line, width)
