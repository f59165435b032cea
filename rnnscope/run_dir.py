"""The run folder: its default name and an up-front check that snapshots can be written there."""

from __future__ import annotations

import os
import re
import shutil
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
    except (OSError, ValueError) as err:  # ValueError: a NUL or an unencodable character in the name
        raise RunDirError(f"cannot write snapshots to {run_dir} ({getattr(err, 'strerror', None) or err}): "
                          "choose another folder with --run-dir") from None


# What write_snapshot leaves behind when its process is killed: .tmp-step-NNNNNN-<pid>-<hex> (the folder being
# built) and .old-step-NNNNNN-<hex> (a snapshot set aside while its replacement is moved in).
_TEMP = re.compile(r"\.tmp-step-\d+-(?:(\d+)-)?[0-9a-f]+")
_ASIDE = re.compile(r"\.old-(step-\d+)-[0-9a-f]+")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return pid > 0  # exists, owned by someone else (or an absurd number: treat as not ours to judge)
    return True


def remove_leftovers(run_dir: Path) -> list[str]:
    """Remove the temp folders of exports whose process died; a set-aside snapshot whose replacement never
    arrived is put back. Exports of a live process (another run in the same folder) are left alone."""
    removed = []
    try:
        entries = list(Path(run_dir).iterdir()) if Path(run_dir).is_dir() else []
    except OSError:
        return removed
    for entry in entries:
        temp, aside = _TEMP.fullmatch(entry.name), _ASIDE.fullmatch(entry.name)
        if temp and not (temp.group(1) and _alive(int(temp.group(1)))):
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry.name)
        elif aside and not (entry.parent / aside.group(1)).exists():
            try:
                os.rename(entry, entry.parent / aside.group(1))
            except OSError:
                continue
        elif aside:
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry.name)
    return removed
