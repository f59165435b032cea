"""Reading a snapshot folder back as a Frame (--replay, --resume's checks, lessons): every file read within bounds
(rnnscope.storage.snapshot_read), every array's shape known from meta.json before arrays.npz is opened, the Frame
checked field by field (rnnscope.storage.snapshot_check). Plain numpy + json, no torch."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from rnnscope.cells import GATE_NAMES
from rnnscope.contracts.config import RunConfig
from rnnscope.contracts.frames import (
    PAUSED,
    Event,
    Frame,
    LayerMetrics,
    LayerProbe,
    MemoryReading,
    ProbeReading,
    RunStatus,
    Sample,
    Saturation,
    StepStats,
)
from rnnscope.contracts.json_numbers import number_or_nan
from rnnscope.storage.snapshot_check import check_frame
from rnnscope.storage.snapshot_io import ARRAYS, LAYER_ARRAYS, META, OPTIONAL_ARRAYS, layer_key
from rnnscope.storage.snapshot_read import SnapshotError, read_json, read_npz, reading
from rnnscope.storage.units_json import read_units


def metrics_from_json(data: dict) -> LayerMetrics:
    """Inverse of metrics_to_json: null decay is nan, null horizon is infinite (cell fields likewise)."""
    sigma = data["sigma_max"]
    return LayerMetrics(
        decay_per_step=number_or_nan(data["decay_per_step"]),
        memory_horizon=number_or_nan(data["memory_horizon"], math.inf),
        verdict=data["verdict"],
        sigma_max={k: number_or_nan(v) for k, v in sigma.items()} if isinstance(sigma, dict) else number_or_nan(sigma),
        saturation={k: Saturation(low=float(s["low"]), high=float(s["high"])) for k, s in data["saturation"].items()},
        **_cell_metrics_from_json(data),
    )


def _cell_metrics_from_json(data: dict) -> dict:
    """The cell path's three fields: all None without a cell (no cell_verdict), else as for grad_h."""
    if data.get("cell_verdict") is None:
        return {}
    return {"cell_decay_per_step": number_or_nan(data["cell_decay_per_step"]),
            "cell_memory_horizon": number_or_nan(data["cell_memory_horizon"], math.inf),
            "cell_verdict": data["cell_verdict"]}


def memory_from_json(data: dict | None, step: int) -> MemoryReading | None:
    """Inverse of memory_to_json (a replayed snapshot's memory; null losses read as nan)."""
    if data is None:
        return None
    curve, task = data["context_curve"], data.get("task")
    rows = task["by_distance"] if task else []
    return MemoryReading(
        step=step,
        context_k=np.array(curve["k"], dtype=np.int64),
        context_loss=np.array([np.nan if v is None else v for v in curve["loss"]], dtype=np.float64),
        full=np.nan if curve["full"] is None else float(curve["full"]),
        task=task["name"] if task else None,
        distance_range=tuple(task["distance"]) if task else None,
        chance=task["chance"] if task else None,
        distances=np.array([r["distance"] for r in rows], dtype=np.int64),
        accuracy=np.array([r["accuracy"] for r in rows], dtype=np.float64),
        items=np.array([r["items"] for r in rows], dtype=np.int64),
        cost_ms=0.0,
    )


def expected_arrays(meta: dict) -> dict[str, tuple[tuple, ...]]:
    """The arrays a snapshot with this meta.json holds and the shapes each may have (None: any number of rows),
    known before arrays.npz is opened: its headers are checked against them (rnnscope.storage.snapshot_read.read_npz)."""
    model, sizes = meta["model"], meta["sizes"]
    if model not in GATE_NAMES:
        raise SnapshotError(f"meta.json names an unknown model {model!r}")
    config = RunConfig(model=model, **{name: sizes[name] for name in ("hidden", "embed", "layers", "seq_len",
                                                                         "batch")}).validate()
    text, vocab, metrics = meta["probe"]["text"], meta["vocab"], meta["metrics"]
    if not (isinstance(text, str) and isinstance(vocab, list) and isinstance(metrics, list)):
        raise SnapshotError("meta.json's probe text, vocab or metrics have the wrong type")
    if len(metrics) != config.layers:
        raise SnapshotError(f"meta.json has metrics for {len(metrics)} layers, not its {config.layers}")
    T, V, H, G = len(text) - 1, len(vocab), config.hidden, len(GATE_NAMES[model])
    expected = {"probe_ids": ((T,),), "probe_targets": ((T,),), "probe_probs": ((T, V),),
                "embedding.weight": ((V, config.embed),), "loss_history": ((None, 2),),
                "val_history": ((None, 2),), "grad_norm_history": ((None, 3),), "connectivity": ((T, T),)}
    for layer in range(config.layers):
        expected.update({layer_key("gates", layer): ((G, T, H),), layer_key("hidden", layer): ((T, H),),
                         layer_key("grad_h", layer): ((T,),), layer_key("grad_h_total", layer): ((T,),),
                         layer_key("pre_activation", layer): ((T, H), (0, H)),
                         layer_key("cell", layer): ((T, H), (0, H)), layer_key("grad_c", layer): ((T,), (0,))})
    return expected


def _optional(array: np.ndarray) -> np.ndarray | None:
    return None if array.shape[0] == 0 else array


