"""Memory measurements of PRODUCT.md section 8: answer accuracy by distance (tasks) and the context curve."""

from __future__ import annotations

import time

import numpy as np
import torch
import torch.nn.functional as F

from rnnscope.contracts.frames import MemoryReading
from rnnscope.training.data import Corpus
from rnnscope.training.interrupt import Interrupted, never
from rnnscope.training.model import CharModel
from rnnscope.training.tasks import Task

CONTEXT_POSITIONS = 512  # validation positions the context curve predicts


def context_ks(seq_len: int) -> np.ndarray:
    """k = 1, 2, 4, ... below seq_len, then seq_len itself: [K] int64."""
    ks = [1 << i for i in range(seq_len.bit_length()) if (1 << i) < seq_len]
    return np.array(ks + [seq_len], dtype=np.int64)


def context_positions(n_val: int, seq_len: int) -> np.ndarray:
    """p_j = seq_len + j * floor((n_val - seq_len - 1) / 511), j = 0..511: [512] int64."""
    stride = (n_val - seq_len - 1) // (CONTEXT_POSITIONS - 1)
    return seq_len + np.arange(CONTEXT_POSITIONS, dtype=np.int64) * stride


class MemoryMeter:
    """Measures a model's memory on fixed inputs built once: the context windows and the task's items."""

    def __init__(self, corpus: Corpus, seq_len: int, task: Task | None, seed: int, device: torch.device,
                 distances: list[int] | None = None):
        self.device = device
        self.ks = context_ks(seq_len)  # [K]
        val = corpus.val.astype(np.int64)  # [N_val]
        positions = context_positions(len(val), seq_len)  # [P]
        self.context_targets = torch.from_numpy(val[positions]).to(device)  # [P]
        self.windows = [torch.from_numpy(val[positions[:, None] - k + np.arange(k)]).to(device)  # [P, k]
                        for k in self.ks]
        self.task = task
        self.distances, self.items, self.answers = [], [], []
        if task is not None:
            self.candidates = torch.from_numpy(corpus.encode("".join(task.candidates))).to(device)  # [C]
            index = {int(c): i for i, c in enumerate(self.candidates)}
            for group in task.eval_items(seed + 1, distances):
                self.distances.append(group.distance)
                ids = np.stack([corpus.encode(text) for text in group.texts])  # [N, L]
                self.items.append(torch.from_numpy(ids).to(device))
                answers = [index[int(i)] for i in corpus.encode("".join(group.answers))]
                self.answers.append(torch.tensor(answers, device=device))  # [N] positions in candidates

    @torch.no_grad()
    def measure(self, model: CharModel, step: int, interrupted: Interrupted = never) -> MemoryReading | None:
        """Both measurements for the model's current weights; leaves train/eval mode as it found it. None when
        `interrupted()` turned true between two of its batched passes (a command is waiting)."""
        started = time.perf_counter()
        was_training = model.training
        model.eval()
        losses, accuracy = [], []
        try:
            for window in self.windows:
                if interrupted():
                    return None
                losses.append(F.cross_entropy(_last_logits(model, window), self.context_targets).item())
            for ids, answers in zip(self.items, self.answers):
                if interrupted():
                    return None
                chosen = _last_logits(model, ids)[:, self.candidates].argmax(dim=-1)  # [N]
                accuracy.append((chosen == answers).double().mean().item())
        finally:
            model.train(was_training)
        task = self.task
        return MemoryReading(
            step=step,
            context_k=self.ks.copy(),
            context_loss=np.array(losses, dtype=np.float64),
            full=losses[-1],
            task=None if task is None else task.name,
            distance_range=None if task is None else (task.low, task.high),
            chance=None if task is None else task.chance,
            distances=np.array(self.distances, dtype=np.int64),
            accuracy=np.array(accuracy, dtype=np.float64),
            items=np.array([len(a) for a in self.answers], dtype=np.int64),
            cost_ms=(time.perf_counter() - started) * 1000.0,
        )


def _last_logits(model: CharModel, ids: torch.Tensor) -> torch.Tensor:
    """ids [B, k] read from a zero state -> logits [B, V] of the next character after the last one."""
    logits, _ = model(ids)  # [B, k, V]
    return logits[:, -1]
