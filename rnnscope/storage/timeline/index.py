"""The timeline folder's names and its index file: one row per frame (id, step, wall time, losses, run), oldest first.

The step rule: `id` counts every frame ever written to the folder (it never goes back); `run` numbers the runs the
folder has held. Within one run the steps never go back: a step below the run's last one (a reset, a resume from
an earlier checkpoint, a new run in a used folder) starts the next run, and no frame is deleted for it. Readers
show the newest run (rnnscope.storage.timeline.reader); the older runs' frames stay, until thinning reaches them.
"""

from __future__ import annotations

import json
import math
import operator
import re
from dataclasses import dataclass
from pathlib import Path

from rnnscope.contracts.json_numbers import json_number
from rnnscope.storage.regular_file import NotReadable, read_regular

TIMELINE = "timeline"  # RUN_DIR/timeline/
INDEX = "index.json"
FORMAT = 2
COLUMNS = ("id", "step", "wall_time", "train_loss", "val_loss", "loss", "run")
FORMAT_1_COLUMNS = COLUMNS[:-1]  # before runs: every row is run 0
MAX_STEP = 2**53 - 1  # exact as a float64 too (a loss curve's x axis)
FLOAT_INT = 2**1023  # ints a float holds
FRAME_NAME = re.compile(r"frame-(\d{8,})\.npz")
MAX_INDEX_BYTES = 16 * 2**20  # 1,024 rows take ~100 kB


class TimelineError(ValueError):
    """A timeline (its index or one frame) that cannot be read; the message is one line naming the problem."""


class TimelineMissing(TimelineError):
    """A folder without a timeline index (nothing recorded yet), as opposed to an index that cannot be read."""


@dataclass(frozen=True)
class TimelineEntry:
    """One recorded frame as the index lists it."""

    id: int  # increases with every frame written; the file is frame-<id>.npz
    step: int
    wall_time: float  # seconds since the epoch when the probe was recorded
    train_loss: float | None  # the run's smoothed train loss then; None before the first step
    val_loss: float | None  # the latest validation loss then; None before the first validation
    loss: float  # the probe's own loss
    run: int = 0  # which run of the folder recorded it (the step rule: see the module's docstring)


def check_step(step) -> int:
    """A step as the timeline keeps it: any whole number (int, a numpy integer, a one-element integer tensor) in
    0..MAX_STEP, as an int; TypeError / ValueError (one line) for anything else."""
    try:
        value = operator.index(step)
        if isinstance(step, bool):
            raise TypeError
    except TypeError:
        raise TypeError(f"a step must be a whole number (an int, a numpy or a tensor integer), not "
                        f"{type(step).__name__}: pass the loop's step counter") from None
    if not 0 <= value <= MAX_STEP:
        size = f"{value}" if abs(value) < 10**20 else f"a number of {value.bit_length()} bits"
        raise ValueError(f"a step must lie in 0..2**53-1, not {size}: pass the loop's step counter")
    return value


def frame_name(frame_id: int) -> str:
    return f"frame-{frame_id:08d}.npz"


def to_json(entries: list[TimelineEntry], next_id: int) -> str:
    rows = [[e.id, e.step, e.wall_time, json_number(e.train_loss), json_number(e.val_loss), json_number(e.loss), e.run]
            for e in entries]
    return json.dumps({"format": FORMAT, "next_id": next_id, "columns": list(COLUMNS), "frames": rows},
                      separators=(",", ":"), allow_nan=False)


def is_step(value) -> bool:
    """Whether a value read back from JSON is a step the timeline keeps (json gives int, never bool, for a whole
    number)."""
    return type(value) is int and 0 <= value <= MAX_STEP


def _number(value) -> bool:
    """null, or a number a float holds (json may give inf and nan, and ints of any size)."""
    return value is None or (type(value) is float and math.isfinite(value)) or (
        type(value) is int and -FLOAT_INT < value < FLOAT_INT)


def _entry(row, columns: int) -> TimelineEntry:
    """One row of the index, checked (a plain loop: an index of 100,000 rows parses in a second or so)."""
    if type(row) is not list or len(row) != columns:
        raise ValueError(f"a row does not have its {columns} columns")
    frame_id, step, wall_time, train_loss, val_loss, loss, run = row if columns == len(COLUMNS) else [*row, 0]
    if not (is_step(frame_id) and is_step(step) and is_step(run) and wall_time is not None and _number(wall_time)
            and _number(train_loss) and _number(val_loss) and _number(loss)):
        raise ValueError(f"row {str(row)[:80]} holds a value of the wrong type")
    return TimelineEntry(frame_id, step, float(wall_time), train_loss, val_loss, math.nan if loss is None else loss,
                         run)


def parse(text: str) -> tuple[list[TimelineEntry], int]:
    """(entries, next_id) from the index's text; ValueError naming what is malformed."""
    data = json.loads(text)
    known = {1: list(FORMAT_1_COLUMNS), FORMAT: list(COLUMNS)}
    fmt = data.get("format") if isinstance(data, dict) else None
    if not (isinstance(fmt, int) and fmt in known and data.get("columns") == known[fmt]):
        raise ValueError(f"it is not a timeline index of format 1 or {FORMAT}")
    frames = data.get("frames", [])
    if not isinstance(frames, list):
        raise ValueError("its frames are not a list")
    entries = [_entry(row, len(data["columns"])) for row in frames]
    next_id = data.get("next_id")
    ids = [e.id for e in entries]
    if ids != sorted(set(ids)) or not (isinstance(next_id, int) and max(ids, default=-1) < next_id <= MAX_STEP):
        raise ValueError("its frame ids do not increase")
    if any(b.run < a.run or (b.run == a.run and b.step < a.step) for a, b in zip(entries, entries[1:])):
        raise ValueError("its runs go back, or a run's steps do")
    return entries, next_id


def read_index(folder: Path) -> tuple[list[TimelineEntry], int]:
    """The index of a timeline folder; TimelineError when it is missing or malformed."""
    path = folder / INDEX
    try:
        raw = read_regular(path, max_bytes=MAX_INDEX_BYTES, within=folder.parent)
    except FileNotFoundError:
        raise TimelineMissing(f"{folder.parent} has no timeline ({TIMELINE}/{INDEX} is missing): "
                              "give the --run-dir of a run that trained") from None
    except NotReadable as err:
        raise TimelineError(str(err)) from None
    except OSError as err:
        raise TimelineError(f"cannot read {path} ({err.strerror or err})") from None
    try:
        return parse(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as err:
        raise TimelineError(f"{path} is malformed: {(str(err).splitlines() or [type(err).__name__])[0][:160]}") \
            from None
