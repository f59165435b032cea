"""The units analysis a timeline frame records in its meta (`units`, PRODUCT.md section 13's emergence): each
feature's best |r| and |r beyond the character| over all units, and the TOP_KEPT best-ranked units and each
feature's best unit, with their r and r beyond for every feature. Written by units_meta, read back (every value
checked, a malformed one refused) by read_units."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from rnnscope.contracts.feature_name import FEATURE_NAME
from rnnscope.contracts.json_numbers import json_number
from rnnscope.contracts.units import CONTEXTS, UnitsReading, best_and_order, ranking_scores
from rnnscope.storage.timeline.index import is_step

MAX_FEATURES = 64
MAX_LAYERS = 16
MAX_INDEX = 1 << 20
DIGITS = 4  # decimals kept of an r
TOP_KEPT = 16  # the best-ranked units kept beside each feature's best


@dataclass(frozen=True, eq=False)
class UnitsRecord:
    """A recorded analysis: `frame` holds the kept units only (no text, strip or contexts);
    best_r / best_beyond [F] are each feature's best |r| / |r beyond| over all units (nan: none)."""

    frame: UnitsReading
    best_r: np.ndarray
    best_beyond: np.ndarray


def units_meta(frame: UnitsReading) -> dict:
    """The meta entry of `frame` (JSON: finite numbers rounded, nan as null)."""
    scores = np.nan_to_num(np.abs(frame.scores()))  # [U, F]
    kept = sorted(set(np.argmax(scores, axis=0).tolist()) | set(frame.order[:TOP_KEPT].tolist()))
    return {
        "step": int(frame.step), "features": list(frame.features), "memory": list(frame.memory),
        "units": [[int(frame.layer[u]), frame.kind[u], int(frame.index[u])] for u in kept],
        "r": [_rounded(np.clip(frame.r[u], -1, 1)) for u in kept],
        "beyond": [_rounded(np.clip(frame.beyond[u], -1, 1)) for u in kept],
        "best_r": _rounded(_best(frame.r)),
        "best_beyond": _rounded(_best(frame.beyond)),
    }


def _rounded(values: np.ndarray) -> list[float | None]:
    """values [K] as JSON: DIGITS decimals, null for nan."""
    return [json_number(float(v), DIGITS) for v in values]


def _best(values: np.ndarray) -> np.ndarray:
    """Each column's largest |value| [F], nan where a column has no number, at most 1."""
    found = np.abs(values)  # [U, F]
    with np.errstate(invalid="ignore"):
        best = np.where(np.isnan(found).all(axis=0), np.nan, np.nanmax(np.where(np.isnan(found), -1, found), axis=0))
    return np.minimum(best, 1.0)


def read_units(meta: dict) -> UnitsRecord | None:
    """The record of a frame's meta; None when it has none; ValueError (one line) naming what is malformed."""
    said = meta.get("units")
    if said is None:
        return None
    if not isinstance(said, dict):
        raise ValueError("meta units is not an object")
    step = said.get("step")
    if not is_step(step):
        raise ValueError("meta units step is not a whole number 0..2**53-1")
    features, memory = said.get("features"), said.get("memory")
    if not (isinstance(features, list) and 0 < len(features) <= MAX_FEATURES
            and all(isinstance(n, str) and FEATURE_NAME.fullmatch(n) for n in features)
            and len(set(features)) == len(features)):
        raise ValueError(f"meta units features are not 1..{MAX_FEATURES} distinct feature names")
    F = len(features)
    if not (isinstance(memory, list) and len(memory) == F and all(isinstance(m, bool) for m in memory)):
        raise ValueError("meta units memory is not one true/false per feature")
    units = said.get("units")
    if not (isinstance(units, list) and 0 < len(units) <= F + TOP_KEPT and all(_is_unit(u) for u in units)):
        raise ValueError(f"meta units units are not 1..{F + TOP_KEPT} [layer, 'h' or 'c', index]")
    if len({tuple(u) for u in units}) < len(units):
        raise ValueError("meta units name a unit twice")
    r = _table(said.get("r"), len(units), F, "r")  # [U, F]
    beyond = _table(said.get("beyond"), len(units), F, "beyond")  # [U, F]
    best_r = _table([said.get("best_r")], 1, F, "best_r")[0]  # [F]
    best_beyond = _table([said.get("best_beyond")], 1, F, "best_beyond")[0]  # [F]
    if (best_r < 0).any() or (best_beyond < 0).any():
        raise ValueError("meta units best_r or best_beyond holds a negative |r|")
    return UnitsRecord(_frame(step, tuple(features), tuple(memory), units, r, beyond), best_r, best_beyond)


def _is_unit(unit: object) -> bool:
    return (isinstance(unit, list) and len(unit) == 3 and type(unit[0]) is int and 0 <= unit[0] < MAX_LAYERS
            and unit[1] in ("h", "c") and type(unit[2]) is int and 0 <= unit[2] < MAX_INDEX)


def _table(rows: object, count: int, F: int, name: str) -> np.ndarray:
    """rows: `count` lists of F numbers in [-1, 1] or null (nan) -> [count, F] float32."""
    if not (isinstance(rows, list) and len(rows) == count and all(isinstance(row, list) and len(row) == F
                                                                  for row in rows)):
        raise ValueError(f"meta units {name} is not {count} row(s) of one value per feature")
    values = [v for row in rows for v in row]
    if not all(v is None or (type(v) in (int, float) and -1 <= v <= 1) for v in values):
        raise ValueError(f"meta units {name} holds a value that is no r in [-1, 1]")
    return np.array([math.nan if v is None else v for v in values], np.float32).reshape(count, F)


def _frame(step: int, features: tuple[str, ...], memory: tuple[bool, ...], units: list, r: np.ndarray,
           beyond: np.ndarray) -> UnitsReading:
    """A UnitsReading of the recorded units (ranked as the analysis ranked them), without text, strip or contexts."""
    best, order = best_and_order(ranking_scores(memory, r, beyond))  # [U], [U]
    return UnitsReading(
        step=step, text="", features=features, memory=memory, layer=np.array([u[0] for u in units]),
        kind=tuple(u[1] for u in units), index=np.array([u[2] for u in units]), r=r, beyond=beyond, best=best,
        order=order, contexts=np.full((len(units), 2, CONTEXTS), -1), strip=np.zeros((0, len(units)), np.float16))
