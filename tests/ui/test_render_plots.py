"""Log scales, bars, braille lines, and the flow / gradient-norm / loss renderers built on them."""

import math
from dataclasses import replace

import numpy as np
import pytest
from rich.style import Style

from rnnscope.contracts.frames import Event
from rnnscope.ui.render.accents import DEFAULT_ACCENTS
from rnnscope.ui.render.braille import braille_lines, cell_bits, dot_mask
from rnnscope.ui.render.flow import render_flow
from rnnscope.ui.render.grad_norms import render_grad_norms, short_name
from rnnscope.ui.render.log_scale import bar_rows, bucket_mean, log10_safe, log_range
from rnnscope.ui.render.loss import EVENT_MARK, render_loss
from tests.fake_frames import make_frame


def text(line) -> str:
    return "".join(s.text for s in line)


def test_log_range_spans_the_decades_of_the_data():
    lo, hi = log_range(np.array([1e-5, 1e-2, 0.0]), np.array([10.0]))
    assert (lo, hi) == (-5.0, 1.0)  # the 0 is ignored
    assert log10_safe(np.array([100.0]))[0] == 2.0


def test_bucket_mean_keeps_short_series_and_averages_long_ones():
    assert bucket_mean(np.arange(4.0), 8).tolist() == [0.0, 1.0, 2.0, 3.0]
    assert bucket_mean(np.arange(8.0), 4).tolist() == [0.5, 2.5, 4.5, 6.5]


def test_bar_rows_stack_eighth_blocks_from_the_bottom():
    rows = bar_rows(np.array([0.0, 0.5, 1.0, 1 / 16]), 2)
    assert rows == ["  █ ", " ██▁"]


def test_braille_dots_follow_a_rising_line_from_bottom_left_to_top_right():
    mask = dot_mask(np.array([0.0, 1.0]), np.array([0.0, 1.0]), (0, 1), (0, 1), 2, 1)
    assert mask[3, 0] and mask[0, 3] and not mask[0, 0]
    bits = cell_bits(mask)
    assert bits[0, 0] & 0x40 and bits[0, 1] & 0x08  # bottom-left dot of cell 0, top-right dot of cell 1


def test_braille_later_series_owns_a_shared_cell():
    full = np.ones((4, 2), dtype=bool)
    lines = braille_lines([full, full], [DEFAULT_ACCENTS.train, DEFAULT_ACCENTS.val])
    assert lines[0][0].text == "⣿" and lines[0][0].style == DEFAULT_ACCENTS.val


def test_flow_shows_decay_horizon_and_verdict_from_the_metrics():
    layer = make_frame(model="rnn-tanh", T=24).probe.layers[0]
    lines = [text(line) for line in render_flow(layer, "x" * 25, 3, 50, 14, "truecolor", DEFAULT_ACCENTS)]
    last = lines[-1]
    assert "VANISHING" in last
    assert f"{layer.metrics.decay_per_step:.3f}" in last
    assert f"{layer.metrics.memory_horizon:.0f} steps" in last


def test_flow_says_infinite_horizon_and_exploding():
    layer = make_frame(model="rnn-relu", T=24).probe.layers[0]
    assert math.isinf(layer.metrics.memory_horizon)
    lines = [text(line) for line in render_flow(layer, "x" * 25, 3, 50, 14, "truecolor", DEFAULT_ACCENTS)]
    assert "∞" in lines[-1] and "EXPLODING" in lines[-1]


def test_flow_bars_grow_where_the_gradient_is_larger():
    layer = make_frame(model="rnn-tanh", T=24).probe.layers[0]  # flow shrinks going back in time
    lines = render_flow(layer, "x" * 25, 3, 9 + 24, 14, "truecolor", DEFAULT_ACCENTS)
    top_bar = text(lines[0])[9:]
    assert top_bar[-1] != " " and top_bar[0] == " "  # only the latest steps reach the top row


def test_flow_labels_the_time_axis_with_probe_characters():
    layer = make_frame(model="lstm", T=6).probe.layers[0]
    lines = render_flow(layer, "ab\ncd[e", 2, 40, 14, "standard", DEFAULT_ACCENTS)
    axis = [text(line) for line in lines if "ab⏎cd" in text(line)]
    assert axis and "\n" not in axis[0]
    assert any("‖∂l/∂c‖" in text(line) for line in lines)  # LSTM has the cell-state strip too


def test_grad_norms_mark_the_threshold_and_say_clipping_fired():
    frame = make_frame(step=100, seed=3)
    step = replace(frame.last_step, total_pre=4.0, total_post=1.0, clipped=True)
    lines = [text(line) for line in render_grad_norms(step, 1.0, 60, 20, DEFAULT_ACCENTS)]
    assert "clip 1" in lines[0]
    assert "CLIPPED" in lines[-1] and "×0.25" in lines[-1]
    marks = {line.index("│", 10) for line in lines[1:-1] if "│" in line[10:]}
    assert len(marks) == 1  # the threshold sits in one column on every bar


