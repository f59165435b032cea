"""Tiny corpora and configs for core tests (small enough to train in milliseconds)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from rnnscope.contracts.config import RunConfig
from rnnscope.training.data import load_corpus

TINY = dict(hidden=16, embed=8, seq_len=16, batch=4, val_every=5, val_batches=1)


def write_corpus(folder: Path, n_chars: int = 4000, seed: int = 0, name: str = "tiny.txt") -> Path:
    """A reproducible text with words, spaces and newlines."""
    rng = np.random.default_rng(seed)
    words = ["the", "cat", "sat", "on", "a", "mat", "and", "dog", "ran", "to", "it"]
    text = ""
    while len(text) < n_chars:
        text += " ".join(rng.choice(words, size=7)) + (".\n" if rng.random() < 0.5 else ", ")
    path = folder / name
    path.write_text(text[:n_chars], encoding="utf-8")
    return path


def tiny_config(corpus: Path, **changes) -> RunConfig:
    torch.set_num_threads(1)
    return RunConfig(corpus=str(corpus), **{**TINY, **changes}).validate()


def tiny_engine(tmp_path: Path, **changes):
    from rnnscope.engine.engine import Engine

    corpus_path = write_corpus(tmp_path)
    config = tiny_config(corpus_path, **changes)
    return Engine(config, load_corpus(corpus_path), tmp_path / "run", threads=1)
