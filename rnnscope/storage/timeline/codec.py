"""One timeline frame as the arrays and the JSON of its file, and back (numpy + json only).

Every array field of ProbeReading and of each LayerProbe is stored under its own name (`ids`, `probs`, `embedding`,
a field added later such as `connectivity`; per layer `gates_l0`, `hidden_l1`, ...); a field that is None is
absent. Activations and probabilities go as float16 when their values fit (|x| < 65,504), else float32; the
gradient norms and connectivity keep float32 (they span 1e-15..1e10 on a log scale, float16 would flush them to
0 or inf). Everything else (step, text, loss, cost, the layers' gate names and metrics, the memory, the losses
and wall time, the caller's `meta`) is one JSON object stored as the uint8 array `meta`. Reading converts every
float array to float32.
"""

from __future__ import annotations

import dataclasses
import json

import numpy as np

from rnnscope.contracts.frames import LayerProbe, MemoryReading, ProbeReading
from rnnscope.contracts.json_numbers import json_number
from rnnscope.storage.snapshot_io import memory_to_json, metrics_to_json
from rnnscope.storage.snapshot_load import memory_from_json, metrics_from_json

FORMAT = 1
META_KEY = "meta"
LOG_SCALE = frozenset({"grad_h", "grad_c", "grad_h_total", "connectivity"})  # kept float32
FLOAT16_MAX = 65504.0
MAX_LABEL = 40  # characters of one position label (rnnscope.watch.inputs keeps no more)


def array_fields(cls) -> tuple[str, ...]:
    """The fields of frozen dataclass `cls` that hold numpy arrays (the stored ones)."""
    return tuple(f.name for f in dataclasses.fields(cls) if "np.ndarray" in str(f.type))


def optional_fields(cls) -> frozenset[str]:
    return frozenset(f.name for f in dataclasses.fields(cls) if "None" in str(f.type))


def _compact(name: str, array: np.ndarray) -> np.ndarray:
    """float16 for a float array whose values fit and are not read on a log scale; other arrays as they are."""
    array = np.asarray(array)
    if array.dtype.kind != "f" or name in LOG_SCALE:
        return array
    fits = array.size == 0 or float(np.nanmax(np.abs(array))) < FLOAT16_MAX
    return array.astype(np.float16) if fits else array.astype(np.float32)


def encode(probe: ProbeReading, *, wall_time: float, train_loss: float | None, val_loss: float | None,
           memory: MemoryReading | None, meta: dict | None) -> dict[str, np.ndarray]:
    """The npz content of one frame: the arrays and the JSON `meta` (as uint8)."""
    arrays = {name: _compact(name, getattr(probe, name)) for name in array_fields(ProbeReading)
              if getattr(probe, name) is not None}
    for index, layer in enumerate(probe.layers):
        arrays.update({f"{name}_l{index}": _compact(name, getattr(layer, name)) for name in array_fields(LayerProbe)
                       if getattr(layer, name) is not None})
    info = {
        "format": FORMAT, "step": probe.step, "text": probe.text, "loss": json_number(probe.loss),
        "cost_ms": probe.cost_ms, "wall_time": wall_time,
        "train_loss": None if train_loss is None else json_number(train_loss),
        "val_loss": None if val_loss is None else json_number(val_loss),
        "layers": [{"gate_names": list(layer.gate_names), "metrics": metrics_to_json(layer.metrics)}
                   for layer in probe.layers],
        "memory": None if memory is None else {"step": memory.step, **memory_to_json(memory)},
        "meta": meta or {},
    }
    if probe.labels:  # a watched model's positions (rnnscope.watch)
        info["labels"] = list(probe.labels)
    text = json.dumps(info, ensure_ascii=False, allow_nan=False)
    arrays[META_KEY] = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)
    return arrays


def decode_meta(arrays: dict[str, np.ndarray]) -> dict:
    """The JSON object of a frame's file (ValueError/KeyError when it is not one)."""
    raw = arrays[META_KEY]
    if raw.dtype != np.uint8 or raw.ndim != 1:
        raise ValueError("its meta is not a byte string")
    info = json.loads(raw.tobytes().decode("utf-8"))
    if not isinstance(info, dict) or info.get("format") != FORMAT:
        raise ValueError(f"it is not a timeline frame of format {FORMAT}")
    if not (isinstance(info.get("text"), str) and len(info["text"]) >= 2):
        raise ValueError("its text is not a string of 2 or more characters")
    layers = info.get("layers")
    if not (isinstance(layers, list) and all(isinstance(layer, dict) and isinstance(layer.get("gate_names"), list)
                                             for layer in layers)):
        raise ValueError("its layers are not a list of gate names and metrics")
    labels = info.get("labels", [])
    if not (isinstance(labels, list) and len(labels) in (0, len(info["text"]) - 1)
            and all(isinstance(label, str) and len(label) <= MAX_LABEL for label in labels)):
        raise ValueError(f"its labels are not one string of at most {MAX_LABEL} characters per probe step")
    return info


def expected_arrays(info: dict) -> tuple[dict[str, tuple], tuple[str, ...]]:
    """The arrays a frame with this meta holds, key -> its allowed shapes (None: any size), and the optional keys:
    what rnnscope.storage.snapshot_read.read_npz checks each array's header against before reading it."""
    T = len(info["text"]) - 1
    shapes = {"ids": ((T,),), "targets": ((T,),), "probs": ((T, None),), "embedding": ((None, None),),
              "connectivity": ((T, T),)}
    optional = ["connectivity"]
    for index, layer in enumerate(info["layers"]):
        per_layer = {"gates": (len(layer["gate_names"]), T, None), "pre_activation": (T, None), "cell": (T, None),
                     "hidden": (T, None), "grad_h": (T,), "grad_c": (T,), "grad_h_total": (T,)}
        shapes.update({f"{name}_l{index}": (shape,) for name, shape in per_layer.items()})
        optional += [f"{name}_l{index}" for name in optional_fields(LayerProbe)]
    return shapes, tuple(optional)


def _float32(array: np.ndarray) -> np.ndarray:
    return array.astype(np.float32) if array.dtype.kind == "f" else array


def _fields(cls, arrays: dict[str, np.ndarray], suffix: str = "") -> dict[str, np.ndarray | None]:
    """The array fields of `cls` read from `arrays` (KeyError for a required one that is missing)."""
    optional = optional_fields(cls)
    return {name: _float32(arrays[name + suffix]) if name + suffix in arrays or name not in optional else None
            for name in array_fields(cls)}


def decode(arrays: dict[str, np.ndarray], info: dict) -> tuple[ProbeReading, MemoryReading | None]:
    """Inverse of encode (its values unchecked: rnnscope.storage.timeline.check does that)."""
    layers = tuple(
        LayerProbe(gate_names=tuple(layer["gate_names"]), metrics=metrics_from_json(layer["metrics"]),
                   **_fields(LayerProbe, arrays, f"_l{index}"))
        for index, layer in enumerate(info["layers"]))
    loss = info["loss"]
    probe = ProbeReading(step=info["step"], text=info["text"], loss=float("nan") if loss is None else loss,
                       layers=layers, cost_ms=info["cost_ms"], labels=tuple(info.get("labels", ())),
                       **_fields(ProbeReading, arrays))
    memory = info["memory"]
    return probe, None if memory is None else memory_from_json(memory, memory["step"])
