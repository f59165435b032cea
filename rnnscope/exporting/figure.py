"""Render a Frame's panels as one labelled matplotlib figure (figure.png of a snapshot)."""

from __future__ import annotations

import contextlib
import logging
import math
import textwrap
import warnings
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

import numpy as np

from rnnscope import cells
from rnnscope.contracts.frames import Frame, LayerProbe
from rnnscope.contracts.loss_axis import y_range
from rnnscope.contracts.visible import visible_alone
from rnnscope.exporting.figure_connectivity import connectivity_map
from rnnscope.exporting.figure_memory import memory_plot

PANEL_COLUMNS = 3  # heatmaps per figure row
WIDTH_IN, DPI = 16.0, 100  # 1600 px wide
ROW_HEIGHT_IN = 3.2  # one row of panels
TITLE_IN = 0.7  # room for the headline
CLAIM_LINE_IN, CLAIM_WIDTH = 0.22, 150  # a lesson's claim above the headline: height per line, characters per line
TICK_FONT_PT, TICK_LINE_PT = 6.5, 8.0  # time-axis characters and their line height
STAGGER_ABOVE = 40  # more time steps than this: characters on two alternating lines
LABEL_ADVANCE = 1.1  # a tick character's width with its gap, in font sizes (wide symbols such as ⏎ included)
MAX_EVENT_LABELS = 40  # the loss curve names the latest events only (a page holds no more)


@lru_cache(maxsize=1)
def font_has():
    """A predicate telling whether matplotlib's default font draws a character."""
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    font = FT2Font(font_manager.findfont(font_manager.FontProperties()))
    return lambda ch: font.get_char_index(ord(ch)) != 0


def visible_char(ch: str) -> str:
    """A tick label for a probe character: the screen's symbol (rnnscope.contracts.visible), U+XXXX where the font lacks it."""
    symbol = visible_alone(ch)
    return symbol if font_has()(symbol) else f"U+{ord(ch):04X}"


def _time_ticks(ax, text: str, steps: int) -> None:
    """Label the time axis with the probe characters read, one under each column, as many as can be read.

    Plain text artists, not matplotlib ticks: 64 Tick objects per axis would triple the render time.
    Long probes alternate the characters over two lines so wide letters do not collide; a probe longer than
    the axis can show labels every k-th step (the label says so): the figure never holds more text than fits,
    so its cost does not grow with the probe's length.
    """
    from matplotlib.transforms import blended_transform_factory, offset_copy

    below_axis = blended_transform_factory(ax.transData, ax.transAxes)
    lines = 2 if steps > STAGGER_ABOVE else 1
    every = max(1, math.ceil(steps / _readable_labels(ax, lines)))
    rows = [offset_copy(below_axis, ax.figure, y=-2 - TICK_LINE_PT * line, units="points") for line in range(lines)]
    ax.set_xticks([])
    for n, t in enumerate(range(0, min(steps, len(text)), every)):
        ax.text(t, 0, visible_char(text[t]), transform=rows[n % lines], ha="center", va="top", fontsize=TICK_FONT_PT,
                parse_math=False)
    read = "probe character read at each step →" if every == 1 else f"probe character read, every {every}th step →"
    ax.set_xlabel(read, fontsize=7, labelpad=2 + TICK_LINE_PT * lines)


def _readable_labels(ax, lines: int) -> int:
    """How many one-character labels the axis holds side by side on `lines` staggered lines."""
    width_pt = ax.get_position().width * ax.figure.get_figwidth() * 72
    return max(1, int(width_pt / (TICK_FONT_PT * LABEL_ADVANCE)) * lines)


def _heatmap(fig, ax, values: np.ndarray, text: str, title: str, signed: bool) -> None:
    """values [T, H] drawn units x time with a colour bar; signed data on a 0-centred diverging map, unsigned from 0."""
    if signed:
        finite = np.abs(values[np.isfinite(values)])  # [n] finite magnitudes (a diverged run has none)
        limit = float(finite.max()) if finite.size and finite.max() > 0 else 1.0
        image = ax.imshow(values.T, aspect="auto", interpolation="nearest", cmap="RdBu_r", vmin=-limit, vmax=limit)
    else:  # a gate in 0 … 1; a positive unbounded one (a min cell's candidate) up to its largest value
        finite = values[np.isfinite(values)]  # [n]
        top = max(1.0, float(finite.max())) if finite.size else 1.0
        image = ax.imshow(values.T, aspect="auto", interpolation="nearest", cmap="viridis", vmin=0.0, vmax=top)
    ax.set_title(title, fontsize=9)
    ax.set_ylabel("unit", fontsize=8)
    ax.tick_params(axis="y", labelsize=7)
    _time_ticks(ax, text, values.shape[0])
    fig.colorbar(image, ax=ax, fraction=0.04, pad=0.01).ax.tick_params(labelsize=7)


