"""The snapshot folder format: names, what meta.json and arrays.npz hold (build_meta, build_arrays; metrics and
memory as JSON) and the run folder's snapshots; rnnscope.storage.snapshot_load reads one back as a Frame.

Plain numpy + json, no torch: `--replay` uses this without loading the training core. Arrays are read
with `allow_pickle=False`. A per-layer array that does not apply to the model (cell state and grad_c
outside LSTM, pre-activation outside vanilla RNN) is stored as an empty array with a zero-length first
axis ([0, H] or [0]) and read back as None.
"""

from __future__ import annotations

import re
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from rnnscope import __version__
from rnnscope.contracts.config import RunConfig
from rnnscope.contracts.frames import (
    Frame,
    LayerMetrics,
    LayerProbe,
    MemoryReading,
    StepStats,
)
from rnnscope.contracts.json_numbers import json_number
from rnnscope.contracts.tunes import tunes_to_json
from rnnscope.storage.snapshot_read import SnapshotError

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
        "best_val": None if status.best_val is None else {"step": status.best_val[0],
                                                          "loss": json_number(status.best_val[1])},
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
        **({} if frame.tunes is None else {"tunes": tunes_to_json(frame.tunes)}),  # a text of tunes only
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


def memory_to_json(memory: MemoryReading | None) -> dict | None:
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


