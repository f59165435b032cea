"""`units.json` of a snapshot (PRODUCT.md section 13): every unit with its layer, kind, index, best feature, r, r
beyond the character and contexts; written from a UnitsReading and read back into one, checked field by field."""

from __future__ import annotations

import base64
from pathlib import Path

import numpy as np

from rnnscope.contracts.json_numbers import json_number
from rnnscope.contracts.units import CONTEXTS, Emergence, UnitsReading
from rnnscope.storage.snapshot_read import SnapshotError, read_json, reading

UNITS = "units.json"
UNITS_FIGURE = "units.png"  # the figure's units page (rnnscope.exporting.figure_units)
KINDS = ("h", "c")
MAX_UNITS = 3 * 2 * 4096  # 3 layers, h and c, 4,096 units each


def _number(value) -> float | None:
    return json_number(float(value))


def _contexts(frame: UnitsReading, unit: int, side: int) -> list[dict]:
    return [{"position": position, "text": text, "offset": offset}
            for position, text, offset in frame.context_windows(unit, side)]


def units_to_json(frame: UnitsReading) -> dict:
    """units.json's content (strict JSON: null for nan)."""
    units = []
    for unit in range(len(frame.kind)):
        best = int(frame.best[unit])
        units.append({
            "layer": int(frame.layer[unit]), "kind": frame.kind[unit], "index": int(frame.index[unit]),
            "best_feature": frame.features[best], "r": _number(frame.r[unit, best]),
            "r_beyond": _number(frame.beyond[unit, best]),
            "scores": {"r": [_number(v) for v in frame.r[unit]], "r_beyond": [_number(v) for v in frame.beyond[unit]]},
            "contexts": {"positive": _contexts(frame, unit, 0), "negative": _contexts(frame, unit, 1)},
        })
    strip = np.ascontiguousarray(frame.strip, dtype="<f2")
    return {
        "step": frame.step, "cost_ms": _number(frame.cost_ms), "text": frame.text,
        "features": [{"name": name, "beyond": memory} for name, memory in zip(frame.features, frame.memory, strict=True)],
        "order": [int(u) for u in frame.order],
        "emerged": [{"feature": e.feature, "layer": e.layer, "kind": e.kind, "index": e.index,
                     "r_beyond": _number(e.beyond), "step": e.step} for e in frame.emerged],
        "strip": {"shape": list(strip.shape), "float16_base64": base64.b64encode(strip.tobytes()).decode("ascii")},
        "units": units,
    }


def _whole(value) -> bool:
    """A JSON whole number (true and false are no numbers)."""
    return isinstance(value, int) and not isinstance(value, bool)


def _real(value) -> bool:
    """A JSON number, whole or not (true and false are no numbers)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _fail(message: str):
    raise ValueError(f"units.json: {message}")


def _scores(values: list, width: int, where: str) -> np.ndarray:
    if not isinstance(values, list) or len(values) != width:
        _fail(f"{where} is not a list of {width} scores")
    if not all(v is None or (_real(v) and -1.0001 <= v <= 1.0001) for v in values):
        _fail(f"{where} holds a score that is not null or within [-1, 1]")
    return np.array([np.nan if v is None else v for v in values], dtype=np.float32)


def units_from_json(data: dict) -> UnitsReading:
    """A UnitsReading from units.json's content; ValueError (one line, naming the field) for anything malformed."""
    if not isinstance(data, dict):
        _fail("is not an object")
    text, step = data.get("text"), data.get("step")
    if not isinstance(text, str) or not _whole(step) or step < 0:
        _fail("needs a text and a step (a whole number >= 0)")
    features = data.get("features")
    if not isinstance(features, list) or not features or not all(
            isinstance(f, dict) and isinstance(f.get("name"), str) and isinstance(f.get("beyond"), bool) for f in features):
        _fail("features must be a non-empty list of {name, beyond}")
    names, memory = tuple(f["name"] for f in features), tuple(f["beyond"] for f in features)
    units = data.get("units")
    if not isinstance(units, list) or not 0 < len(units) <= MAX_UNITS:
        _fail(f"units must be a list of 1 to {MAX_UNITS} units")
    layer, kind, index, r, beyond, best, contexts = [], [], [], [], [], [], []
    for i, unit in enumerate(units):
        where = f"units[{i}]"
        if not isinstance(unit, dict) or unit.get("kind") not in KINDS or unit.get("best_feature") not in names:
            _fail(f"{where} needs a kind (h or c) and a best_feature among the features")
        if not all(_whole(unit.get(k)) and 0 <= unit[k] < 4096
                   for k in ("layer", "index")):
            _fail(f"{where}: layer and index must be whole numbers from 0 to 4095")
        scores = unit.get("scores") if isinstance(unit.get("scores"), dict) else {}
        layer.append(unit["layer"]), kind.append(unit["kind"]), index.append(unit["index"])
        r.append(_scores(scores.get("r"), len(names), f"{where}.scores.r"))
        beyond.append(_scores(scores.get("r_beyond"), len(names), f"{where}.scores.r_beyond"))
        best.append(names.index(unit["best_feature"]))
        contexts.append([_positions(unit.get("contexts"), side, len(text), where) for side in ("positive", "negative")])
    order = data.get("order")
    if not isinstance(order, list) or sorted(o for o in order if isinstance(o, int)) != list(range(len(units))):
        _fail("order must rank every unit once")
    return UnitsReading(step=step, text=text, features=names, memory=memory, layer=np.array(layer), kind=tuple(kind),
                      index=np.array(index), r=np.stack(r), beyond=np.stack(beyond), best=np.array(best),
                      order=np.array(order), contexts=np.array(contexts, dtype=np.int64),
                      strip=_strip(data.get("strip"), len(units), len(text)),
                      emerged=_emerged(data.get("emerged"), names), cost_ms=_cost(data.get("cost_ms")))