def _connectivity(fig, ax, frame: Frame) -> None:
    image = connectivity_map(ax, frame.probe.connectivity, len(frame.probe.ids))
    if image is not None:
        from matplotlib.ticker import FuncFormatter, NullFormatter

        _time_ticks(ax, frame.probe.text, len(frame.probe.ids))
        bar = fig.colorbar(image, ax=ax, fraction=0.04, pad=0.01).ax
        bar.tick_params(labelsize=7)
        # plain labels: mathtext ones are slow (benchmarks/README.md, by hand)
        bar.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
        bar.yaxis.set_minor_formatter(NullFormatter())


def _gate_title(name: str, index: int, layer: LayerProbe) -> str:
    metrics = layer.metrics
    parts = [f"l{index} {name} gate"]
    if isinstance(metrics.sigma_max, dict) and name in metrics.sigma_max:
        parts.append(f"σmax {metrics.sigma_max[name]:.2f}")
    if name in metrics.saturation:
        sat = metrics.saturation[name]
        parts.append(f"sat <0.1: {sat.low:.0%}  >0.9: {sat.high:.0%}")
    return " · ".join(parts)


def _layer_panels(index: int, layer: LayerProbe) -> list[tuple[np.ndarray, str, bool]]:
    """(values [T, H], title, signed) for every heatmap of one layer."""
    panels = [
        (gate, _gate_title(name, index, layer), cells.gate(name).activation == cells.TANH)
        for name, gate in zip(layer.gate_names, layer.gates)
    ]
    if layer.pre_activation is not None:
        sigma = layer.metrics.sigma_max
        sigma_text = f" · σmax {sigma:.2f}" if not isinstance(sigma, dict) else ""
        panels.append((layer.pre_activation, f"l{index} pre-activation{sigma_text}", True))
    if layer.cell is not None:
        panels.append((layer.cell, f"l{index} cell state c_t", True))
    panels.append((layer.hidden, f"l{index} hidden state h_t", True))
    return panels


def _flow_summary(index: int, layer: LayerProbe) -> str:
    metrics = layer.metrics
    horizon = "∞" if metrics.horizon_is_infinite else f"{metrics.memory_horizon:.0f}"
    text = f"l{index}: decay {metrics.decay_per_step:.3f}/step, horizon {horizon} steps, {metrics.verdict}"
    if metrics.cell_verdict is not None:
        text += f"; cell {metrics.cell_decay_per_step:.3f}/step, {metrics.cell_verdict}"
    return text


def _gradient_flow(ax, frame: Frame) -> None:
    probe = frame.probe
    curves = [(f"l{i} ‖dl_T/dh_t‖", layer.grad_h, "-") for i, layer in enumerate(probe.layers)]
    curves += [(f"l{i} ‖dl_T/dc_t‖", layer.grad_c, "--") for i, layer in enumerate(probe.layers) if layer.grad_c is not None]
    drawable_any = False
    for label, flow, style in curves:
        drawable = np.where(np.isfinite(flow) & (flow > 0), flow, np.nan)  # [T] log scale needs positive values
        ax.plot(drawable, marker=".", linestyle=style, label=label)
        drawable_any = drawable_any or bool(np.isfinite(drawable).any())
    if drawable_any:  # a diverged probe may have nothing positive and finite to put on a log axis
        from matplotlib.ticker import FuncFormatter, NullFormatter

        ax.set_yscale("log")
        # plain labels: mathtext ones are slow (benchmarks/README.md, by hand)
        ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
        ax.yaxis.set_minor_formatter(NullFormatter())
    ax.set_title(f"gradient flow back through time (probe @ step {probe.step})\n" + "\n".join(
        _flow_summary(i, layer) for i, layer in enumerate(probe.layers)), fontsize=9)
    ax.set_ylabel("gradient norm (log)", fontsize=8)
    ax.tick_params(axis="y", labelsize=7)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=7, loc="best")
    _time_ticks(ax, probe.text, len(probe.ids))


