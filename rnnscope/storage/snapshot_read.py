"""Reading files back within bounds: JSON by size and nesting, npz arrays by their npy headers (dtype, shape and
bytes checked before anything is decompressed). Every way reading can fail becomes one SnapshotError line.

rnnscope.storage.snapshot_load reads snapshots with these (load_snapshot_frame); another reader of snapshot data (a timeline
of probe frames) calls read_json, read_npz and rnnscope.storage.snapshot_load.frame_from_snapshot /
rnnscope.storage.snapshot_check.check_probe the same way, inside `reading`.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import zipfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from rnnscope.storage.corpus_file import available_memory
from rnnscope.storage.regular_file import NotReadable, open_regular, read_regular

MAX_JSON_BYTES = 256 * 2**20  # a meta.json of a run with a 100k-character probe is a few MB
MAX_JSON_DEPTH = 32  # meta.json nests 4 deep
MAX_ROWS = 1 << 20  # a dimension the reader cannot know in advance (history rows): histories keep 4,096
MAX_ARRAY_BYTES = 8 * 2**30
MAX_NPY_HEADER = 10_000
MAX_INFLATION = 16  # rnnscope stores arrays uncompressed (np.savez): their bytes are about the archive's size
Shape = tuple  # ints (must match) and None (any size up to MAX_ROWS)


class SnapshotError(ValueError):
    """A folder that is not a readable snapshot; the message is one line naming the problem."""


@contextlib.contextmanager
def reading(where: str | Path) -> Iterator[None]:
    """The one path of error handling: any failure inside the block (a malformed field, a short file, a nesting
    too deep for the parser, memory) is one SnapshotError line naming `where`."""
    try:
        yield
    except SnapshotError:
        raise
    except KeyError as err:
        raise SnapshotError(f"{where} is incomplete: {err.args[0]!r} is missing") from None
    except Exception as err:  # numpy, zipfile, json and our own checks raise many types for bad data
        reason = (str(err).splitlines() or [type(err).__name__])[0][:200]
        raise SnapshotError(f"{where} holds malformed data: {reason}") from None


def read_json(path: Path, *, max_bytes: int = MAX_JSON_BYTES, max_depth: int = MAX_JSON_DEPTH,
              within: Path | None = None) -> dict:
    """A JSON object from `path` (a regular file, through no link out of `within`: rnnscope.storage.regular_file),
    refused when larger than max_bytes or nested deeper than max_depth."""
    try:
        data = json.loads(read_regular(path, max_bytes=max_bytes, within=within).decode("utf-8"))
    except NotReadable as error:
        raise SnapshotError(str(error)) from None
    except (OSError, UnicodeDecodeError, ValueError, RecursionError, MemoryError) as error:
        reason = "nested too deeply" if isinstance(error, RecursionError) else str(error)[:200]
        raise SnapshotError(f"{path} cannot be read as JSON: {reason}") from None
    if not isinstance(data, dict):
        raise SnapshotError(f"{path} does not hold a JSON object")
    if _depth(data, max_depth) > max_depth:
        raise SnapshotError(f"{path} is nested more than {max_depth} levels deep: it is not one rnnscope wrote")
    return data


def _depth(data, limit: int) -> int:
    """How deep lists and objects nest in `data` (counting stops past `limit`), without recursion."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, (dict, list)):
            deepest = max(deepest, depth)
            if depth > limit:
                return deepest
            stack.extend((item, depth + 1) for item in (value.values() if isinstance(value, dict) else value))
    return deepest


def read_npz(path: Path, expected: dict[str, tuple[Shape, ...]], budget: int | None = None,
             optional: tuple[str, ...] = (), within: Path | None = None) -> dict[str, np.ndarray]:
    """The arrays named in `expected` (key -> the shapes it may have) from an npz, each header checked before its
    data is read: plain numbers (no objects, no records), one of the shapes, and all of them within `budget` bytes
    (default: half the free memory, at most MAX_ARRAY_BYTES) and MAX_INFLATION times the archive's size: a 4 MB
    file never decompresses to 4 GB. Keys in `optional` may be absent (an array older snapshots lack). The file is
    opened by rnnscope.storage.regular_file (a regular file no larger than the budget, through no link out of
    `within`)."""
    budget = budget if budget is not None else min(available_memory() // 2, MAX_ARRAY_BYTES)
    try:
        with open_regular(path, max_bytes=budget + 2**20, within=within) as file, zipfile.ZipFile(file) as archive:
            present = set(archive.namelist())
            expected = {key: shapes for key, shapes in expected.items()
                        if key not in optional or f"{key}.npy" in present}
            headers = {key: _header(archive, key, shapes, path) for key, shapes in expected.items()}
            total = sum(math.prod(shape) * dtype.itemsize for shape, dtype in headers.values())
            if total > MAX_INFLATION * os.fstat(file.fileno()).st_size + 2**20:
                raise SnapshotError(f"{path} would inflate to {total / 2**20:.0f} MB, far more than its own size: "
                                    "it is not an archive rnnscope wrote")
            if total > budget:
                raise SnapshotError(f"{path} would take {total / 2**30:.1f} GiB in memory, more than the "
                                    f"{budget / 2**30:.1f} GiB this reader allows")
            arrays = {}
            for key in expected:
                with archive.open(f"{key}.npy") as member:
                    arrays[key] = np.lib.format.read_array(member, allow_pickle=False)
            return arrays
    except SnapshotError:
        raise
    except NotReadable as error:
        raise SnapshotError(str(error)) from None
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError) as error:
        raise SnapshotError(f"{path} is corrupt or not a numpy archive: {str(error)[:200]}") from None


def _header(archive: zipfile.ZipFile, key: str, shapes: tuple[Shape, ...], path: Path) -> tuple[tuple, np.dtype]:
    try:
        member = archive.open(f"{key}.npy")
    except KeyError:
        raise SnapshotError(f"{path} is incomplete: {key!r} is missing") from None
    with member:
        version = np.lib.format.read_magic(member)
        if version == (1, 0):
            shape, _, dtype = np.lib.format.read_array_header_1_0(member, max_header_size=MAX_NPY_HEADER)
        elif version == (2, 0):
            shape, _, dtype = np.lib.format.read_array_header_2_0(member, max_header_size=MAX_NPY_HEADER)
        else:
            raise SnapshotError(f"array {key} has npy format {version}, not one rnnscope writes")
    if dtype.hasobject or dtype.fields is not None or dtype.kind not in "fiu" or dtype.itemsize > 8:
        raise SnapshotError(f"{path} is corrupt: array {key} holds {dtype}, not plain numbers")
    if not any(_fits(shape, want) for want in shapes):
        wanted = " or ".join(str(tuple("N" if s is None else s for s in want)) for want in shapes)
        raise SnapshotError(f"array {key} has shape {shape}, expected {wanted}")
    return shape, dtype


def _fits(shape: tuple, want: Shape) -> bool:
    return len(shape) == len(want) and all(
        (got == size) if size is not None else (0 <= got <= MAX_ROWS) for got, size in zip(shape, want))
