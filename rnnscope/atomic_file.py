"""Files written whole or not at all: written beside their target, fsynced, renamed into place."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path


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


def replace_atomically(target: Path, write: Callable[[Path], None]) -> None:
    """`write(temp)` makes a temporary file beside `target`; it is synced and renamed onto `target`, and the folder
    synced. Whatever fails (a signal included), the temporary file is removed and `target` is as it was."""
    temp = target.with_name(f".tmp-{target.name}-{os.getpid()}-{secrets.token_hex(4)}")
    try:
        write(temp)
        fsync_path(temp)
        os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)
    fsync_path(target.parent)
