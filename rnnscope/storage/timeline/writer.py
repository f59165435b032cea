"""TimelineWriter: append probe frames to RUN_DIR/timeline/, each file whole or absent, the count bounded.

    writer = TimelineWriter(run_dir)
    writer.append(probe, wall_time=time.time(), train_loss=..., val_loss=..., memory=..., meta={...})

A frame is written as `frame-<id>.npz` (rnnscope.storage.timeline.codec) under a temporary name of rnnscope.storage.atomic_file
and renamed into place; then `index.json` is replaced the same way (when that fails, the frame is removed again: the
timeline stays as it was). Neither is fsynced (a killed writer still leaves each file old or new and whole; see
atomic_file.replace_atomically). Past MAX_FRAMES frames the older half is thinned to every other frame, keeping the
first and the newest (the index is rewritten before the files go, so a reader never lists a removed frame for long).

Steps (the rule of rnnscope.storage.timeline.index): a step is any whole number 0..2**53-1 (numpy and tensor
integers too), anything else is refused before a byte is written. A writer's first frame continues the folder's
newest run when its step lies beyond that run's last one (a resume), else it starts the next run; a later frame whose
step goes back starts the next run too. No frame is ever deleted because a step went back.

On open: temporaries of dead processes are removed (rnnscope.storage.run_dir.remove_leftovers); frame files the index
does not list (thinned, or a writer killed between a frame and its index) are removed; an index that is missing
while frames exist, or that cannot be read (malformed, truncated, not a regular file), is set aside with the frames
into `timeline/set-aside-<time>/`, never taken as an empty timeline. One writer per folder: the first holds an
exclusive flock on the folder (released by the kernel when its process ends, however it ends); a second process's
first append raises TimelineBusy, an OSError, and leaves the timeline alone.
"""

from __future__ import annotations

import dataclasses
import errno
import os
import secrets
import time
from pathlib import Path

try:
    import fcntl
except ImportError:  # not POSIX: no lock (rnnscope's terminals are POSIX)
    fcntl = None

import numpy as np

from rnnscope.contracts.frames import MemoryReading, ProbeReading
from rnnscope.storage.atomic_file import replace_atomically
from rnnscope.storage.run_dir import remove_leftovers
from rnnscope.storage.timeline.codec import encode
from rnnscope.storage.timeline.index import (
    FRAME_NAME,
    INDEX,
    TIMELINE,
    TimelineEntry,
    TimelineError,
    TimelineMissing,
    check_step,
    frame_name,
    read_index,
    to_json,
)

MAX_FRAMES = 1024
_HELD: dict[str, int] = {}  # timeline folder -> the open descriptor holding its lock, in this process


class TimelineBusy(OSError):
    """Another process writes this timeline now."""


def thin(entries: list[TimelineEntry], max_frames: int = MAX_FRAMES) -> list[TimelineEntry]:
    """Past `max_frames`, the older half kept at every other frame (the first among them), the newer half whole."""
    if len(entries) <= max_frames:
        return entries
    half = len(entries) // 2
    return entries[:half:2] + entries[half:]


