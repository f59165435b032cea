"""Scope's arguments checked at construction: the probe, targets, readout, labels, budget and every."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch
from torch import nn

from rnnscope.storage.timeline.codec import MAX_LABEL  # characters kept of one label


@dataclass(frozen=True)
class ProbeInputs:
    """The probe sequence as the unrolled pass takes it, and what explains its positions."""

    inputs: torch.Tensor  # [1, T, I] float32, on the module's device when made
    targets: torch.Tensor | None  # [T] int64 class ids, or None
    readout: Callable[[torch.Tensor], torch.Tensor] | None  # hidden [T, H] -> logits [T, V]
    labels: tuple[str, ...]  # T strings for the time axis ("" each when none were given)


def _probe(probe: object, rnn: nn.RNNBase) -> torch.Tensor:
    """`probe` as [1, T, I] float32: [T, I], or the module's layout with batch 1."""
    if not isinstance(probe, torch.Tensor) or not probe.is_floating_point():
        raise ValueError(f"probe must be a floating-point tensor, not {type(probe).__name__}: give the module's input "
                         "for one sequence, [T, input_size]")
    layout = "[1, T, input_size]" if rnn.batch_first else "[T, 1, input_size]"
    if probe.dim() == 3:
        if probe.shape[0 if rnn.batch_first else 1] != 1:
            raise ValueError(f"probe has shape {list(probe.shape)}: give one sequence, [T, input_size] or {layout}")
        probe = probe[0] if rnn.batch_first else probe[:, 0]  # [T, I]
    if probe.dim() != 2 or probe.shape[1] != rnn.input_size:
        raise ValueError(f"probe has shape {list(probe.shape)}, the module takes input_size {rnn.input_size}: "
                         f"give [T, {rnn.input_size}] or {layout}")
    if probe.shape[0] < 2:
        raise ValueError(f"probe has {probe.shape[0]} step(s): the flow through time needs T >= 2")
    inputs = probe.detach().to(torch.float32).clone().unsqueeze(0)  # [1, T, I]
    if not torch.isfinite(inputs).all():
        raise ValueError("probe holds nan or inf: give finite inputs")
    return inputs


def _targets(targets: object, steps: int) -> torch.Tensor:
    targets = torch.as_tensor(targets)
    if targets.dtype.is_floating_point or targets.dtype == torch.bool or targets.dim() != 1 \
            or targets.shape[0] != steps:
        raise ValueError(f"targets must be {steps} integer class ids (one per probe step), not a "
                         f"{targets.dtype} tensor of shape {list(targets.shape)}")
    if targets.numel() and int(targets.min()) < 0:
        raise ValueError("targets hold a negative class id: give ids in [0, number of classes)")
    return targets.detach().to(torch.int64).clone()


def _labels(labels: object, steps: int) -> tuple[str, ...]:
    if labels is None:
        return ("",) * steps
    if isinstance(labels, str) or not isinstance(labels, Sequence) or len(labels) != steps:
        raise ValueError(f"labels must be a sequence of {steps} strings, one per probe step (e.g. the tokens)")
    return tuple(str(label)[:MAX_LABEL] for label in labels)


def check_inputs(rnn: nn.RNNBase, probe: object, targets: object, readout: object, labels: object) -> ProbeInputs:
    """The checked, copied probe inputs; ValueError naming what is wrong and what to give instead."""
    inputs = _probe(probe, rnn)
    steps = inputs.shape[1]
    if (targets is None) != (readout is None):
        raise ValueError("targets and readout go together (the readout's logits are scored against the targets): "
                         "give both, or neither for the flow of u . h_t")
    if readout is not None and not callable(readout):
        raise ValueError(f"readout must map hidden states [T, H] to logits [T, classes], not {type(readout).__name__}")
    checked_targets = None if targets is None else _targets(targets, steps)
    return ProbeInputs(inputs, checked_targets, readout, _labels(labels, steps))


def check_schedule(budget: object, every: object) -> tuple[float, int | None]:
    """budget in (0, 1); every None or a positive whole number."""
    if isinstance(budget, bool) or not isinstance(budget, (int, float)) or not (0 < budget < 1) \
            or not math.isfinite(budget):
        raise ValueError(f"budget must be a share of the loop's time between 0 and 1 (e.g. 0.02), not {budget!r}")
    if every is not None and (isinstance(every, bool) or not isinstance(every, int) or every < 1):
        raise ValueError(f"every must be a whole number of steps, 1 or more, not {every!r}")
    return float(budget), every
