"""The run folder: its default name and an up-front check that snapshots can be written there."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
from pathlib import Path

from rnnscope.contracts.errors import InputError
from rnnscope.storage.atomic_file import leftover_kind, write_check_prefix

_SNAPSHOT = re.compile(r"step-\d{6,}")  # rnnscope.storage.snapshot_io.SNAPSHOT_NAME (that module loads numpy)
_TIMELINE = "timeline"  # rnnscope.storage.timeline.TIMELINE (that package loads numpy)


class RunDirError(InputError):
    """A run folder that cannot take snapshots."""


def default_run_dir(corpus_path: Path, when: time.struct_time) -> Path:
    """./rnnscope-runs/<timestamp>-<corpus name>."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", corpus_path.stem)[:40] or "corpus"
    return Path("rnnscope-runs") / f"{time.strftime('%Y%m%d-%H%M%S', when)}-{stem}"


def check_run_folders(folders) -> None:
    """Refuse a run folder (RUN_DIR, a compare's RUN_DIR/a and RUN_DIR/b) that is a file or where nothing can be
    written (every run writes its timeline), creating the folders."""
    for folder in folders:
        if os.path.lexists(folder) and not folder.is_dir():
            raise RunDirError(f"--run-dir {folder} is a file: give a folder for the snapshots")
    for folder in folders:
        check_writable(folder)


def check_writable(run_dir: Path) -> None:
    """Create the folder if needed and prove a file can be written in it."""
    if run_dir.exists() and not run_dir.is_dir():
        raise RunDirError(f"--run-dir {run_dir} is a file: give a folder for the snapshots")
    try:
        run_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=run_dir, prefix=write_check_prefix()):
            pass
    except (OSError, ValueError) as err:  # ValueError: a NUL or an unencodable character in the name
        raise RunDirError(f"cannot write snapshots to {run_dir} ({getattr(err, 'strerror', None) or err}): "
                          "choose another folder with --run-dir") from None


def _alive(pid: int | None) -> bool:
    if pid is None:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return pid > 0  # exists, owned by someone else (or an absurd number: treat as not ours to judge)
    return True


def _entries(folder: Path) -> list[os.DirEntry]:
    try:
        with os.scandir(folder) as entries:
            return list(entries)
    except (OSError, ValueError):
        return []


def _remove(entry: os.DirEntry) -> None:
    try:
        if entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path, ignore_errors=True)
        else:
            os.unlink(entry.path)
    except OSError:
        pass


def remove_leftovers(run_dir: Path) -> list[str]:
    """Remove what a killed process left in a run folder, its snapshot folders and its timeline under the temporary
    names of rnnscope.storage.atomic_file (a snapshot, the task corpus, a compare figure, a lesson's meta.json, a timeline
    frame or index, the write check);
    a set-aside snapshot whose replacement never arrived is put back. A live process's temporaries (another run
    in the same folder) and every other name are left alone. Returns the removed names, relative to run_dir."""
    removed = []
    for entry in _entries(Path(run_dir)):
        removed += [f"{entry.name}/{name}" for name in _remove_in(Path(entry.path))] if _has_files(entry) else []
        kind = leftover_kind(entry.name)
        if kind is None:
            continue
        what, pid, target = kind
        if what == "aside" and not (Path(run_dir) / target).exists():
            try:
                os.rename(entry.path, Path(run_dir) / target)
            except OSError:
                pass
            continue
        if what == "aside" or not _alive(pid):
            _remove(entry)
            removed.append(entry.name)
    return removed


def _has_files(entry: os.DirEntry) -> bool:
    """A folder of the run whose files are rewritten atomically: a snapshot, the timeline."""
    try:
        named = _SNAPSHOT.fullmatch(entry.name) is not None or entry.name == _TIMELINE
        return named and entry.is_dir(follow_symlinks=False)
    except OSError:
        return False


def _remove_in(folder: Path) -> list[str]:
    """A snapshot's or the timeline's own leftovers: a file's temporary (a lesson's meta.json, a frame, the index)."""
    removed = []
    for entry in _entries(folder):
        kind = leftover_kind(entry.name)
        if kind is not None and kind[0] == "temp" and not _alive(kind[1]):
            _remove(entry)
            removed.append(entry.name)
    return removed
