"""A Scope's units (PRODUCT.md section 13): the watched module's h (and c) over the user's analysis inputs, scored
against the user's features (arrays aligned with those inputs), recorded in the frames' meta for --attach."""

from __future__ import annotations

import time
from collections.abc import Mapping

import numpy as np
import torch
from torch import nn

from rnnscope.contracts.feature_name import FEATURE_NAME
from rnnscope.storage.timeline.units_meta import units_meta
from rnnscope.units.ranking import rank_units
from rnnscope.watch.inputs import ProbeInputs, check_inputs
from rnnscope.watch.watched_probe import WatchedProbe, axis_text

MAX_FEATURES = 16
MAX_STEPS = 65536  # analysis positions: one pass over them runs inside the scope's budget
UNITS_PART = 0.25  # the analyses take at most this part of the scope's time beside training (the rest: probes)


def _array(values: object) -> np.ndarray:
    if isinstance(values, torch.Tensor):
        values = values.detach().cpu()
    return np.asarray(values)


def check_features(features: object, steps: int) -> dict[str, np.ndarray]:
    """{name: [steps] float32}; ValueError (one line: what is wrong, what to give) for anything else."""
    if not isinstance(features, Mapping) or not features:
        raise ValueError("features must be a dict {name: array}, one number per analysis position, e.g. "
                         "{'in_string': mask}")
    if len(features) > MAX_FEATURES:
        raise ValueError(f"features holds {len(features)} features: at most {MAX_FEATURES}")
    checked = {}
    for name, values in features.items():
        if not isinstance(name, str) or not FEATURE_NAME.fullmatch(name):
            raise ValueError(f"features: {str(name)[:40]!r} is no feature name: give a letter, then up to 23 letters, "
                             "digits, _ or -")
        array = _array(values)
        if array.ndim == 2 and 1 in array.shape:
            array = array.reshape(-1)
        if array.dtype.kind not in "biuf" or array.shape != (steps,):
            raise ValueError(f"features[{name!r}] is {array.dtype} of shape {list(array.shape)}: give {steps} numbers "
                             "(or booleans), one per analysis position")
        array = array.astype(np.float32)
        if not np.isfinite(array).all():
            raise ValueError(f"features[{name!r}] holds nan or inf: give finite numbers")
        if array.min() == array.max():
            raise ValueError(f"features[{name!r}] is the same at every position: no unit can follow it; give a "
                             "feature that changes along the analysis inputs")
        checked[name] = array
    return checked


class ScopeUnits:
    """Analyses the watched module over `inputs` (checked like a probe) when its share of the scope's time allows."""

    def __init__(self, inputs: ProbeInputs, features: dict[str, np.ndarray]) -> None:
        self.inputs, self.features = inputs, features
        self.text = axis_text(inputs.labels)[: inputs.steps]  # one character per position, '·' where none is named
        # r beyond the token for token ids; for fixed vectors every position is one class: r beyond = r
        self.ids = inputs.ids.numpy() if inputs.ids is not None else np.zeros(inputs.steps, np.int64)
        self.spent = 0.0  # seconds of analyses so far
        self.meta: dict | None = None  # the last analysis, as the frames' meta records it

    def record(self, step: int, probe: WatchedProbe, spent: float) -> dict:
        """The meta entry for a frame at `step`: a new analysis when none was made yet or the analyses have taken
        at most UNITS_PART of the scope's `spent` seconds, else the last one."""
        if self.meta is None or self.spent <= UNITS_PART * spent:
            started = time.perf_counter()
            states = probe.unit_states(self.inputs)
            frame = rank_units(step, self.text, self.ids, states, self.features, set(self.features))
            self.meta = units_meta(frame)
            self.spent += time.perf_counter() - started
        return self.meta


def scope_units(rnn: nn.RNNBase, analysis: object, features: object, *, embedding: object, vocab: object,
                decode: object) -> ScopeUnits | None:
    """The checked analysis= and features= (None when neither is given); ValueError, one line, naming what is wrong."""
    if analysis is None and features is None:
        return None
    if analysis is None or features is None:
        raise ValueError("give analysis= (inputs like probe=) and features= ({name: one number per position}) together")
    try:
        inputs = check_inputs(rnn, analysis, embedding=embedding, vocab=vocab, decode=decode)
    except ValueError as error:
        raise ValueError(f"analysis (read like the probe): {error}") from None
    if inputs.steps > MAX_STEPS:
        raise ValueError(f"analysis has {inputs.steps:,} positions: at most {MAX_STEPS:,} (one pass over them runs "
                         "inside the scope's budget)")
    return ScopeUnits(inputs, check_features(features, inputs.steps))