class TimelineWriter:
    """Appends frames to one run folder's timeline (one writer per folder at a time)."""

    def __init__(self, run_dir: Path, max_frames: int = MAX_FRAMES):
        self.folder = Path(run_dir) / TIMELINE
        self.max_frames = max_frames
        self.entries: list[TimelineEntry] | None = None  # every run's, read on the first append
        self.next_id = 0
        self.run: int | None = None  # the run of this writer's last frame
        self.set_aside: Path | None = None  # where an index it could not read went, with its frames (to be told)

    def _lock(self) -> None:
        """Hold the folder's writer lock, an flock on the folder itself (this process's writers share it: a run
        resumed in the same process takes the timeline over), or raise TimelineBusy."""
        key = os.path.realpath(self.folder)
        if key in _HELD:
            return
        fd = os.open(key, os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as err:
            os.close(fd)
            if err.errno not in (errno.EWOULDBLOCK, errno.EACCES):
                raise
            raise TimelineBusy(errno.EBUSY, "another process is writing it (its heartbeat.json names it); give each "
                                            "run its own --run-dir", str(self.folder)) from None
        _HELD[key] = fd  # held until this process ends

    def claim(self) -> None:
        """Take the folder's lock (and read its index) now, before anything else is written: TimelineBusy when
        another process writes it. Otherwise the first append does."""
        if self.entries is None:
            self._open()

    def release(self) -> None:
        """Give the folder's lock back before the process ends (a Scope's close)."""
        fd = _HELD.pop(os.path.realpath(self.folder), None)
        if fd is not None:
            os.close(fd)

    def _open(self) -> list[TimelineEntry]:
        """The index as a former writer left it, without unlisted frame files; an index it cannot read is set aside
        with the frames (nothing is deleted on the word of an index that could not be read)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        if fcntl is not None:
            self._lock()
        remove_leftovers(self.folder.parent)
        with os.scandir(self.folder) as found:
            frames = [entry.name for entry in found if FRAME_NAME.fullmatch(entry.name)]
        try:
            self.entries, self.next_id = read_index(self.folder)
        except TimelineError as err:
            if frames or not isinstance(err, TimelineMissing):
                self._set_aside(frames)
            self.entries, self.next_id = [], 0
        listed = {frame_name(e.id) for e in self.entries}
        self._remove([name for name in frames if name not in listed])
        return self.entries

    def _set_aside(self, frames: list[str]) -> None:
        """The index (whatever it is) and the frames into timeline/set-aside-<time>-<hex>/."""
        aside = self.folder / f"set-aside-{time.strftime('%Y%m%d-%H%M%S')}-{secrets.token_hex(2)}"
        aside.mkdir()
        self.set_aside = aside
        for name in [INDEX, *frames]:
            try:
                os.rename(self.folder / name, aside / name)
            except FileNotFoundError:
                pass

    def _run_of(self, step: int, entries: list[TimelineEntry]) -> int:
        """The run a frame of `step` belongs to (the step rule: rnnscope.storage.timeline.index)."""
        newest = entries[-1] if entries else None
        if newest is None:
            return 0
        if self.run is None:  # this writer's first frame: a resume beyond the newest run's last step continues it
            return newest.run if step > newest.step else newest.run + 1
        mine = newest.run == self.run
        return self.run if mine and step >= newest.step else newest.run + 1

    def append(self, probe: ProbeReading, *, wall_time: float, train_loss: float | None, val_loss: float | None,
               memory: MemoryReading | None, meta: dict | None = None) -> TimelineEntry:
        """Record one probe (OSError when the folder cannot take it, TypeError / ValueError for a step that is no
        whole number 0..2**53-1; either way the timeline stays as it was)."""
        step = check_step(probe.step)
        if type(probe.step) is not int:
            probe = dataclasses.replace(probe, step=step)
        entries = self.entries if self.entries is not None else self._open()
        arrays = encode(probe, wall_time=wall_time, train_loss=train_loss, val_loss=val_loss, memory=memory,
                        meta=meta)
        run = self._run_of(step, entries)
        entry = TimelineEntry(self.next_id, step, wall_time, train_loss, val_loss, probe.loss, run)
        path = self.folder / frame_name(entry.id)
        replace_atomically(path, lambda temp: _save(temp, arrays), durable=False)
        kept = thin(entries + [entry], self.max_frames)
        try:
            self._write_index(kept, self.next_id + 1)
        except BaseException:
            path.unlink(missing_ok=True)  # a frame the index does not list is no frame
            raise
        self.run = run
        gone = {e.id for e in entries + [entry]} - {e.id for e in kept}
        self._remove([frame_name(frame_id) for frame_id in sorted(gone)])
        return entry

    def _write_index(self, entries: list[TimelineEntry], next_id: int) -> None:
        text = to_json(entries, next_id).encode("utf-8")
        replace_atomically(self.folder / INDEX, lambda temp: temp.write_bytes(text), durable=False)
        self.entries, self.next_id = entries, next_id

    def _remove(self, names: list[str]) -> None:
        for name in names:
            try:
                (self.folder / name).unlink()
            except FileNotFoundError:
                pass


def _save(path: Path, arrays: dict[str, np.ndarray]) -> None:
    with open(path, "wb") as file:  # a file object: np.savez would add .npz to a name
        np.savez(file, **arrays)
