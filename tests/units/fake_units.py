"""A UnitsReading for UI tests: real scores (rnnscope.units.ranking) of made-up states over a small code text, one
unit planted to follow inside-double-quotes, its strength growing with the step."""

from __future__ import annotations

import dataclasses

import numpy as np

from rnnscope.contracts.frames import Frame
from rnnscope.units.ranking import rank_units, text_features

TEXT = ('def f(x):\n    return "a (b)" + g([x, \'y\'])  # note\n' * 60)[:3000]


def make_units(step: int = 100, H: int = 16, layers: int = 1, seed: int = 0, planted: dict | None = None):
    """Scores of random states with the last layer's c units of `planted` (feature -> unit; default in_dquote -> 3)
    following their feature, the more the later the step (fully from step 200)."""
    planted = {"in_dquote": 3} if planted is None else planted
    rng = np.random.default_rng(seed)
    ids = np.array([ord(c) for c in TEXT])
    features, beyond = text_features(TEXT)
    states = []
    for layer in range(layers):
        for kind in ("h", "c"):
            values = rng.normal(size=(len(TEXT), H)).astype(np.float32)
            if layer == layers - 1 and kind == "c":
                strength = min(1.0, step / 200)
                for name, unit in planted.items():
                    values[:, unit] = strength * features[name] + (1 - strength) * values[:, unit]
            states.append((layer, kind, values))
    return rank_units(step, TEXT, ids, states, features, beyond)


def with_units(frame: Frame) -> Frame:
    """`frame` with the units of its step and sizes."""
    hidden = frame.probe.layers[0].hidden.shape[1]
    units = make_units(frame.status.step, hidden, len(frame.probe.layers), seed=frame.status.step)
    return dataclasses.replace(frame, units=units)
