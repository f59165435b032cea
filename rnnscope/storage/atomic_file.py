"""Files written whole or not at all, and the one list of the temporary names the project writes.

A file or snapshot folder is built beside its target as `.tmp-<name>-<pid>-<hex8>` (temp_path), fsynced and
renamed into place; a snapshot being replaced is set aside as `.old-<name>-<hex8>` (aside_path); the run
folder's write check is `.write-check-<pid>-*` (write_check_prefix). rnnscope.storage.run_dir.remove_leftovers removes what a
killed process left under exactly these names (leftover_kind), and nothing else.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
from collections.abc import Callable
from pathlib import Path

WRITE_CHECK_PREFIX = ".write-check-"
_TEMP = re.compile(r"\.tmp-(?P<name>.+)-(?P<pid>\d+)-[0-9a-f]{8}")
_TEMP_NO_PID = re.compile(r"\.tmp-(?P<name>step-\d+)-[0-9a-f]+")  # snapshot folders of versions before the pid
_ASIDE = re.compile(r"\.old-(?P<name>step-\d+|best)-[0-9a-f]{8}")  # a snapshot, --export-best's best/
_WRITE_CHECK = re.compile(re.escape(WRITE_CHECK_PREFIX) + r"(?P<pid>\d+)-[A-Za-z0-9_]+")


def write_check_prefix() -> str:
    """The prefix of the empty file that proves a run folder can be written (tempfile adds the rest)."""
    return f"{WRITE_CHECK_PREFIX}{os.getpid()}-"


def temp_path(target: Path) -> Path:
    """Where `target` (a file or a snapshot folder) is built before it is renamed into place."""
    return target.with_name(f".tmp-{target.name}-{os.getpid()}-{secrets.token_hex(4)}")


def aside_path(target: Path) -> Path:
    """Where an existing snapshot folder waits while its replacement is renamed into place."""
    return target.with_name(f".old-{target.name}-{secrets.token_hex(4)}")


def leftover_kind(name: str) -> tuple[str, int | None, str] | None:
    """("temp", pid or None, target name), ("aside", None, target name) or ("check", pid, name) for the name of
    a temporary this project writes; None for every other name."""
    for kind, pattern in (("temp", _TEMP), ("temp", _TEMP_NO_PID), ("aside", _ASIDE), ("check", _WRITE_CHECK)):
        match = pattern.fullmatch(name)
        if match:
            groups = match.groupdict()
            pid = int(groups["pid"]) if groups.get("pid") else None
            return kind, pid, groups.get("name", name)
    return None


def write_synced(path: Path, data: bytes) -> None:
    """`data` to `path`, on the disk before this returns."""
    with open(path, "wb") as file:
        file.write(data)
        file.flush()
        os.fsync(file.fileno())


def fsync_path(path: Path) -> None:
    """fsync a file written by a library, or a directory's entries."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def replace_atomically(target: Path, write: Callable[[Path], None], *, durable: bool = True) -> None:
    """`write(temp)` makes a temporary file beside `target`; it is synced and renamed onto `target`, and the folder
    synced. Whatever fails (a signal included), the temporary file is removed and `target` is as it was. Without
    `durable` nothing is synced: a killed process still leaves the old or the new file whole (the rename is atomic),
    only a power cut may lose the newest files (the timeline's frames, written several times a second)."""
    temp = temp_path(target)
    try:
        write(temp)
        if durable:
            fsync_path(temp)
        os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)
    if durable:
        fsync_path(target.parent)


def move_into_place(built: Path, target: Path) -> None:
    """Rename the folder `built` to `target`; an existing target is set aside first (aside_path), restored if that
    fails, and removed after."""
    if not target.exists():
        os.rename(built, target)
        return
    aside = aside_path(target)
    os.rename(target, aside)
    try:
        os.rename(built, target)
    except BaseException:
        os.rename(aside, target)
        raise
    shutil.rmtree(aside, ignore_errors=True)
