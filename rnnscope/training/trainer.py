"""One optimisation step with total-norm clipping and per-parameter gradient norms; validation loss."""

from __future__ import annotations

import contextlib
import math

import numpy as np
import torch
import torch.nn.functional as F

from rnnscope.contracts.frames import StepStats
from rnnscope.training.interrupt import Interrupted, never
from rnnscope.training.side_budget import SideBudget

CLIP_EPS = 1e-6  # as torch.nn.utils.clip_grad_norm_


def make_optimizer(name: str, params, lr: float) -> torch.optim.Optimizer:
    if name == "adam":
        return torch.optim.Adam(params, lr=lr)
    return torch.optim.SGD(params, lr=lr)


def batch_loss(model, inputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy in nats per character."""
    logits, _ = model(inputs)  # [B, T, V]
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))


def train_step(model, optimizer, inputs: torch.Tensor, targets: torch.Tensor,
               clip: float | None, step: int, budget: SideBudget | None = None) -> StepStats:
    """Forward, backward, clip, and update -- unless the loss or gradient is not finite.

    A non-finite step leaves the weights untouched (the last finite ones); the caller sees it in
    the returned stats (`loss` or `total_pre` not finite) and decides what to do. With clipping on, the
    per-parameter norms are the clipping's own total norm (torch.nn.utils.clip_grad_norm_ takes the same foreach
    norms in a bare loop): training time. With clipping off they are side work: `budget` times them as "norms" (on a
    GPU, their launch; the step's one sync waits for the backward).
    """
    loss = batch_loss(model, inputs, targets)
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    names, grads = _named_grads(model)
    with budget.timed("norms") if budget is not None and clip is None else contextlib.nullcontext():
        norms, total = grad_norms(grads)  # [P], []
    values = torch.cat([norms, total[None], loss.detach()[None]]).tolist()  # the step's one sync
    pre, total_pre, loss_value = values[:-2], values[-2], values[-1]
    finite = math.isfinite(loss_value) and math.isfinite(total_pre)
    scale = 1.0
    if finite and clip is not None and total_pre > clip:
        scale = clip / (total_pre + CLIP_EPS)
        torch._foreach_mul_(grads, scale)
    if finite:
        optimizer.step()
    return StepStats(
        step=step,
        loss=loss_value,
        grad_norms=dict(zip(names, pre)),
        grad_norms_post=dict(zip(names, (v * scale for v in pre))),
        total_pre=total_pre,
        total_post=total_pre * scale,
        clipped=scale < 1.0,
    )


def grad_norms(grads: list[torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
    """Every parameter's gradient L2 norm in one fused call, and their total norm: [P], []."""
    norms = torch.stack(torch._foreach_norm(grads))  # [P]
    return norms, torch.linalg.vector_norm(norms)  # [P], []


def _named_grads(model) -> tuple[list[str], list[torch.Tensor]]:
    pairs = [(name, p.grad) for name, p in model.named_parameters() if p.grad is not None]
    return [n for n, _ in pairs], [g for _, g in pairs]


@torch.no_grad()
def validation_loss(model, batches: list[tuple[np.ndarray, np.ndarray]], device: torch.device,
                    interrupted: Interrupted = never) -> float | None:
    """Mean loss over fixed validation windows (nats per character); None when `interrupted()` turned true
    between two batches (a command is waiting)."""
    was_training = model.training
    model.eval()
    total = torch.zeros((), device=device)
    count = 0
    for inputs, targets in batches:
        if interrupted():
            model.train(was_training)
            return None
        x = torch.from_numpy(inputs).to(device)  # [B, T]
        y = torch.from_numpy(targets).to(device)  # [B, T]
        total += batch_loss(model, x, y) * y.numel()
        count += y.numel()
    model.train(was_training)
    return float(total) / count
