"""The snapshot folder format: names, what meta.json and arrays.npz hold (build_meta, build_arrays; metrics and
memory as JSON) and reading a snapshot back as a Frame.

Plain numpy + json, no torch: `--replay` uses this without loading the training core. Arrays are read
with `allow_pickle=False`. A per-layer array that does not apply to the model (cell state and grad_c
outside LSTM, pre-activation outside vanilla RNN) is stored as an empty array with a zero-length first
axis ([0, H] or [0]) and read back as None.
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from rnnscope import __version__
from rnnscope.contracts.config import GATE_NAMES, RunConfig
from rnnscope.contracts.frames import (
    PAUSED,
    Event,
    Frame,
    LayerMetrics,
    LayerProbe,
    MemoryFrame,
    ProbeFrame,
    RunStatus,
    Sample,
    Saturation,
    StepStats,
)
from rnnscope.contracts.json_numbers import json_number, number_or_nan
from rnnscope.storage.snapshot_check import check_frame
from rnnscope.storage.snapshot_read import SnapshotError, read_json, read_npz, reading

META = "meta.json"
ARRAYS = "arrays.npz"
FIGURE = "figure.png"
CHECKPOINT = "checkpoint.pt"
SCREEN = "screen.svg"
SNAPSHOT_NAME = re.compile(r"step-(\d{6,})")
OPTIONAL_ARRAYS = ("connectivity",)  # absent in snapshots written before it existed
LAYER_ARRAYS = ("gates", "pre_activation", "cell", "hidden", "grad_h", "grad_c", "grad_h_total")
__all__ = ["SnapshotError"]  # it lives in rnnscope.storage.snapshot_read; readers import it from here too


def snapshot_name(step: int) -> str:
    """Folder name of the snapshot taken at `step`: step-000500."""
    return f"step-{step:06d}"


def layer_key(name: str, layer: int) -> str:
    """Key of a per-layer array in arrays.npz: gates_l0, hidden_l1, ..."""
    return f"{name}_l{layer}"


def metrics_to_json(metrics: LayerMetrics) -> dict:
    """The section-3 metrics of one layer as strict-JSON data."""
    sigma = metrics.sigma_max
    return {
        "decay_per_step": json_number(metrics.decay_per_step),
        "memory_horizon": json_number(metrics.memory_horizon),
        "verdict": metrics.verdict,
        "sigma_max": {k: json_number(v) for k, v in sigma.items()} if isinstance(sigma, dict) else json_number(sigma),
        "saturation": {k: {"low": s.low, "high": s.high} for k, s in metrics.saturation.items()},
        "cell_decay_per_step": None if metrics.cell_decay_per_step is None else json_number(metrics.cell_decay_per_step),
        "cell_memory_horizon": None if metrics.cell_memory_horizon is None else json_number(metrics.cell_memory_horizon),
        "cell_verdict": metrics.cell_verdict,
    }


def _last_step_json(stats: StepStats | None) -> dict | None:
    if stats is None:
        return None
    return {
        "step": stats.step,
        "loss": json_number(stats.loss),
        "grad_norms": {k: json_number(v) for k, v in stats.grad_norms.items()},
        "grad_norms_post": {k: json_number(v) for k, v in stats.grad_norms_post.items()},
        "total_pre": json_number(stats.total_pre),
        "total_post": json_number(stats.total_post),
        "clipped": stats.clipped,
    }


def build_meta(frame: Frame, config: RunConfig, corpus_path: str, corpus_sha256: str,
               timings: dict | None = None) -> dict:
    """meta.json's content: strict-JSON data (no nan/inf: null instead). `timings`: the engine's side budget's
    (rnnscope.training.side_budget; null where not known); a reader never needs it (older snapshots lack it)."""
    status, probe = frame.status, frame.probe
    return {
        "rnnscope_version": __version__,
        "step": status.step,
        "model": status.config.model,
        "sizes": {
            "hidden": status.config.hidden,
            "embed": status.config.embed,
            "layers": status.config.layers,
            "seq_len": status.config.seq_len,
            "batch": status.config.batch,
        },
        "n_params": status.n_params,
        "clip": status.config.clip,
        "clip_fire_rate": json_number(status.clip_fire_rate),
        "init": status.config.init,
        "init_gain": status.config.init_gain,
        "seed": config.seed,
        "lr": status.config.lr,
        "optimizer": status.config.optimizer,
        "device": status.device,
        "threads": status.threads,
        "chars_per_s": json_number(status.chars_per_s),
        "corpus": {"path": str(corpus_path), "sha256": str(corpus_sha256), "name": status.corpus},
        "vocab": list(frame.vocab),
        "probe": {"text": probe.text, "loss": json_number(probe.loss), "cost_ms": probe.cost_ms},
        "train_loss": json_number(status.train_loss),
        "val_loss": json_number(status.val_loss),
        "timestamp": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "metrics": [metrics_to_json(layer.metrics) for layer in probe.layers],
        "events": [asdict(event) for event in frame.events],
        "sample": None if frame.sample is None else asdict(frame.sample),
        "last_step": _last_step_json(frame.last_step),
        "task": None if config.task is None else {"name": config.task,
                                                  "distance": [config.distance_min, config.distance_max]},
        "forget_bias": config.forget_bias,
        "memory": memory_to_json(frame.memory),
        "timings": None if timings is None else {key: None if value is None else json_number(value)
                                                 for key, value in timings.items()},
    }


def _layer_arrays(layer: LayerProbe, index: int) -> dict[str, np.ndarray]:
    """One layer's arrays under their npz keys; absent ones as empty arrays ([0, H] or [0])."""
    hidden_units = layer.hidden.shape[1]
    no_state = np.zeros((0, hidden_units), dtype=layer.hidden.dtype)  # [0, H]
    no_flow = np.zeros((0,), dtype=layer.grad_h.dtype)  # [0]
    arrays = {
        "gates": layer.gates,  # [G, T, H]
        "pre_activation": no_state if layer.pre_activation is None else layer.pre_activation,  # [T, H] | [0, H]
        "cell": no_state if layer.cell is None else layer.cell,  # [T, H] | [0, H]
        "hidden": layer.hidden,  # [T, H]
        "grad_h": layer.grad_h,  # [T]
        "grad_c": no_flow if layer.grad_c is None else layer.grad_c,  # [T] | [0]
        "grad_h_total": layer.grad_h_total,  # [T]
    }
    return {layer_key(name, index): array for name, array in arrays.items()}


