"""The memory renderer (bars by distance with chance, or the context curve with full) and the flow's cell line."""

import dataclasses

import numpy as np

from rnnscope.contracts.frames import MemoryReading
from rnnscope.ui.render.accents import DEFAULT_ACCENTS
from rnnscope.ui.render.flow import render_flow
from rnnscope.ui.render.memory import REFERENCE, WAITING_MEMORY, reference_row, render_memory, used_context
from tests.fake_frames import make_frame


def text(line) -> str:
    return "".join(segment.text for segment in line)


def _memory(task="recall", accuracy=(1.0, 1.0, 0.9, 0.6, 0.3, 0.0), losses=(3.3, 2.6, 2.1, 1.8, 1.62, 1.6, 1.58)):
    return MemoryReading(
        step=4000, context_k=np.array([1, 2, 4, 8, 16, 32, 64]), context_loss=np.array(losses), full=losses[-1],
        task=task, distance_range=(5, 50) if task else None, chance=1 / 26 if task else None,
        distances=np.array([5, 14, 23, 32, 41, 50]) if task else np.zeros(0, dtype=np.int64),
        accuracy=np.array(accuracy) if task else np.zeros(0), items=np.array([64] * 6) if task else np.zeros(0),
        cost_ms=12.0)


def _bar_heights(lines, rows, labels_line):
    """Filled cells per label's column group, counted over the bar rows."""
    labels = text(labels_line)
    starts = [i for i, ch in enumerate(labels) if ch != " " and (i == 0 or labels[i - 1] == " ")]
    return [sum(text(line)[s] in "▁▂▃▄▅▆▇█" for line in lines[:rows]) for s in starts]


def test_accuracy_bars_follow_the_accuracy_and_mark_chance():
    memory = _memory()
    lines = render_memory(memory, 70, 14, DEFAULT_ACCENTS)
    rows = 14 - 3
    assert len(lines) == 14
    heights = _bar_heights(lines, rows, lines[rows + 1])
    assert heights == sorted(heights, reverse=True) and heights[0] == rows and heights[-1] == 0
    assert "d=5" in text(lines[rows + 1]) and "d=50" in text(lines[rows + 1])
    assert "1.00" in text(lines[rows]) and "0.30" in text(lines[rows])
    chance_row = text(lines[reference_row(1 / 26, rows)])
    assert REFERENCE in chance_row  # the chance line shows between and through the short bars
    assert "chance 0.04" in text(lines[-1]) and "recall" in text(lines[-1])


def test_context_curve_bars_fall_with_context_and_mark_full():
    memory = _memory(task=None)
    lines = render_memory(memory, 70, 14, DEFAULT_ACCENTS)
    rows = 14 - 4  # the reading takes two lines at 70 columns
    assert len(lines) == 14 and text(lines[-2]).startswith("context curve:")
    heights = _bar_heights(lines, rows, lines[rows + 1])
    assert heights[0] == rows and heights == sorted(heights, reverse=True)
    assert "k=1" in text(lines[rows + 1]) and "k=64" in text(lines[rows + 1])
    assert any(REFERENCE in text(line) for line in lines[:rows])
    reading = text(lines[-2]) + " " + text(lines[-1])
    assert "full 1.58" in reading and "uses ~16" in reading
    assert used_context(memory) == 16  # the first k within 0.05 nats of full


def test_memory_waits_and_fits_any_size():
    waiting = [text(line) for line in render_memory(None, 40, 10, DEFAULT_ACCENTS)]
    assert " ".join(waiting) == WAITING_MEMORY and max(map(len, waiting)) <= 40
    for width, height in ((12, 3), (30, 6), (200, 40)):
        for memory in (_memory(), _memory(task=None)):
            lines = render_memory(memory, width, height, DEFAULT_ACCENTS)
            assert all(len(text(line)) <= max(width, 6 + 7) for line in lines)
            assert len(lines) <= max(height, 5)


def test_flow_shows_the_cell_path_verdict_for_an_lstm():
    layer = make_frame(model="lstm", T=24).probe.layers[0]
    metrics = dataclasses.replace(layer.metrics, cell_decay_per_step=0.995, cell_memory_horizon=919.0,
                                  cell_verdict="healthy")
    layer = dataclasses.replace(layer, metrics=metrics)
    lines = [text(line) for line in render_flow(layer, "x" * 25, 3, 60, 16, "truecolor", DEFAULT_ACCENTS)]
    assert lines[-1].startswith("cell: ") and "0.995" in lines[-1] and "HEALTHY" in lines[-1]
    assert "919 steps" in lines[-1]
    assert f"{layer.metrics.decay_per_step:.3f}" in lines[-2]  # the hidden path's verdict just above
    assert any("‖∂l/∂h‖" in line for line in lines) and any("‖∂l/∂c‖" in line for line in lines)


def test_a_short_flow_panel_drops_legend_and_axis_before_the_verdicts():
    layer = make_frame(model="lstm", T=24).probe.layers[0]
    tall = [text(line) for line in render_flow(layer, "x" * 25, 3, 60, 16, "truecolor", DEFAULT_ACCENTS)]
    short = [text(line) for line in render_flow(layer, "x" * 25, 3, 60, 6, "truecolor", DEFAULT_ACCENTS)]
    assert any(line.startswith("log₁₀") for line in tall) and not any(line.startswith("log₁₀") for line in short)
    assert len(short) == 6 and short[-2:] == tall[-2:] and short[-1].startswith("cell: ")


def test_numbers_under_narrow_bars_keep_a_blank_between_them():
    from rnnscope.ui.render.memory import under_bars

    assert under_bars(["3.31", "3.10", "2.00"], 4) == ["3.3", "3.1", "2.0"]
    assert under_bars(["k=1", "k=16", "k=32"], 4) == ["1", "16", "32"]  # one form for all
    assert under_bars(["0.91", "1.00"], 2) == ["", ""]  # never a rounded '1' for 0.91


def test_a_diverged_context_curve_reads_diverged_not_nan():
    memory = dataclasses.replace(_memory(task=None), context_loss=np.full(7, np.nan), full=float("nan"))
    for width, height in ((70, 14), (40, 8)):
        shown = "\n".join(text(line) for line in render_memory(memory, width, height, DEFAULT_ACCENTS))
        assert "diverged" in shown and "nan" not in shown
