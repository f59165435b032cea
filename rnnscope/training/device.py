"""Where and how torch runs: device choice and thread count."""

from __future__ import annotations

import os

import torch

from rnnscope.contracts.config import ConfigError


def resolve_device(name: str) -> torch.device:
    """`auto` picks CUDA when present; asking for CUDA without it is a usage error."""
    if name == "cuda" and not torch.cuda.is_available():
        raise ConfigError("--device cuda: no CUDA device is available here; use --device cpu (or auto)")
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    return torch.device(name)


def configure_threads(threads: int) -> int:
    """Set torch's intra-op thread count; returns the count in force. 0 (a headless run's default) = half the cores,
    at least 1: on a shared machine threads that fill every core spin waiting on each other whenever anything else
    wants a core, and half the cores train nearly as fast as all of them (numbers: benchmarks/README.md,
    headless_threads). The dashboard asks for its own count (tui.py)."""
    count = threads or max(1, (os.cpu_count() or 1) // 2)
    torch.set_num_threads(count)
    return count