def _positions(contexts, side: str, length: int, where: str) -> list[int]:
    found = contexts.get(side) if isinstance(contexts, dict) else None
    if not isinstance(found, list) or len(found) > CONTEXTS:
        _fail(f"{where}.contexts.{side} must be a list of at most {CONTEXTS} contexts")
    positions = [c.get("position") if isinstance(c, dict) else None for c in found]
    if not all(_whole(p) and 0 <= p < length for p in positions):
        _fail(f"{where}.contexts.{side} holds a position outside the text")
    return positions + [-1] * (CONTEXTS - len(positions))


def _strip(data, units: int, length: int) -> np.ndarray:
    shape = data.get("shape") if isinstance(data, dict) else None
    if not (isinstance(shape, list) and len(shape) == 2 and shape[1] == units and isinstance(shape[0], int)
            and 0 <= shape[0] <= length and isinstance(data.get("float16_base64"), str)):
        _fail(f"strip needs a shape [S <= {length}, {units}] and float16_base64")
    raw = base64.b64decode(data["float16_base64"], validate=True)
    if len(raw) != 2 * shape[0] * units:
        _fail("strip's bytes do not match its shape")
    strip = np.frombuffer(raw, dtype="<f2").reshape(shape).astype(np.float16)
    if not np.isfinite(strip).all():
        _fail("strip holds a value that is not finite")
    return strip


def _emerged(data, names: tuple[str, ...]) -> tuple[Emergence, ...]:
    if not isinstance(data, list):
        _fail("emerged must be a list")
    found = []
    for e in data:
        if not (isinstance(e, dict) and e.get("feature") in names and e.get("kind") in KINDS
                and all(_whole(e.get(k)) and e[k] >= 0
                        for k in ("layer", "index", "step"))
                and isinstance(e.get("r_beyond"), (int, float)) and -1.0001 <= e["r_beyond"] <= 1.0001):
            _fail("emerged holds an entry without feature, layer, kind, index, r_beyond and step")
        found.append(Emergence(e["feature"], e["layer"], e["kind"], e["index"], float(e["r_beyond"]), e["step"]))
    return tuple(found)


def _cost(value) -> float:
    if value is not None and not (_real(value) and value >= 0):
        _fail("cost_ms must be a number >= 0")
    return float(value or 0.0)


def read_units(folder: Path) -> UnitsReading | None:
    """The snapshot's units.json as a UnitsReading; None when it has none (older snapshots, a watched model);
    SnapshotError (one line) when it is malformed."""
    path = Path(folder) / UNITS
    if not path.is_file():
        return None
    with reading(path):
        try:
            return units_from_json(read_json(path))
        except ValueError as err:
            raise SnapshotError(f"{path}: {err}") from None
