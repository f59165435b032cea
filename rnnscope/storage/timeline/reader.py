"""TimelineReader: the recorded frames of RUN_DIR/timeline/, listed from the index and read one at a time.

    reader = TimelineReader(run_dir)
    entries = reader.index()              # [TimelineEntry(id, step, ..., loss, run)] of the newest run, oldest first
    frame = reader.load(entries[-1].id)   # TimelineFrame(entry, probe: ProbeReading, memory: MemoryReading | None, meta)

Numpy + json only (no torch, no Textual). Files are read with allow_pickle=False and every field is checked
(rnnscope.storage.timeline.check); whatever is wrong (a missing index, a frame thinned away since the index was read, a
malformed or truncated file, a path that is no regular file of the run folder: rnnscope.storage.regular_file) raises
TimelineError with one line, which callers show as a notice. Reading while a writer appends (another process) is
safe: the writer replaces each file by a rename. `index()` lists the folder's newest run only (the step rule of
rnnscope.storage.timeline.index): replay, attach, the film and the loss curves never mix two runs.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from rnnscope.contracts.frames import MemoryReading, ProbeReading
from rnnscope.storage.snapshot_read import SnapshotError, read_npz
from rnnscope.storage.timeline.check import check_timeline_frame
from rnnscope.storage.timeline.codec import META_KEY, decode, decode_meta, expected_arrays
from rnnscope.storage.timeline.frame_meta import FrameMeta
from rnnscope.storage.timeline.index import TIMELINE, TimelineEntry, TimelineError, frame_name, read_index

MAX_FRAME_BYTES = 512 * 2**20  # a 3 x 4,096-unit LSTM over T = 128 takes ~13 MB


@dataclass(frozen=True, eq=False)
class TimelineFrame:
    """One recorded frame: the probe, the memory measured last before it, and what the index says of it."""

    entry: TimelineEntry
    probe: ProbeReading
    memory: MemoryReading | None
    meta: dict  # what the recorder wrote beside the probe (read it with rnnscope.storage.timeline.frame_meta)

    @cached_property
    def decoded_meta(self) -> FrameMeta:
        """The meta decoded once, each malformed value read as not said (what rnnscope.storage.timeline.facts reads)."""
        return FrameMeta.decode(self.meta, strict=False)


class TimelineReader:
    """Reads one run folder's timeline; the index is read again only when its file changed."""

    def __init__(self, run_dir: Path):
        self.run_dir = Path(run_dir)
        self.folder = self.run_dir / TIMELINE
        self._seen: tuple | None = None  # (inode, size, mtime) of the index last read
        self._entries: list[TimelineEntry] = []  # the newest run's
        self._by_id: dict[int, TimelineEntry] = {}

    def exists(self) -> bool:
        """Whether the folder has a timeline index (it may still be malformed, or not even a file)."""
        return os.path.lexists(self.folder / "index.json")

    def index(self) -> list[TimelineEntry]:
        """The frames recorded so far, oldest first; TimelineError when the index is missing or malformed."""
        try:
            stat = os.stat(self.folder / "index.json")
            seen = (stat.st_ino, stat.st_size, stat.st_mtime_ns)
        except OSError:
            seen = None
        if seen is None or seen != self._seen:
            entries = read_index(self.folder)[0]
            self._entries = [e for e in entries if e.run == entries[-1].run] if entries else []
            self._by_id = {e.id: e for e in self._entries}
            self._seen = seen
        return list(self._entries)

    def load(self, frame_id: int) -> TimelineFrame:
        """The frame with this id (an id of index()); TimelineError when it is gone or malformed."""
        entry = self._by_id.get(frame_id)
        if entry is None:
            self.index()
            entry = self._by_id.get(frame_id)
        path = self.folder / frame_name(frame_id)
        if entry is None:
            raise TimelineError(f"{path} is not in the timeline (thinned away or never written)")
        info, probe, memory = _read(path)
        if probe.step != entry.step:
            raise TimelineError(f"{path} holds step {probe.step}, the index says {entry.step}")
        return TimelineFrame(entry, probe, memory, info["meta"] if isinstance(info["meta"], dict) else {})


def _read(path: Path) -> tuple[dict, ProbeReading, MemoryReading | None]:
    """Each array's npy header is checked before its data is read (rnnscope.storage.snapshot_read.read_npz)."""
    try:
        within = path.parent.parent  # the run folder
        info = decode_meta(read_npz(path, {META_KEY: ((None,),)}, budget=MAX_FRAME_BYTES, within=within))
        shapes, optional = expected_arrays(info)
        arrays = read_npz(path, shapes, budget=MAX_FRAME_BYTES, optional=optional, within=within)
        probe, memory = decode(arrays, info)
        check_timeline_frame(probe, memory)
        return info, probe, memory
    except SnapshotError as err:
        gone = not path.exists()
        raise TimelineError(f"{path} is gone (thinned away since the index was read)" if gone else str(err)) from None
    except KeyError as err:
        raise TimelineError(f"{path} is incomplete: {err.args[0]!r} is missing") from None
    except (ValueError, TypeError, AttributeError, MemoryError, RecursionError) as err:
        reason = (str(err).splitlines() or [type(err).__name__])[0][:200]
        raise TimelineError(f"{path} is malformed: {reason}") from None