def test_grad_norms_not_clipped_and_clip_off():
    step = replace(make_frame().last_step, clipped=False)
    lines = [text(line) for line in render_grad_norms(step, None, 60, 20, DEFAULT_ACCENTS)]
    assert "clip off" in lines[0] and "not clipped" in lines[-1]
    assert not any("│" in line for line in lines)


def test_grad_norm_bars_are_longer_for_larger_norms():
    step = replace(make_frame().last_step, grad_norms={"a": 0.001, "b": 1.0}, grad_norms_post={"a": 0.001, "b": 1.0},
                   total_pre=1.0, total_post=1.0, clipped=False)
    lines = [text(line) for line in render_grad_norms(step, None, 60, 20, DEFAULT_ACCENTS)]
    assert lines[2].count("█") > lines[1].count("█") > 0


def test_short_parameter_names():
    assert short_name("rnn.weight_hh_l0") == "W_hh l0"
    assert short_name("embedding.weight") == "embedding"
    assert short_name("head.bias") == "head b"


def test_loss_plot_marks_events_and_reports_nats_and_bpc():
    history = np.column_stack([np.arange(1, 101), np.linspace(4.0, 2.0, 100)])
    val = np.array([[50.0, 3.0], [100.0, 2.2]])
    lines = [text(line) for line in render_loss(history, val, (Event(50, "clip off"),), 46, 12, DEFAULT_ACCENTS)]
    assert EVENT_MARK in lines[0]
    assert lines[-2] == f"train 2.000  val 2.200 nats ({2.0 / math.log(2):.2f} / {2.2 / math.log(2):.2f} bpc)"
    assert "50 clip off" in lines[-1]
    assert lines[8].startswith("2")  # y labels: the lowest loss at the bottom, the later half's top (with headroom)
    assert 3.0 <= float(lines[0][:5].rstrip(" ↑")) <= 4.0  # at the top


def test_loss_labels_are_never_cut_and_a_spike_does_not_flatten_the_curve():
    steps = np.arange(1, 401)
    losses = np.linspace(2.5, 1.5, 400)
    losses[300] = 1.0e3  # one spike
    lines = [text(line) for line in render_loss(np.column_stack([steps, losses]), np.empty((0, 2)), (), 40, 12,
                                                DEFAULT_ACCENTS)]
    plot = lines[:9]
    top, bottom = plot[0][:5].strip(), plot[-1][:5].strip()
    assert top.endswith("↑") and 2.0 <= float(top[:-1]) < 2.5  # the spike (and the start) drawn clipped on top
    assert float(bottom) == 1.5 and all(row[5] == " " for row in plot)  # whole labels, then the gap
    drawn_rows = [row for row in plot if set(row[6:]) - {" "}]
    assert len(drawn_rows) >= 6  # the falling curve spans the plot, not one flat row


def _rows_at_the_right_end(a: np.ndarray, b: np.ndarray, height: int, plot_rows: int) -> dict[str, list[int]]:
    """The plot rows whose rightmost drawn cell is run A's / run B's train colour in the compare overlay."""
    from rnnscope.ui.render.loss_overlay import Curves, render_loss_overlay

    styles = (Style(color="cyan"), Style(color="yellow")), (Style(color="magenta"), Style(color="red"))
    runs = [Curves("A", a, np.empty((0, 2)), (), *styles[0]), Curves("B", b, np.empty((0, 2)), (), *styles[1])]
    lines = render_loss_overlay(runs, 150, height, DEFAULT_ACCENTS)
    last_column = [next((s.style for s in reversed(line) if s.text.strip()), None) for line in lines[:plot_rows]]
    return {name: [r for r, style in enumerate(last_column) if style == styles[i][0]] for i, name in enumerate("AB")}


def test_two_runs_a_few_hundredths_apart_are_on_different_rows():
    steps = np.arange(1, 3001, dtype=float)
    fall = 3.3 * np.exp(-steps / 150)
    rows_of = _rows_at_the_right_end(np.column_stack([steps, 0.28 + fall]), np.column_stack([steps, 0.34 + fall]), 9, 5)
    assert rows_of["A"] and rows_of["B"] and max(rows_of["B"]) < min(rows_of["A"]), rows_of


