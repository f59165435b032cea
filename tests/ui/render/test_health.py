"""The sigma_max & saturation panel explains a vanilla RNN's flow: the tanh slope beside sigma_max (a sigma above 1
is not drawn in the exploding colour), the ReLU's active share."""

from __future__ import annotations

import numpy as np

from rnnscope.ui.render.accents import DEFAULT_ACCENTS
from rnnscope.ui.render.health import render_health, slope_lines
from tests.fake_frames import make_frame


def text(lines) -> list[str]:
    return ["".join(s.text for s in line) for line in lines]


def test_a_tanh_rnn_shows_its_saturation_and_mean_slope():
    layer = make_frame(model="rnn-tanh", T=24, H=16).probe.layers[0]
    lines = render_health(layer.metrics, 60, 20, DEFAULT_ACCENTS,
                          slope_lines(layer.hidden, layer.pre_activation, False, DEFAULT_ACCENTS))
    shown = text(lines)
    assert not any("no sigmoid gates" in line for line in shown)
    slope = float(np.mean(1 - layer.hidden**2))
    saturated = float(np.mean(np.abs(layer.hidden) > 0.9))
    tanh = next(line for line in shown if line.startswith("tanh"))
    assert f"mean f' = 1 - h² {slope:.2f}" in tanh and f"{saturated:4.0%}" in tanh
    sigma_segment = next(s for s in lines[1] if s.text.strip() and s.text.strip()[0].isdigit())
    assert sigma_segment.style != DEFAULT_ACCENTS.exploding  # 3.99 is not "exploding" when the flow vanishes


def test_a_relu_rnn_shows_the_share_of_active_units():
    layer = make_frame(model="rnn-relu", T=24, H=16).probe.layers[0]
    shown = text(slope_lines(layer.hidden, layer.pre_activation, True, DEFAULT_ACCENTS))
    active = float(np.mean(layer.pre_activation > 0))
    assert f"active {active:4.0%}" in shown[0]
