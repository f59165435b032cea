"""The plain evidence a lesson's check reads: one run's numbers as a snapshot's meta.json / headless JSON carry them.

One run's evidence is a dict:
    step         int, the training step
    settings     model, init, init_gain, clip (None = off), optimizer, lr, hidden, seq_len, seed,
                 task (None = a corpus), distance ([MIN, MAX] or None), forget_bias (None = not set)
    metrics      meta.json's per-layer list: decay_per_step, memory_horizon, verdict, sigma_max,
                 saturation, cell_decay_per_step, cell_memory_horizon, cell_verdict
    initial_metrics  the same list for the probe at step 0 (the initialisation), or None
    memory       meta.json's memory object (context_curve, task with by_distance) or None
    train_loss, val_loss, loss_first (the first logged train loss), uniform_loss (ln of the vocabulary size)
    grad         {"first_pre", "max_pre", "max_post"}: total gradient norms over the run
    diverged     None or the step at which the loss became non-finite
    extra        lesson-specific numbers from rnnscope.lessons.unit_evidence ("embedding", "gates", "samples")
A comparison's evidence is {"a": run, "b": run}.
"""

from __future__ import annotations

import math

import numpy as np

SETTING_NAMES = ("model", "init", "init_gain", "clip", "optimizer", "lr", "hidden", "seq_len", "seed",
                 "task", "distance", "forget_bias")


class MissingEvidence(Exception):
    """The evidence lacks a number the check needs; the message says which and why it may be absent."""


def run_evidence(meta: dict, *, loss_history: np.ndarray | None = None,
                 grad_norm_history: np.ndarray | None = None, diverged: int | None = None,
                 initial_metrics: list[dict] | None = None, extra: dict | None = None,
                 grad_max: tuple[float, float] | None = None) -> dict:
    """One run's evidence from its meta.json dict and its histories (arrays.npz: [N, 2] step, loss;
    [N, 3] step, pre-clip, post-clip total norm); `grad_max` (largest pre, post norm of every step) replaces
    the histories' maxima when given."""
    memory = meta.get("memory")
    task = meta.get("task") or (memory or {}).get("task") or {}  # meta.json's task: {"name", "distance"} or null
    sizes = meta.get("sizes", {})
    settings = {
        "model": meta.get("model"), "init": meta.get("init"), "init_gain": meta.get("init_gain"),
        "clip": meta.get("clip") or None, "optimizer": meta.get("optimizer"), "lr": meta.get("lr"),
        "hidden": sizes.get("hidden"), "seq_len": sizes.get("seq_len"), "seed": meta.get("seed"),
        "task": task.get("name"), "distance": task.get("distance"),
        "forget_bias": meta.get("forget_bias"),
    }
    return {
        "step": int(meta["step"]),
        "settings": settings,
        "metrics": list(meta.get("metrics", [])),
        "initial_metrics": initial_metrics,
        "memory": memory,
        "train_loss": meta.get("train_loss"),
        "val_loss": meta.get("val_loss"),
        "loss_first": _first(loss_history, 1),
        "uniform_loss": math.log(len(meta["vocab"])) if meta.get("vocab") else None,
        "grad": _grad_summary(grad_norm_history, grad_max),
        "diverged": diverged,
        "extra": dict(extra or {}),
        "tunes": meta.get("tunes"),  # a text of tunes: meta.json's `tunes` (rnnscope.contracts.tunes)
    }


def run_settings(run: dict) -> dict:
    return run.get("settings", {})


def layer_metrics(run: dict, layer: int = 0, key: str = "metrics") -> dict:
    """One layer's metrics now (key "metrics") or at initialisation (key "initial_metrics")."""
    metrics = run.get(key) or []
    if len(metrics) <= layer:
        when = "at initialisation" if key == "initial_metrics" else "yet"
        raise MissingEvidence(f"no probe metrics for layer {layer} {when}")
    return metrics[layer]


def number(value) -> float:
    """A JSON number back as a float: None (JSON's stand-in for inf / nan) reads as nan."""
    return math.nan if value is None else float(value)


def accuracy_by_distance(run: dict) -> list[tuple[int, float]]:
    """[(distance, accuracy), ...] of the memory task, shortest distance first."""
    task = (run.get("memory") or {}).get("task")
    if not task or not task.get("by_distance"):
        raise MissingEvidence("no recall accuracy by distance yet (the run needs --task recall)")
    rows = sorted(task["by_distance"], key=lambda row: row["distance"])
    return [(int(row["distance"]), float(row["accuracy"])) for row in rows]


def extra(run: dict, key: str) -> dict:
    found = run.get("extra", {}).get(key)
    if found is None:
        raise MissingEvidence(f"no {key} evidence yet")
    return found


def _first(history: np.ndarray | None, column: int) -> float | None:
    if history is None or len(history) == 0:
        return None
    return float(history[0, column])


def _grad_summary(history: np.ndarray | None, grad_max: tuple[float, float] | None) -> dict:
    """First pre-clip norm, largest finite pre-clip norm, largest post-clip norm."""
    if history is None or len(history) == 0:
        return {"first_pre": None, "max_pre": None, "max_post": None}
    pre, post = history[:, 1], history[:, 2]  # [N] each
    finite_pre, finite_post = pre[np.isfinite(pre)], post[np.isfinite(post)]
    summary = {
        "first_pre": float(pre[0]),
        "max_pre": float(finite_pre.max()) if len(finite_pre) else None,
        "max_post": float(finite_post.max()) if len(finite_post) else None,
    }
    if grad_max is not None:
        summary["max_pre"], summary["max_post"] = float(grad_max[0]), float(grad_max[1])
    return summary
