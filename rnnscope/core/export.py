"""Write a snapshot folder (meta.json, arrays.npz, figure.png, checkpoint.pt, screen.svg) atomically.

The folder is built as `RUN_DIR/.tmp-step-NNNNNN-<random>`, every file fsynced, then renamed to
`RUN_DIR/step-NNNNNN`; an existing snapshot of the same step is renamed aside, replaced, then deleted.
On any error the temp folder is removed and the exception propagates. Layout and array conventions
(empty arrays for what a model lacks) are those of rnnscope.snapshot_io, which reads snapshots back.
Hyper-parameters in meta.json come from the frame's status (what the arrays were measured with);
seed comes from the config, the corpus from the caller.
"""

from __future__ import annotations

import io
import json
import os
import secrets
import shutil
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

import rnnscope
from rnnscope.config import RunConfig
from rnnscope.core.figure import render_figure
from rnnscope.frames import Frame, LayerProbe, StepStats
from rnnscope.snapshot_io import (
    ARRAYS,
    CHECKPOINT,
    FIGURE,
    META,
    SCREEN,
    json_number,
    layer_key,
    memory_to_json,
    metrics_to_json,
    snapshot_name,
)


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


def build_meta(frame: Frame, config: RunConfig, corpus_path: str, corpus_sha256: str) -> dict:
    """meta.json's content: strict-JSON data (no nan/inf: null instead)."""
    status, probe = frame.status, frame.probe
    return {
        "rnnscope_version": rnnscope.__version__,
        "step": status.step,
        "model": status.model,
        "sizes": {
            "hidden": status.hidden,
            "embed": status.embed,
            "layers": status.layers,
            "seq_len": status.seq_len,
            "batch": status.batch,
        },
        "n_params": status.n_params,
        "clip": status.clip,
        "clip_fire_rate": json_number(status.clip_fire_rate),
        "init": status.init,
        "init_gain": status.init_gain,
        "seed": config.seed,
        "lr": status.lr,
        "optimizer": status.optimizer,
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
    for index, layer in enumerate(probe.layers):
        arrays.update(_layer_arrays(layer, index))
    clashes = arrays.keys() & weights.keys()
    if clashes:
        raise ValueError(f"weight names clash with snapshot arrays: {', '.join(sorted(clashes))}")
    return {**arrays, **{name: np.asarray(value) for name, value in weights.items()}}


def _write_synced(path: Path, data: bytes) -> None:
    with open(path, "wb") as file:
        file.write(data)
        file.flush()
        os.fsync(file.fileno())


def _fsync_path(path: Path) -> None:
    """fsync a file written by a library, or a directory's entries."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _save_checkpoint(path: Path, checkpoint: dict) -> None:
    import torch  # lazily: importing export stays cheap

    buffer = io.BytesIO()
    torch.save(checkpoint, buffer)
    _write_synced(path, buffer.getvalue())


def _write_contents(folder: Path, frame: Frame, meta: dict, arrays: dict, checkpoint: dict, screen_svg: str | None) -> None:
    _write_synced(folder / META, json.dumps(meta, indent=2, ensure_ascii=False, allow_nan=False).encode("utf-8"))
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    _write_synced(folder / ARRAYS, buffer.getvalue())
    render_figure(frame, folder / FIGURE)
    _fsync_path(folder / FIGURE)
    _save_checkpoint(folder / CHECKPOINT, checkpoint)
    if screen_svg is not None:
        _write_synced(folder / SCREEN, screen_svg.encode("utf-8"))
    _fsync_path(folder)


def _move_into_place(built: Path, target: Path) -> None:
    """Rename `built` to `target`; an existing target is set aside first and restored if that fails."""
    if not target.exists():
        os.rename(built, target)
        return
    aside = target.with_name(f".old-{target.name}-{secrets.token_hex(4)}")
    os.rename(target, aside)
    try:
        os.rename(built, target)
    except BaseException:
        os.rename(aside, target)
        raise
    shutil.rmtree(aside, ignore_errors=True)


def write_snapshot(
    run_dir: Path,
    frame: Frame,
    config: RunConfig,
    *,
    corpus_path: str,
    corpus_sha256: str,
    weights: dict[str, np.ndarray],
    checkpoint: dict,
    screen_svg: str | None = None,
) -> Path:
    """Write RUN_DIR/step-NNNNNN/ for `frame` atomically and return its path."""
    if frame.probe is None:
        raise ValueError("nothing to export yet: the frame has no probe pass")
    meta = build_meta(frame, config, corpus_path, corpus_sha256)
    arrays = build_arrays(frame, weights)
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    target = run_dir / snapshot_name(frame.status.step)
    built = run_dir / f".tmp-{target.name}-{secrets.token_hex(4)}"
    built.mkdir()
    try:
        _write_contents(built, frame, meta, arrays, checkpoint, screen_svg)
        _move_into_place(built, target)
        _fsync_path(run_dir)
    except BaseException:
        shutil.rmtree(built, ignore_errors=True)
        raise
    return target
