"""What a timeline frame tells the dashboard about its run when nothing else does (--attach, and --replay of a run
that exported nothing): its status line, the gradient norms it recorded, the vocabulary, its units analysis. Every
field is checked."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

from rnnscope.contracts.config import MODELS, RunConfig
from rnnscope.contracts.frames import ProbeReading, RunStatus, Sample, StepStats
from rnnscope.contracts.json_numbers import number_or_nan
from rnnscope.contracts.units import UnitsReading
from rnnscope.contracts.visible import safe_text
from rnnscope.storage.timeline.frame_meta import FrameMeta
from rnnscope.storage.timeline.reader import TimelineFrame
from rnnscope.storage.timeline.units_meta import read_units

MAX_NAME = 80  # characters kept of a parameter name (or a class's)
MAX_SAMPLE = 4000  # characters kept of a recorded sample


def timeline_status(frame: TimelineFrame | None, state: str, run_dir: Path, beat=None) -> RunStatus:
    """The status line of a run known only by its timeline frame (and its writer's heartbeat, when read: its step is
    the writer's, which trains on between the frames it records)."""
    meta = frame.decoded_meta if frame else FrameMeta()
    config = RunConfig() if frame is None else RunConfig(
        model=next((m for m in (meta.kind, meta.model) if m in MODELS), "lstm"),
        hidden=frame.probe.layers[0].hidden.shape[1], layers=len(frame.probe.layers), clip=_clip(meta),
        init=meta.init or "default")
    entry = frame.entry if frame else None
    watched = frame is not None and bool(frame.probe.labels)
    module = (meta.model or "")[:MAX_NAME] if watched else ""
    return RunStatus(
        config=config, corpus="", n_params=0, step=max(entry.step if entry else 0, beat.step if beat else 0), state=state,
        clip_fire_rate=math.nan, device="", threads=0, train_loss=number_or_nan(entry and entry.train_loss),
        val_loss=number_or_nan(entry and entry.val_loss), chars_per_s=math.nan, run_dir=str(run_dir),
        writer=beat.describe() if beat else module, frame_time=entry.wall_time if entry else math.nan, watched=watched)


def _read(meta: dict) -> FrameMeta:
    """A meta handed alone, each malformed value read as not said (a frame's is decoded once: decoded_meta)."""
    return FrameMeta.decode(meta, strict=False)


def _clip(meta: FrameMeta) -> float | None:
    """The threshold an rnnscope run recorded (None: off, or not said by a watched model's writer)."""
    return meta.clip if meta.clip else None


def settings(meta: dict) -> dict:
    """The settings keys change that an rnnscope run recorded with the frame (clip, init), for RunConfig.with_:
    only those it said (a watched model's writer says none)."""
    read, said = _read(meta), {}
    if read.clip is not None:
        said["clip"] = _clip(read)
    if read.init is not None:
        said["init"] = read.init
    return said


def named_layers(frame: TimelineFrame) -> ProbeReading:
    """The frame's probe with its rows' names as the writer recorded them (meta "rows": one short visible-safe name
    per layer, a bidirectional module's "L0 fwd", "L0 bwd", ...); as it was when they are missing or malformed."""
    rows, probe = frame.decoded_meta.rows, frame.probe
    if rows is None or len(rows) != len(probe.layers):
        return probe
    return dataclasses.replace(probe, layer_names=tuple(safe_text(row) for row in rows))


UNNAMED = "\ufffd"  # a character the frame's writer did not name (drawn as the replacement character)


def vocab(meta: dict, probe=None) -> tuple[str, ...]:
    """The characters of an rnnscope run's vocabulary as its writer recorded them, one for each row of `probe`'s
    embedding (UNNAMED for those it did not name: a frame without its vocabulary still draws); for a watched model
    the names of the classes its frame shows, by class id ('' for the others; () without names)."""
    read = _read(meta)
    own = probe is not None and not probe.labels
    if own:
        chars = read.vocab or ()
        return chars + (UNNAMED,) * (probe.embedding.shape[0] - len(chars))
    if read.vocab is not None:
        return read.vocab
    if read.class_names is None:
        return ()
    names = {key: name[:MAX_NAME] for key, name in read.class_names.items()}
    table = [""] * (max(names) + 1 if names else 0)
    for key, name in names.items():
        table[key] = name
    return tuple(table)


def sample(frame: TimelineFrame) -> Sample | None:
    """The text a watched loop's sampling function gave at this frame (its temperature unknown: nan), or None."""
    said = frame.decoded_meta.sample
    if said is None:
        return None
    return Sample(step=frame.entry.step, prime=said[0][-MAX_SAMPLE:], text=said[1][:MAX_SAMPLE],
                  temperature=math.nan)


def recorded_units(frame: TimelineFrame) -> UnitsReading | None:
    """The units analysis the frame recorded (its features' best units), or None: none recorded, or refused."""
    try:
        record = read_units(frame.meta)
    except ValueError:
        return None
    return None if record is None else record.frame


def last_step(frame: TimelineFrame) -> StepStats | None:
    """The gradient norms the writer took (meta grad_norms, grad_total), as the gradient-norms panel's StepStats;
    after clipping too when an rnnscope run recorded them (grad_norms_post, grad_total_post, clipped). A watched
    loop's are taken before its own clipping, which the scope never sees: clip_known False."""
    meta = frame.decoded_meta
    pre, total = _norms(meta.grad_norms), meta.grad_total
    if pre is None or total is None:
        return None
    post, total_post, clipped = _norms(meta.grad_norms_post), meta.grad_total_post, meta.clipped
    known = post is not None and total_post is not None and clipped is not None
    return StepStats(step=frame.entry.step, loss=number_or_nan(frame.entry.train_loss), grad_norms=pre,
                     grad_norms_post=post if known else pre, total_pre=total,
                     total_post=total_post if known else total, clipped=known and clipped, clip_known=known)


def _norms(norms: dict[str, float | None] | None) -> dict[str, float] | None:
    """A recorded {parameter: norm}, the names cut to MAX_NAME characters and the norms not taken (null) left out."""
    if norms is None:
        return None
    return {name[:MAX_NAME]: value for name, value in norms.items() if value is not None}