def test_two_noisy_runs_a_few_hundredths_apart_are_still_on_different_rows():
    steps = np.arange(1, 4001, dtype=float)
    noise = np.random.default_rng(0).normal(0.0, 0.08, size=(2, steps.size))  # per-batch noise wider than the gap
    a, b = np.column_stack([steps, 0.25 + noise[0]]), np.column_stack([steps, 0.34 + noise[1]])
    rows_of = _rows_at_the_right_end(a, b, 12, 8)
    assert rows_of["A"] and rows_of["B"] and max(rows_of["B"]) < min(rows_of["A"]), rows_of


def test_loss_plot_survives_nan_losses():
    history = np.array([[1.0, 3.0], [2.0, np.nan], [3.0, np.inf]])
    lines = render_loss(history, np.empty((0, 2)), (), 30, 8, DEFAULT_ACCENTS)
    assert "val –" in text(lines[-2])


@pytest.mark.parametrize("width", range(1, 14))
def test_flow_draws_in_any_width_narrower_than_its_axis_labels(width):
    layer = make_frame(model="lstm", T=16).probe.layers[0]  # found by the soak: a 20x6 terminal, zoomed flow panel
    assert render_flow(layer, "x" * 17, 3, width, 3, "truecolor", DEFAULT_ACCENTS)


def test_a_nan_flow_reads_diverged_not_nan():
    import math

    from rnnscope.ui.render.accents import DEFAULT_ACCENTS
    from rnnscope.ui.render.flow import _verdict_segments

    line = "".join(s.text for s in _verdict_segments("", math.nan, "nan steps", "exploding", DEFAULT_ACCENTS, 80))
    assert "DIVERGED" in line and "nan" not in line
    fine = "".join(s.text for s in _verdict_segments("", 0.5, "7 steps", "vanishing", DEFAULT_ACCENTS, 80))
    assert fine == "decay/step 0.500 · horizon 7 steps · VANISHING"


def test_a_vanishing_flow_on_a_text_says_what_the_context_curve_shows():
    from rnnscope.contracts.states import SHORT_CONTEXT
    from rnnscope.ui.render.accents import DEFAULT_ACCENTS
    from rnnscope.ui.render.flow import render_flow
    from tests.fake_frames import make_frame

    frame = make_frame(model="rnn-tanh")
    layer, text = frame.probe.layers[0], frame.probe.text
    said = SHORT_CONTEXT.format(k=8)
    lines = ["".join(s.text for s in line) for line in render_flow(layer, text, 0, 120, 12, None, DEFAULT_ACCENTS, 8)]
    plain = ["".join(s.text for s in line) for line in render_flow(layer, text, 0, 120, 12, None, DEFAULT_ACCENTS)]
    vanishing = "vanishing" in (layer.metrics.verdict, layer.metrics.cell_verdict)
    assert (said in lines[-1]) == vanishing and not any(said in line for line in plain)


def test_a_narrow_flow_panel_says_the_context_curve_whole_in_a_shorter_form():
    from rnnscope.contracts.states import SHORT_CONTEXT
    from rnnscope.ui.render.accents import DEFAULT_ACCENTS
    from rnnscope.ui.render.flow import short_context_line

    shown = {width: "".join(s.text for s in short_context_line(8, width, DEFAULT_ACCENTS)) for width in (80, 50, 30)}
    assert shown[80] == SHORT_CONTEXT.format(k=8)
    assert all("…" not in text and "8 char" in text and len(text) <= width for width, text in shown.items())
    assert len(shown[30]) < len(shown[50]) < len(shown[80])


def test_the_events_line_keeps_whole_events_newest_last():
    from rnnscope.contracts.frames import Event
    from rnnscope.ui.render.accents import DEFAULT_ACCENTS
    from rnnscope.ui.render.loss import recent_events

    events = [Event(120, "clip off"), Event(300, "init xavier"), Event(450, "rnn-relu")]
    text = "".join(s.text for s in recent_events(events, 31, DEFAULT_ACCENTS))
    assert text == " 300 init xavier · 450 rnn-relu"  # the oldest does not fit: left out, not cut mid-word
    assert "".join(s.text for s in recent_events(events, 5, DEFAULT_ACCENTS)) == " 450 rnn-relu"  # the newest


def test_the_best_validation_step_is_marked_under_the_loss_plot():
    from rnnscope.ui.render.loss import BEST_MARK, GUTTER

    history = np.column_stack([np.arange(1, 101), np.linspace(4.0, 2.0, 100)])
    val = np.array([[50.0, 2.1], [100.0, 2.4]])  # best at step 50, then rising
    axis = [text(line) for line in render_loss(history, val, (), 46, 12, DEFAULT_ACCENTS, best_step=50)][-3]
    assert axis.count(BEST_MARK) == 1 and abs(axis.index(BEST_MARK) - GUTTER - (46 - GUTTER) // 2) <= 1
    plain = [text(line) for line in render_loss(history, val, (), 46, 12, DEFAULT_ACCENTS)][-3]
    assert BEST_MARK not in plain