def build_arrays(frame: Frame, weights: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """arrays.npz's content: probe, per-layer arrays, histories and the weights by state_dict name."""
    probe = frame.probe
    arrays = {
        "probe_ids": probe.ids,  # [T]
        "probe_targets": probe.targets,  # [T]
        "probe_probs": probe.probs,  # [T, V]
        "loss_history": frame.loss_history,  # [N, 2]
        "val_history": frame.val_history,  # [M, 2]
        "grad_norm_history": frame.grad_norm_history,  # [N, 3]
    }
    if probe.connectivity is not None:
        arrays["connectivity"] = probe.connectivity  # [T, T]
    for index, layer in enumerate(probe.layers):
        arrays.update(_layer_arrays(layer, index))
    clashes = arrays.keys() & weights.keys()
    if clashes:
        raise ValueError(f"weight names clash with snapshot arrays: {', '.join(sorted(clashes))}")
    return {**arrays, **{name: np.asarray(value) for name, value in weights.items()}}


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


def memory_to_json(memory: MemoryFrame | None) -> dict | None:
    """{"context_curve": {"k", "loss", "full"}, "task": null | {"name", "distance", "chance", "by_distance"}}."""
    if memory is None:
        return None
    task = None
    if memory.task is not None:
        task = {"name": memory.task, "distance": list(memory.distance_range), "chance": memory.chance,
                "by_distance": [{"distance": int(d), "accuracy": float(a), "items": int(n)}
                                for d, a, n in zip(memory.distances, memory.accuracy, memory.items)]}
    return {"context_curve": {"k": [int(k) for k in memory.context_k],
                              "loss": [json_number(v) for v in memory.context_loss],
                              "full": json_number(memory.full)},
            "task": task}


def memory_from_json(data: dict | None, step: int) -> MemoryFrame | None:
    """Inverse of memory_to_json (a replayed snapshot's memory; null losses read as nan)."""
    if data is None:
        return None
    curve, task = data["context_curve"], data.get("task")
    rows = task["by_distance"] if task else []
    return MemoryFrame(
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


def snapshot_step(folder: Path) -> int | None:
    """The step a snapshot folder's name encodes, or None when the name is not step-NNNNNN."""
    match = SNAPSHOT_NAME.fullmatch(folder.name)
    return int(match.group(1)) if match else None


def list_snapshots(run_dir: Path) -> list[Path]:
    """The step-NNNNNN folders of a run directory, oldest step first (temp folders are skipped)."""
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        return []
    try:
        folders = [p for p in run_dir.iterdir() if p.is_dir() and snapshot_step(p) is not None]
    except OSError as error:
        raise SnapshotError(f"cannot read {run_dir} ({error.strerror or error})") from None
    return sorted(folders, key=snapshot_step)


def is_run_dir(path: Path) -> bool:
    """True when `path` is a folder holding at least one snapshot."""
    return bool(list_snapshots(Path(path)))


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
    probe = ProbeFrame(
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
        meta = read_json(folder / META)
        return meta, read_npz(folder / ARRAYS, {**expected_arrays(meta), **(extra or {})}, optional=OPTIONAL_ARRAYS)


def load_snapshot_frame(folder: Path) -> Frame:
    """Rebuild the Frame a snapshot was exported from (state PAUSED); SnapshotError when unreadable, whatever
    the way (a missing file, a bad field, a bomb of an archive, a nesting too deep)."""
    meta, arrays = read_snapshot(folder)
    return frame_from_snapshot(meta, arrays, Path(folder))
