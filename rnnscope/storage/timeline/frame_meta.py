"""What a timeline frame records beside its arrays (its JSON `meta`), typed: FrameMeta, with its one encoder (`encode`,
what the writer writes) and its one decoder (`FrameMeta.decode`, what every reader reads: strict, a malformed value
refused in one line; or lenient, a malformed value read as not said)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields

from rnnscope.contracts.config import INITS
from rnnscope.storage.timeline.index import is_step
from rnnscope.storage.timeline.units_meta import read_units

MAX_ROW_NAME = 16  # characters of a row's name ("L0 fwd")
MAX_CLASSES = 1 << 20  # class ids named beyond this are left out (a table of names is made up to the largest)


@dataclass(frozen=True)
class FrameMeta:
    """Every key a frame's meta may hold; None: not said (and not written)."""

    model: str | None = None  # an rnnscope run's cell kind; a watched module described in one line
    kind: str | None = None  # a watched module's kind (a cell kind, or "custom")
    clip: float | None = None  # an rnnscope run's clip threshold, 0.0: off (written null)
    init: str | None = None  # an rnnscope run's init (one of INITS)
    vocab: tuple[str, ...] | None = None  # an rnnscope run's characters
    watched: bool | None = None  # written by a Scope
    loss: str | None = None  # a watched module's loss, in words
    inputs: str | None = None  # a watched module's inputs, in words
    rows: tuple[str, ...] | None = None  # the rows' names ("L0 fwd", ...), one per layer of the probe
    side_share: float | None = None  # the share of a watched loop's time the scope took
    class_names: Mapping[int, str] | None = None  # a watched readout's class id -> its name
    sample: tuple[str, str] | None = None  # a watched loop's sampling function's (prime, text)
    grad_step: int | None = None  # the step of the gradient norms below
    grad_norms: Mapping[str, float | None] | None = None  # parameter -> norm before clipping (None: not finite)
    grad_total: float | None = None
    grad_norms_post: Mapping[str, float | None] | None = None  # after clipping (an rnnscope run's)
    grad_total_post: float | None = None
    clipped: bool | None = None
    units: Mapping | None = None  # the units analysis (rnnscope.storage.timeline.units_meta)

    def encode(self) -> dict:
        """The JSON object written: every said field; numbers that are not finite as null (a norm, a total beside
        its norms) or left out."""
        meta = {}
        for field in fields(self):
            value = getattr(self, field.name)
            if value is None:
                if field.name in _TOTALS and getattr(self, _TOTALS[field.name]) is not None:
                    meta[field.name] = None  # said with its norms: not taken
                continue
            meta[field.name] = _ENCODERS.get(field.name, _plain)(value)
        return {name: value for name, value in meta.items() if value is not _UNSAID}

    @classmethod
    def decode(cls, meta: object, *, strict: bool = True) -> FrameMeta:
        """The FrameMeta of a read-back meta; strict: ValueError (one line) naming the first malformed value;
        lenient: a malformed value is not said (a malformed clip reads as off; a malformed entry of a table is
        left out). Keys it does not know are ignored."""
        if not isinstance(meta, dict):
            if strict:
                raise ValueError("meta is not an object")
            meta = {}
        said = {}
        for name, read in _DECODERS.items():
            if name not in meta:
                continue
            try:
                said[name] = read(meta[name], strict)
            except ValueError as error:
                if strict:
                    raise ValueError(f"meta {name}: {error}") from None
                said[name] = 0.0 if name == "clip" else None  # a clip said but unreadable: off, as before
        return cls(**said)


_UNSAID = object()
_TOTALS = {"grad_total": "grad_norms", "grad_total_post": "grad_norms_post"}  # a total -> the norms it sums


def _plain(value):
    return value


def _finite(value: float):
    return float(value) if math.isfinite(value) else _UNSAID


def _number_or_null(value: float):
    return float(value) if math.isfinite(value) else None


def _norms_out(norms: Mapping[str, float | None]) -> dict:
    return {str(name): None if v is None else _number_or_null(v) for name, v in norms.items()}


_ENCODERS = {
    "clip": lambda clip: float(clip) if clip > 0 and math.isfinite(clip) else None,
    "vocab": list, "rows": list, "side_share": _finite, "grad_total": _number_or_null,
    "grad_total_post": _number_or_null, "grad_norms": _norms_out, "grad_norms_post": _norms_out,
    "class_names": lambda names: {str(key): name for key, name in names.items()},
    "sample": lambda said: {"prime": said[0], "text": said[1]}, "units": dict,
}


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _text(value, strict):
    if not isinstance(value, str):
        raise ValueError("is not a string")
    return value


def _flag(value, strict):
    if not isinstance(value, bool):
        raise ValueError("is not true or false")
    return value


def _clip(value, strict):
    if value is None:
        return 0.0
    if not (_is_number(value) and value >= 0):
        raise ValueError("is not null or a finite number >= 0")
    return float(value)


def _init(value, strict):
    if value not in INITS:
        raise ValueError(f"is not one of {', '.join(INITS)}")
    return value


def _vocab(value, strict):
    if not (isinstance(value, list) and all(isinstance(c, str) and len(c) == 1 for c in value)):
        raise ValueError("is not a list of single characters")
    return tuple(value)


def _rows(value, strict):
    if not (isinstance(value, list) and all(isinstance(r, str) and 0 < len(r) <= MAX_ROW_NAME for r in value)):
        raise ValueError(f"is not a list of names of 1..{MAX_ROW_NAME} characters")
    return tuple(value)


def _share(value, strict):
    if not (_is_number(value) and value >= 0):
        raise ValueError("is not a finite number >= 0")
    return float(value)


def _norm_or_none(value, strict):
    if value is None:
        return None
    return _share(value, strict)


def _class_names(value, strict):
    if not isinstance(value, dict):
        raise ValueError("is not an object")
    good = {key: name for key, name in value.items()
            if isinstance(key, str) and key.isdigit() and int(key) < MAX_CLASSES and isinstance(name, str)}
    if strict and len(good) < len(value):
        raise ValueError(f"names a class by other than an id 0..{MAX_CLASSES - 1}, or by other than a string")
    return {int(key): name for key, name in good.items()}


def _sample(value, strict):
    if not (isinstance(value, dict) and isinstance(value.get("prime"), str) and isinstance(value.get("text"), str)):
        raise ValueError("is not {prime: string, text: string}")
    return value["prime"], value["text"]


def _step(value, strict):
    if not is_step(value):
        raise ValueError("is not a whole number 0..2**53-1")
    return value


def _norms(value, strict):
    if not isinstance(value, dict):
        raise ValueError("is not an object")
    good = {name: value for name, value in value.items() if value is None or (_is_number(value) and value >= 0)}
    if strict and len(good) < len(value):
        raise ValueError("holds a norm that is neither null nor a finite number >= 0")
    return {name: None if norm is None else float(norm) for name, norm in good.items()}


def _units(value, strict):
    try:
        read_units({"units": value})
    except ValueError as error:  # "meta units ...": said once, by decode
        raise ValueError(str(error).removeprefix("meta units ")) from None
    return value


_DECODERS = {
    "model": _text, "kind": _text, "clip": _clip, "init": _init, "vocab": _vocab, "watched": _flag, "loss": _text,
    "inputs": _text, "rows": _rows, "side_share": _share, "class_names": _class_names, "sample": _sample,
    "grad_step": _step, "grad_norms": _norms, "grad_total": _norm_or_none, "grad_norms_post": _norms,
    "grad_total_post": _norm_or_none, "clipped": _flag, "units": _units,
}
