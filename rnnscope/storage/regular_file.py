"""The one way the project opens what it reads back (an index, a frame, a heartbeat, a snapshot's files, an export's
source): a regular file only (a FIFO, a device such as /dev/zero, a folder or a socket is refused before a byte is
read, and opening never blocks), its size bounded before reading, and never through a link that leads out of the
folder it belongs to. Every refusal is one NotReadable line; a missing file stays FileNotFoundError."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

_KINDS = {stat.S_IFIFO: "a FIFO", stat.S_IFCHR: "a character device", stat.S_IFBLK: "a block device",
          stat.S_IFDIR: "a folder", stat.S_IFSOCK: "a socket"}


class NotReadable(ValueError):
    """A path that is not a regular file of its folder within the size allowed; the message is one line."""


def _inside(path: Path, within: Path) -> str:
    """The real path of `path`, NotReadable when a link takes it out of `within`."""
    real, root = os.path.realpath(path), os.path.realpath(within)
    if os.path.commonpath([real, root]) != root:
        raise NotReadable(f"{path} links out of {within} (to {real[:200]}): not read")
    return real


def open_regular(path: Path, *, max_bytes: int, within: Path | None = None) -> BinaryIO:
    """An open binary file for `path` (the caller closes it): NotReadable when it is not a regular file, is larger
    than `max_bytes`, or (given `within`) is reached through a link out of that folder; OSError as open() raises it
    (FileNotFoundError when there is none)."""
    path = Path(path)
    target = _inside(path, within) if within is not None else path
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)  # O_NONBLOCK: a FIFO's open does not wait
    fd = os.open(target, flags | (os.O_NOFOLLOW if within is not None else 0))  # resolved: a link now is a swap
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = _KINDS.get(stat.S_IFMT(info.st_mode), "not a file")
            raise NotReadable(f"{path} is {kind}, not a regular file: not read")
        if info.st_size > max_bytes:
            raise NotReadable(f"{path} is {info.st_size:,} bytes, more than the {max_bytes:,} such a file can take: "
                              "it is not one rnnscope wrote")
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_regular(path: Path, *, max_bytes: int, within: Path | None = None) -> bytes:
    """The bytes of `path`, opened by open_regular (a file that grew past `max_bytes` meanwhile is refused too)."""
    with open_regular(path, max_bytes=max_bytes, within=within) as file:
        data = file.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise NotReadable(f"{path} grew past {max_bytes:,} bytes while read: not read")
    return data
