"""Export cost is bounded whatever the probe length (the figure labels at most what can be read), and a signal
during an export is answered within seconds, leaving nothing partial."""

from __future__ import annotations

import dataclasses
import os
import signal
import time

import numpy as np
import pytest

from rnnscope.exporting import export
from rnnscope.exporting.figure import render_figure
from rnnscope.runner import signals
from rnnscope.runner.signals import SignalGuard, Terminated
from tests.exporting.test_export import write
from tests.fake_frames import make_frame


def _stretched(T: int):
    """A frame whose probe is T steps long (the fake frame's 48 steps repeated)."""
    frame = make_frame("lstm", T=48, H=8, V=12)
    probe, reps = frame.probe, -(-T // 48)

    def tile(array, axis):
        return None if array is None else np.concatenate([array] * reps, axis=axis).take(range(T), axis=axis)

    layers = tuple(dataclasses.replace(layer, gates=tile(layer.gates, 1), cell=tile(layer.cell, 0),
                                       hidden=tile(layer.hidden, 0), pre_activation=tile(layer.pre_activation, 0),
                                       grad_h=tile(layer.grad_h, 0), grad_c=tile(layer.grad_c, 0),
                                       grad_h_total=tile(layer.grad_h_total, 0)) for layer in probe.layers)
    text = (probe.text[:-1] * reps)[:T] + probe.text[-1]
    probe = dataclasses.replace(probe, text=text, ids=tile(probe.ids, 0), targets=tile(probe.targets, 0),
                                probs=tile(probe.probs, 0), layers=layers, connectivity=None)
    return dataclasses.replace(frame, probe=probe)


def _texts(monkeypatch, T: int) -> int:
    """How many text artists the figure of a T-step probe holds."""
    from matplotlib.figure import Figure

    counted = []
    real = Figure.savefig
    monkeypatch.setattr(Figure, "savefig", lambda fig, *a, **k: counted.append(
        sum(len(ax.texts) for ax in fig.axes)) or real(fig, *a, **k))
    render_figure(_stretched(T), os.devnull)
    return counted[0]


@pytest.mark.slow
def test_the_figure_holds_no_more_labels_for_a_long_probe(monkeypatch):
    short, long_, huge = _texts(monkeypatch, 64), _texts(monkeypatch, 2_000), _texts(monkeypatch, 20_000)
    assert long_ <= 2 * short + 100 and huge <= long_ + 20, (short, long_, huge)


@pytest.mark.slow
def test_a_figure_of_a_long_probe_takes_about_as_long_as_a_short_one(tmp_path):
    """Interleaved on a loaded machine: a ratio, not seconds (was 12 s for 500 characters, 60 s for 8,000)."""
    times = {64: [], 8_000: []}
    frames = {T: _stretched(T) for T in times}
    for _ in range(2):
        for T, frame in frames.items():
            started = time.perf_counter()
            render_figure(frame, tmp_path / f"{T}.png")
            times[T].append(time.perf_counter() - started)
    assert min(times[8_000]) < 3 * min(times[64]) + 1.0, times


@pytest.mark.slow
def test_a_signal_during_a_slow_export_is_answered_within_the_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(signals, "FINISH_WAIT_S", 0.5)
    monkeypatch.setattr(export, "render_figure", lambda frame, path: time.sleep(30))  # an export that never ends
    frame = make_frame("lstm", T=12, H=6, V=9)
    began = time.monotonic()
    with pytest.raises(Terminated):
        with SignalGuard().installed() as guard, guard.finishing():
            os.kill(os.getpid(), signal.SIGTERM)
            write(tmp_path, frame)
    assert time.monotonic() - began < 5
    assert list(tmp_path.iterdir()) == []  # the half-built snapshot folder is gone
    assert signal.getsignal(signal.SIGALRM) == signal.SIG_DFL


def test_a_second_signal_abandons_the_export_at_once(tmp_path, monkeypatch):
    monkeypatch.setattr(export, "render_figure", lambda frame, path: (os.kill(os.getpid(), signal.SIGTERM),
                                                                       time.sleep(30)))
    frame = make_frame("lstm", T=12, H=6, V=9)
    began = time.monotonic()
    with pytest.raises(Terminated):
        with SignalGuard().installed() as guard, guard.finishing():
            os.kill(os.getpid(), signal.SIGTERM)
            write(tmp_path, frame)
    assert time.monotonic() - began < 5 and list(tmp_path.iterdir()) == []


def test_a_quick_export_still_finishes_before_the_signal_ends_the_run(tmp_path):
    frame = make_frame("lstm", T=12, H=6, V=9)
    with pytest.raises(Terminated):
        with SignalGuard().installed() as guard, guard.finishing():
            os.kill(os.getpid(), signal.SIGTERM)
            write(tmp_path, frame)
    assert [p.name for p in tmp_path.iterdir()] == ["step-000100"]