def _layer(arrays: dict[str, np.ndarray], model: str, layer: int, metrics: dict) -> LayerProbe:
    per_layer = {name: arrays[layer_key(name, layer)] for name in LAYER_ARRAYS}
    return LayerProbe(
        gate_names=GATE_NAMES[model],
        gates=per_layer["gates"],
        pre_activation=_optional(per_layer["pre_activation"]),
        cell=_optional(per_layer["cell"]),
        hidden=per_layer["hidden"],
        grad_h=per_layer["grad_h"],
        grad_c=_optional(per_layer["grad_c"]),
        grad_h_total=per_layer["grad_h_total"],
        metrics=metrics_from_json(metrics),
    )


def _status(meta: dict, folder: Path) -> RunStatus:
    sizes, corpus = meta["sizes"], meta["corpus"]
    config = RunConfig(corpus=corpus["path"], model=meta["model"], clip=meta["clip"], init=meta["init"],
                       init_gain=meta["init_gain"], lr=meta["lr"], optimizer=meta["optimizer"], seed=meta["seed"],
                       **{name: sizes[name] for name in ("hidden", "embed", "layers", "seq_len", "batch")})
    return RunStatus(
        config=config,
        corpus=corpus["name"],
        n_params=meta["n_params"],
        step=meta["step"],
        state=PAUSED,
        clip_fire_rate=meta["clip_fire_rate"],
        device=meta["device"],
        threads=meta["threads"],
        train_loss=number_or_nan(meta["train_loss"]),
        val_loss=number_or_nan(meta["val_loss"]),
        chars_per_s=number_or_nan(meta["chars_per_s"]),
        run_dir=str(folder.parent),
    )


def _last_step(data: dict | None) -> StepStats | None:
    if data is None:
        return None
    return StepStats(
        step=data["step"],
        loss=number_or_nan(data["loss"]),
        grad_norms={k: number_or_nan(v) for k, v in data["grad_norms"].items()},
        grad_norms_post={k: number_or_nan(v) for k, v in data["grad_norms_post"].items()},
        total_pre=number_or_nan(data["total_pre"]),
        total_post=number_or_nan(data["total_post"]),
        clipped=data["clipped"],
    )


def _frame(meta: dict, arrays: dict[str, np.ndarray], folder: Path) -> Frame:
    model, step = meta["model"], meta["step"]
    if model not in GATE_NAMES:
        raise SnapshotError(f"{folder / META} names an unknown model {model!r}")
    probe_meta = meta["probe"]
    probe = ProbeReading(
        step=step,
        text=probe_meta["text"],
        ids=arrays["probe_ids"],
        targets=arrays["probe_targets"],
        probs=arrays["probe_probs"],
        loss=number_or_nan(probe_meta["loss"]),
        layers=tuple(_layer(arrays, model, layer, metrics) for layer, metrics in enumerate(meta["metrics"])),
        embedding=arrays["embedding.weight"],
        cost_ms=probe_meta["cost_ms"],
        connectivity=arrays.get("connectivity"),  # absent in snapshots written before it existed
    )
    sample = meta["sample"]
    return Frame(
        seq=step,
        status=_status(meta, folder),
        vocab=tuple(meta["vocab"]),
        last_step=_last_step(meta["last_step"]),
        loss_history=arrays["loss_history"],
        val_history=arrays["val_history"],
        grad_norm_history=arrays["grad_norm_history"],
        events=tuple(Event(step=e["step"], label=e["label"]) for e in meta["events"]),
        probe=probe,
        sample=None if sample is None else Sample(**sample),
        memory=memory_from_json(meta.get("memory"), step),
        units=read_units(folder),
    )


def frame_from_snapshot(meta: dict, arrays: dict[str, np.ndarray], folder: Path) -> Frame:
    """The Frame that `meta` (meta.json) and `arrays` (arrays.npz, read with read_npz) describe, validated for
    types, shapes, ranges and finiteness (rnnscope.storage.snapshot_check.check_frame) before any renderer sees it;
    SnapshotError (one line) otherwise. Call it inside snapshot_read.reading."""
    with reading(folder):
        frame = _frame(meta, arrays, folder)
        check_frame(frame)
        return frame


def read_snapshot(folder: Path, extra: dict[str, tuple[tuple, ...]] | None = None) -> tuple[dict, dict]:
    """meta.json and the arrays of arrays.npz that a Frame needs (plus `extra`: name -> shapes, e.g. a weight),
    read within bounds (rnnscope.storage.snapshot_read); SnapshotError (one line) whatever the way reading fails."""
    folder = Path(folder)
    with reading(folder):
        if not folder.is_dir():
            raise SnapshotError(f"{folder} is not a snapshot folder: not an existing directory")
        if not (folder / META).is_file():
            raise SnapshotError(f"{folder} is not a snapshot folder: it has no {META}")
        if not (folder / ARRAYS).is_file():
            raise SnapshotError(f"{folder} is not a complete snapshot: it has no {ARRAYS}")
        meta = read_json(folder / META, within=folder.parent)  # never through a link out of the run folder
        return meta, read_npz(folder / ARRAYS, {**expected_arrays(meta), **(extra or {})}, optional=OPTIONAL_ARRAYS,
                              within=folder.parent)


def load_snapshot_frame(folder: Path) -> Frame:
    """Rebuild the Frame a snapshot was exported from (state PAUSED); SnapshotError when unreadable, whatever
    the way (a missing file, a bad field, a bomb of an archive, a nesting too deep)."""
    meta, arrays = read_snapshot(folder)
    return frame_from_snapshot(meta, arrays, Path(folder))
