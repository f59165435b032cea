"""Bounded histories: a long run keeps a fixed number of rows spanning the whole run."""

import numpy as np

from rnnscope.training.history import DecimatingHistory, RecentWindow


def test_history_stays_bounded_and_spans_the_run():
    history = DecimatingHistory(columns=2, capacity=64)
    for step in range(1, 10_001):
        history.append(step, step * 0.5)
    rows = history.array()
    assert len(rows) <= 64
    assert rows[0, 0] == 1 and rows[-1, 0] > 9_800  # first step kept, the end is recent
    steps = np.diff(rows[:, 0])
    assert (steps > 0).all() and len(set(steps.tolist())) == 1  # evenly spaced after decimation
    assert np.array_equal(rows[:, 1], rows[:, 0] * 0.5)


def test_history_state_round_trip_continues_identically():
    a, b = DecimatingHistory(1, capacity=16), DecimatingHistory(1, capacity=16)
    for value in range(50):
        a.append(value)
    state = a.state()
    b.set_state(state["rows"], state["stride"], state["seen"])
    for value in range(50, 90):
        a.append(value)
        b.append(value)
    assert np.array_equal(a.array(), b.array())


def test_recent_window_mean():
    window = RecentWindow(size=3)
    assert np.isnan(window.mean())
    for value in (1.0, 2.0, 3.0, 10.0):
        window.add(value)
    assert window.mean() == 5.0
