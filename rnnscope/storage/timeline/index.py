"""The timeline folder's names and its index file: one row per frame (id, step, wall time, losses), oldest first."""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

from rnnscope.contracts.json_numbers import json_number

TIMELINE = "timeline"  # RUN_DIR/timeline/
INDEX = "index.json"
FORMAT = 1
COLUMNS = ("id", "step", "wall_time", "train_loss", "val_loss", "loss")
FRAME_NAME = re.compile(r"frame-(\d{8,})\.npz")
MAX_INDEX_BYTES = 16 * 2**20  # 1,024 rows take ~100 kB


class TimelineError(ValueError):
    """A timeline (its index or one frame) that cannot be read; the message is one line naming the problem."""


@dataclass(frozen=True)
class TimelineEntry:
    """One recorded frame as the index lists it."""

    id: int  # increases with every frame written; the file is frame-<id>.npz
    step: int
    wall_time: float  # seconds since the epoch when the probe was recorded
    train_loss: float | None  # the run's smoothed train loss then; None before the first step
    val_loss: float | None  # the latest validation loss then; None before the first validation
    loss: float  # the probe's own loss


def frame_name(frame_id: int) -> str:
    return f"frame-{frame_id:08d}.npz"


def to_json(entries: list[TimelineEntry], next_id: int) -> str:
    rows = [[e.id, e.step, e.wall_time, json_number(e.train_loss), json_number(e.val_loss), json_number(e.loss)] for e in entries]
    return json.dumps({"format": FORMAT, "next_id": next_id, "columns": list(COLUMNS), "frames": rows},
                      separators=(",", ":"), allow_nan=False)


def _entry(row) -> TimelineEntry:
    if not (isinstance(row, list) and len(row) == len(COLUMNS)):
        raise ValueError("a row does not have its 6 columns")
    frame_id, step, wall_time, train_loss, val_loss, loss = row
    whole = all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in (frame_id, step))
    numbers = all(v is None or json_number(v) is not None and not isinstance(v, bool)
                  for v in (wall_time, train_loss, val_loss, loss))
    if not (whole and numbers and wall_time is not None):
        raise ValueError(f"row {row!r:.80} holds a value of the wrong type")
    return TimelineEntry(frame_id, step, float(wall_time), train_loss, val_loss, math.nan if loss is None else loss)


def parse(text: str) -> tuple[list[TimelineEntry], int]:
    """(entries, next_id) from the index's text; ValueError naming what is malformed."""
    data = json.loads(text)
    if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("columns") != list(COLUMNS):
        raise ValueError(f"it is not a timeline index of format {FORMAT}")
    entries = [_entry(row) for row in data.get("frames", [])]
    next_id = data.get("next_id")
    ids = [e.id for e in entries]
    if ids != sorted(set(ids)) or not (isinstance(next_id, int) and next_id > max(ids, default=-1)):
        raise ValueError("its frame ids do not increase")
    return entries, next_id


def read_index(folder: Path) -> tuple[list[TimelineEntry], int]:
    """The index of a timeline folder; TimelineError when it is missing or malformed."""
    path = folder / INDEX
    try:
        with open(path, "rb") as file:
            raw = file.read(MAX_INDEX_BYTES + 1)
    except FileNotFoundError:
        raise TimelineError(f"{folder.parent} has no timeline ({TIMELINE}/{INDEX} is missing): "
                            "give the --run-dir of a run that trained") from None
    except OSError as err:
        raise TimelineError(f"cannot read {path} ({err.strerror or err})") from None
    if len(raw) > MAX_INDEX_BYTES:
        raise TimelineError(f"{path} is larger than a timeline index can be: it is not one rnnscope wrote")
    try:
        return parse(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as err:
        raise TimelineError(f"{path} is malformed: {(str(err).splitlines() or [type(err).__name__])[0][:160]}") \
            from None
