"""figure.png's loss plot uses the dashboard's axis: one spike (a val loss of 3e12 after `a`) does not flatten it."""

import dataclasses

import numpy as np
from matplotlib.figure import Figure

from rnnscope.exporting.figure import _loss_curve
from tests.fake_frames import make_frame


def test_a_spike_is_clipped_as_on_the_dashboard():
    steps = np.arange(1, 401, dtype=float)
    train = np.stack([steps, 3.0 - steps / 400], axis=1)  # [400, 2] falling from 3 to 2
    val = np.array([[100.0, 2.8], [200.0, 2.5], [300.0, 3e12], [400.0, 2.1]])  # [4, 2] one spike
    frame = dataclasses.replace(make_frame(), loss_history=train, val_history=val, events=())
    ax = Figure().add_subplot()
    _loss_curve(ax, frame)
    low, high = ax.get_ylim()
    assert 1.9 < low < 2.1 and 2.5 < high < 5.0, (low, high)  # the curves, not 3e12
    assert "clipped" in ax.get_title()
