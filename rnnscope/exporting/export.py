"""Write a snapshot folder (meta.json, arrays.npz, figure.png, checkpoint.pt, screen.svg) atomically.

The folder is built as `RUN_DIR/.tmp-step-NNNNNN-<pid>-<random>`, every file fsynced, then renamed to
`RUN_DIR/step-NNNNNN`; an existing snapshot of the same step is renamed aside, replaced, then deleted.
On any error the temp folder is removed and the exception propagates. What meta.json and arrays.npz
hold is rnnscope.storage.snapshot_io's (building them; rnnscope.storage.snapshot_load reads them back).
"""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import numpy as np

from rnnscope.contracts.config import RunConfig
from rnnscope.contracts.frames import Frame
from rnnscope.exporting.figure import render_figure
from rnnscope.exporting.figure_units import render_units_figure
from rnnscope.storage.atomic_file import fsync_path, move_into_place, temp_path, write_synced
from rnnscope.storage.snapshot_io import (
    ARRAYS,
    CHECKPOINT,
    FIGURE,
    META,
    SCREEN,
    build_arrays,
    build_meta,
    snapshot_name,
)
from rnnscope.storage.units_json import UNITS, UNITS_FIGURE, units_to_json


def _save_checkpoint(path: Path, checkpoint: dict) -> None:
    import torch  # lazily: importing export stays cheap

    buffer = io.BytesIO()
    torch.save(checkpoint, buffer)
    write_synced(path, buffer.getvalue())


def _write_contents(folder: Path, frame: Frame, meta: dict, arrays: dict, checkpoint: dict, screen_svg: str | None) -> None:
    write_synced(folder / META, json.dumps(meta, indent=2, ensure_ascii=False, allow_nan=False).encode("utf-8"))
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    write_synced(folder / ARRAYS, buffer.getvalue())
    if frame.units is not None:
        write_synced(folder / UNITS, json.dumps(units_to_json(frame.units), ensure_ascii=False, allow_nan=False).encode())
        render_units_figure(frame.units, folder / UNITS_FIGURE)
        fsync_path(folder / UNITS_FIGURE)
    render_figure(frame, folder / FIGURE)
    fsync_path(folder / FIGURE)
    _save_checkpoint(folder / CHECKPOINT, checkpoint)
    if screen_svg is not None:
        write_synced(folder / SCREEN, screen_svg.encode("utf-8"))
    fsync_path(folder)


def write_snapshot(
    run_dir: Path,
    frame: Frame,
    config: RunConfig,
    *,
    corpus_path: str,
    corpus_sha256: str,
    weights: dict[str, np.ndarray],
    checkpoint: dict,
    screen_svg: str | None = None,
    timings: dict | None = None,
    name: str | None = None,
) -> Path:
    """Write RUN_DIR/step-NNNNNN/ (or RUN_DIR/`name`/, replacing the one there) for `frame` atomically and return
    its path."""
    if frame.probe is None:
        raise ValueError("nothing to export yet: the frame has no probe pass")
    meta = build_meta(frame, config, corpus_path, corpus_sha256, timings)
    arrays = build_arrays(frame, weights)
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    target = run_dir / (name or snapshot_name(frame.status.step))
    built = temp_path(target)  # its pid: run_dir.remove_leftovers leaves a live export alone
    built.mkdir()
    try:
        _write_contents(built, frame, meta, arrays, checkpoint, screen_svg)
        move_into_place(built, target)
        fsync_path(run_dir)
    except BaseException:
        shutil.rmtree(built, ignore_errors=True)
        raise
    return target
