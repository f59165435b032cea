"""Where and how torch runs: device choice and thread count."""

from __future__ import annotations

import os

import torch

from rnnscope.config import ConfigError


def resolve_device(name: str) -> torch.device:
    """`auto` picks CUDA when present; asking for CUDA without it is a usage error."""
    if name == "cuda" and not torch.cuda.is_available():
        raise ConfigError("--device cuda: no CUDA device is available here; use --device cpu (or auto)")
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    return torch.device(name)


def configure_threads(threads: int) -> int:
    """Set torch's intra-op thread count (0 = all cores); returns the count in force."""
    count = threads or (os.cpu_count() or 1)
    torch.set_num_threads(count)
    return count
