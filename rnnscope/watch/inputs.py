"""Scope's arguments checked at construction: the probe (fixed inputs, or token ids and the function that embeds
them), targets, readout, labels, class names, the sampling function, budget and every."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch
from torch import nn

from rnnscope.storage.timeline.codec import MAX_LABEL  # characters kept of one label


@dataclass(frozen=True)
class ProbeInputs:
    """The probe sequence and what explains its positions. With `embed`, the module's input is made anew from `ids`
    at every probe (a language model's embedding trains: its vectors of construction time go stale)."""

    fixed: torch.Tensor | None  # [1, T, I] float32 copied at construction (no `embed`), else None
    ids: torch.Tensor | None  # [T] int64 token ids given to `embed`, else None
    embed: Callable[[torch.Tensor], torch.Tensor] | None  # ids [T] -> the module's input [T, I]
    targets: torch.Tensor | None  # [T] int64 class ids, or None
    readout: Callable[[torch.Tensor], torch.Tensor] | None  # hidden [T, H] -> logits [T, V]
    labels: tuple[str, ...]  # T strings for the time axis ("" each when none were given)
    names: Callable[[int], str] | None  # class id -> its name (vocab / decode), or None
    sample: Callable[[], object] | None  # the user's sampling function: -> text, or (prime, text)

    @property
    def steps(self) -> int:
        return len(self.labels)

    def current(self, device: torch.device, input_size: int) -> torch.Tensor:
        """The module's input for the probe now, [1, T, I] float32 on `device` (ValueError when `embed` gives
        something else)."""
        if self.embed is None:
            return self.fixed.to(device)  # [1, T, I]
        with torch.no_grad():
            made = self.embed(self.ids.to(device))
        if not isinstance(made, torch.Tensor) or not made.is_floating_point():
            raise ValueError(f"embedding gave {_kind(made)}: it must map the probe's ids to a floating-point tensor")
        return _as_sequence(made, input_size, "embedding(probe)").to(device, torch.float32).unsqueeze(0)  # [1, T, I]

    def name(self, class_id: int) -> str:
        """A class's name for the screen, visible-safe later (cut to MAX_LABEL; '' when there are no names, or the
        user's function fails or gives no text for it)."""
        if self.names is None:
            return ""
        try:
            name = self.names(class_id)
        except Exception:  # a decode that fails on one id names it not; the scope goes on
            return ""
        return no_surrogates(name)[:MAX_LABEL] if isinstance(name, str) else ""


def _kind(value: object) -> str:
    return f"a {value.dtype} tensor" if isinstance(value, torch.Tensor) else f"a {type(value).__name__}"


def _plain(tensor: torch.Tensor, what: str) -> None:
    """ValueError for a tensor the probe cannot read: on the meta device (no values) or sparse."""
    if tensor.is_meta:
        raise ValueError(f"{what} is on the meta device (it holds no values): give a tensor with values")
    if tensor.layout != torch.strided:
        raise ValueError(f"{what} is a {tensor.layout} tensor: give a dense one (e.g. {what}.to_dense())")


def _as_sequence(probe: torch.Tensor, input_size: int, what: str) -> torch.Tensor:
    """`probe` as [T, I]: [T, I], [1, T, I] or [T, 1, I]."""
    _plain(probe, what)
    if probe.dim() == 3 and 1 in probe.shape[:2]:
        probe = probe[0] if probe.shape[0] == 1 else probe[:, 0]  # [T, I]
    if probe.dim() != 2 or probe.shape[1] != input_size:
        raise ValueError(f"{what} has shape {list(probe.shape)}, the module takes input_size {input_size}: "
                         f"give [T, {input_size}] (or [1, T, {input_size}])")
    if probe.shape[0] < 2:
        raise ValueError(f"{what} has {probe.shape[0]} step(s): the flow through time needs T >= 2")
    return probe


def _fixed(probe: object, rnn: nn.RNNBase) -> torch.Tensor:
    """The old form: the module's input for one sequence as [1, T, I] float32, copied now."""
    if not isinstance(probe, torch.Tensor) or not probe.is_floating_point():
        raise ValueError(f"probe must be a floating-point tensor, not {_kind(probe)}: give the module's input for one "
                         "sequence, [T, input_size], or token ids with embedding=model.emb")
    layout = "[1, T, input_size]" if rnn.batch_first else "[T, 1, input_size]"
    if probe.dim() == 3 and probe.shape[0 if rnn.batch_first else 1] != 1:
        raise ValueError(f"probe has shape {list(probe.shape)}: give one sequence, [T, input_size] or {layout}")
    inputs = _as_sequence(probe, rnn.input_size, "probe").detach().to(torch.float32).clone().unsqueeze(0)  # [1, T, I]
    if not torch.isfinite(inputs).all():
        raise ValueError("probe holds nan or inf: give finite inputs")
    return inputs


def _ids(probe: object) -> torch.Tensor:
    """Token ids for `embedding`: T integers ([T], [1, T] or a list), T >= 2, none negative."""
    if isinstance(probe, torch.Tensor):
        _plain(probe, "probe")
    ids = torch.as_tensor(probe) if not isinstance(probe, torch.Tensor) else probe
    if ids.dim() == 2 and 1 in ids.shape:
        ids = ids.reshape(-1)
    if ids.dtype.is_floating_point or ids.dtype.is_complex or ids.dtype == torch.bool or ids.dim() != 1:
        raise ValueError(f"with embedding=, probe must be token ids, [T] integers, not {_kind(ids)} of shape "
                         f"{list(ids.shape)}")
    if ids.shape[0] < 2:
        raise ValueError(f"probe has {ids.shape[0]} token(s): the flow through time needs T >= 2")
    if int(ids.min()) < 0:
        raise ValueError("probe holds a negative token id: give ids in [0, vocabulary size)")
    return ids.detach().to("cpu", torch.int64).clone()


def _targets(targets: object, steps: int) -> torch.Tensor:
    if isinstance(targets, torch.Tensor):
        _plain(targets, "targets")
    targets = torch.as_tensor(targets)
    if targets.dtype.is_floating_point or targets.dtype == torch.bool or targets.dim() != 1 \
            or targets.shape[0] != steps:
        raise ValueError(f"targets must be {steps} integer class ids (one per probe step), not a "
                         f"{targets.dtype} tensor of shape {list(targets.shape)}")
    if targets.numel() and int(targets.min()) < 0:
        raise ValueError("targets hold a negative class id: give ids in [0, number of classes)")
    return targets.detach().to("cpu", torch.int64).clone()


def no_surrogates(text: str) -> str:
    """`text` with lone surrogates (no character: they cannot be written as UTF-8, e.g. from a decode of broken
    bytes) shown as U+FFFD."""
    return text if text.isascii() else text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


def _text(value: object, what: str) -> str:
    """A label or name as the timeline keeps it: a string without lone surrogates, cut to MAX_LABEL."""
    text = str(value)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(f"{what} {text!r} holds a lone surrogate (no character, it cannot be written): give text "
                         "decoded from real characters") from None
    return text[:MAX_LABEL]


def _labels(labels: object, steps: int) -> tuple[str, ...]:
    if isinstance(labels, str) or not isinstance(labels, Sequence) or len(labels) != steps:
        raise ValueError(f"labels must be a sequence of {steps} strings, one per probe step (e.g. the tokens)")
    return tuple(_text(label, "label") for label in labels)


def _names(vocab: object, decode: object) -> Callable[[int], str] | None:
    """One function class id -> name from `vocab` (a sequence of strings, class i named vocab[i]) or `decode`."""
    if vocab is not None and decode is not None:
        raise ValueError("give vocab (a list of the classes' names) or decode (a function id -> name), not both")
    if decode is not None:
        if not callable(decode):
            raise ValueError(f"decode must be a function from a class id to its name, not {type(decode).__name__}")
        return decode
    if vocab is None:
        return None
    if isinstance(vocab, (str, bytes)) or not isinstance(vocab, Sequence) or not len(vocab):
        raise ValueError("vocab must be a list of the classes' names (vocab[i] names class i), e.g. the words")
    names = tuple(_text(name, "vocab entry") for name in vocab)
    return lambda class_id: names[class_id] if 0 <= class_id < len(names) else ""


def _decoded(names: Callable[[int], str], token: int) -> str:
    """The name of a probe token (ValueError when the vocabulary or decode cannot name it)."""
    try:
        name = names(token)
    except Exception as error:  # any failure of the user's decode is told in one line
        raise ValueError(f"decode / vocab cannot name probe token {token} ({type(error).__name__}: {error}): give "
                         "names for every id the probe holds") from None
    if not isinstance(name, str):
        raise ValueError(f"decode gave {type(name).__name__} for token {token}: it must give text")
    return name


def check_inputs(rnn: nn.RNNBase, probe: object, targets: object = None, readout: object = None,
                 labels: object = None, *, embedding: object = None, vocab: object = None, decode: object = None,
                 sample: object = None) -> ProbeInputs:
    """The checked, copied probe inputs; ValueError naming what is wrong and what to give instead."""
    if embedding is not None and not callable(embedding):
        raise ValueError(f"embedding must be the model's embedding module (or a function from token ids to the "
                         f"module's input), not {type(embedding).__name__}")
    names = _names(vocab, decode)
    if sample is not None and not callable(sample):
        raise ValueError(f"sample must be a function taking no arguments that returns generated text, not "
                         f"{type(sample).__name__}")
    if (targets is None) != (readout is None):
        raise ValueError("targets and readout go together (the readout's logits are scored against the targets): "
                         "give both, or neither for the flow of u . h_t")
    if readout is not None and not callable(readout):
        raise ValueError(f"readout must map hidden states [T, H] to logits [T, classes], not {type(readout).__name__}")
    fixed, ids = (None, _ids(probe)) if embedding is not None else (_fixed(probe, rnn), None)
    steps = len(ids) if ids is not None else fixed.shape[1]
    checked_targets = None if targets is None else _targets(targets, steps)
    if labels is not None:
        checked_labels = _labels(labels, steps)
    elif ids is not None and names is not None:  # the tokens' own names
        checked_labels = tuple(_text(_decoded(names, int(i)), "vocab entry") for i in ids)
    else:
        checked_labels = ("",) * steps
    return ProbeInputs(fixed, ids, embedding, checked_targets, readout, checked_labels, names, sample)


def check_schedule(budget: object, every: object) -> tuple[float, int | None]:
    """budget in (0, 1); every None or a positive whole number."""
    if isinstance(budget, bool) or not isinstance(budget, (int, float)) or not (0 < budget < 1) \
            or not math.isfinite(budget):
        raise ValueError(f"budget must be a share of the loop's time between 0 and 1 (e.g. 0.02), not {budget!r}")
    if every is not None and (isinstance(every, bool) or not isinstance(every, int) or every < 1):
        raise ValueError(f"every must be a whole number of steps, 1 or more, not {every!r}")
    return float(budget), every
