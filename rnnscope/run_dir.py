"""The run folder: its default name and an up-front check that snapshots can be written there."""

from __future__ import annotations

import re
import tempfile
import time
from pathlib import Path

from rnnscope.errors import InputError


class RunDirError(InputError):
    """A run folder that cannot take snapshots."""


def default_run_dir(corpus_path: Path, when: time.struct_time) -> Path:
    """./rnnscope-runs/<timestamp>-<corpus name>."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", corpus_path.stem)[:40] or "corpus"
    return Path("rnnscope-runs") / f"{time.strftime('%Y%m%d-%H%M%S', when)}-{stem}"


def check_writable(run_dir: Path) -> None:
    """Create the folder if needed and prove a file can be written in it."""
    if run_dir.exists() and not run_dir.is_dir():
        raise RunDirError(f"--run-dir {run_dir} is a file: give a folder for the snapshots")
    try:
        run_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=run_dir, prefix=".write-check-"):
            pass
    except OSError as err:
        raise RunDirError(f"cannot write snapshots to {run_dir} ({err.strerror or err}): "
                          "choose another folder with --run-dir") from None