def _loss_curve(ax, frame: Frame) -> None:
    if len(frame.loss_history):
        ax.plot(frame.loss_history[:, 0], frame.loss_history[:, 1], linewidth=1, label="train")
    if len(frame.val_history):
        ax.plot(frame.val_history[:, 0], frame.val_history[:, 1], marker="o", markersize=3, label="val")
    for event in frame.events[-MAX_EVENT_LABELS:]:
        ax.axvline(event.step, color="grey", linestyle=":", linewidth=1)
        ax.annotate(event.label, (event.step, 0.98), xycoords=("data", "axes fraction"), rotation=90,
                    fontsize=7, va="top", ha="right", color="dimgrey")
    lo, hi, clipped = y_range([frame.loss_history, frame.val_history])  # the dashboard's axis: a spike is clipped
    if len(frame.loss_history) or len(frame.val_history):
        ax.set_ylim(lo - 0.02 * (hi - lo), hi + 0.02 * (hi - lo))
    clipped_note = f"; values above {hi:.3g} clipped" if clipped else ""
    ax.set_title(f"loss (nats / char); dotted lines: toggles and re-inits{clipped_note}", fontsize=9)
    ax.set_xlabel("step", fontsize=8)
    ax.tick_params(labelsize=7)
    ax.grid(True, alpha=0.3)
    if len(frame.loss_history) or len(frame.val_history):
        ax.legend(fontsize=7, loc="upper right")
    else:
        ax.text(0.5, 0.5, "no training step yet", transform=ax.transAxes, ha="center", color="dimgrey")


def _loss(value: float) -> str:
    return f"{value:.3f}" if math.isfinite(value) else "–"


def _headline(frame: Frame) -> str:
    status, config = frame.status, frame.status.config
    clip = "off" if config.clip is None else f"{config.clip:g}"
    return (
        f"{config.model} · {config.layers}×{config.hidden} units, embed {config.embed} · step {status.step} · "
        f"train {_loss(status.train_loss)} / val {_loss(status.val_loss)} nats/char · "
        f"probe @ step {frame.probe.step} {frame.probe.loss:.3f} · "
        f"clip {clip} · init {config.init} ×{config.init_gain:g} · {config.optimizer} lr {config.lr:g}"
    )


def claim_lines(frame: Frame) -> list[str]:
    """The claim of the lesson the run demonstrates (RunConfig.lesson), wrapped for a figure's title; [] without."""
    from rnnscope.lessons import find_lesson

    lesson = find_lesson(frame.status.config.lesson) if frame.status.config.lesson else None
    return textwrap.wrap(lesson.claim, CLAIM_WIDTH) if lesson else []


@contextlib.contextmanager
def quiet_matplotlib() -> Iterator[None]:
    """Every figure is drawn in here: matplotlib's cache-folder, font and glyph warnings would land on stderr
    (the headless run's one-line messages, or under the dashboard)."""
    logging.getLogger("matplotlib").setLevel(logging.ERROR)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def render_figure(frame: Frame, path: Path) -> None:
    with quiet_matplotlib():
        _draw_figure(frame, path)


def _draw_figure(frame: Frame, path: Path) -> None:
    """Draw the heatmaps of every layer, the connectivity map, gradient flow, memory and loss curve into a PNG at `path`."""
    from matplotlib.figure import Figure  # lazily: importing export stays cheap

    panels = [panel for i, layer in enumerate(frame.probe.layers) for panel in _layer_panels(i, layer)]
    heatmap_rows = math.ceil((len(panels) + 1) / PANEL_COLUMNS)  # + the connectivity map
    claim = claim_lines(frame)
    title_in = TITLE_IN + CLAIM_LINE_IN * len(claim)
    height = ROW_HEIGHT_IN * (heatmap_rows + 1) + title_in
    fig = Figure(figsize=(WIDTH_IN, height), dpi=DPI)
    grid = fig.add_gridspec(
        heatmap_rows + 1, 2 * PANEL_COLUMNS, left=0.05, right=0.965, bottom=0.55 / height,
        top=1 - title_in / height, hspace=0.5, wspace=0.5,
    )
    for slot, (values, title, signed) in enumerate(panels):
        row, column = divmod(slot, PANEL_COLUMNS)
        _heatmap(fig, fig.add_subplot(grid[row, 2 * column: 2 * column + 2]), values, frame.probe.text, title, signed)
    row, column = divmod(len(panels), PANEL_COLUMNS)
    _connectivity(fig, fig.add_subplot(grid[row, 2 * column: 2 * column + 2]), frame)
    _gradient_flow(fig.add_subplot(grid[heatmap_rows, :2]), frame)
    memory_plot(fig.add_subplot(grid[heatmap_rows, 2:4]), frame.memory)
    _loss_curve(fig.add_subplot(grid[heatmap_rows, 4:]), frame)
    fig.suptitle("\n".join([*claim, _headline(frame)]), fontsize=11)
    fig.savefig(path, format="png", pil_kwargs={"compress_level": 3})
