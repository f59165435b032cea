"""What a timeline frame tells the dashboard about its run when nothing else does (--attach, and --replay of a run
that exported nothing): its status line, the gradient norms it recorded, the vocabulary, its units analysis. Every
field is checked."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

from rnnscope.contracts.config import INITS, MODELS, RunConfig
from rnnscope.contracts.frames import ProbeFrame, RunStatus, Sample, StepStats
from rnnscope.contracts.json_numbers import number_or_nan
from rnnscope.contracts.units import UnitsFrame
from rnnscope.contracts.visible import safe_text
from rnnscope.storage.timeline.reader import TimelineFrame
from rnnscope.storage.timeline.units_meta import read_units

MAX_NAME = 80  # characters kept of a parameter name (or a class's)
MAX_CLASSES = 1 << 20  # class ids named beyond this are left out (a table of names is made up to the largest)
MAX_SAMPLE = 4000  # characters kept of a recorded sample
MAX_ROW_NAME = 16  # characters of a row's name ("L0 fwd")


def timeline_status(frame: TimelineFrame | None, state: str, run_dir: Path, beat=None) -> RunStatus:
    """The status line of a run known only by its timeline frame (and its writer's heartbeat, when read: its step is
    the writer's, which trains on between the frames it records)."""
    config = RunConfig() if frame is None else RunConfig(
        model=next((m for m in (frame.meta.get("kind"), frame.meta.get("model")) if m in MODELS), "lstm"),
        hidden=frame.probe.layers[0].hidden.shape[1], layers=len(frame.probe.layers), clip=_clip(frame.meta),
        init=frame.meta.get("init") if frame.meta.get("init") in INITS else "default")
    entry = frame.entry if frame else None
    watched = frame is not None and bool(frame.probe.labels)
    module = str(frame.meta.get("model", ""))[:MAX_NAME] if watched else ""
    return RunStatus(
        config=config, corpus="", n_params=0, step=max(entry.step if entry else 0, beat.step if beat else 0), state=state,
        clip_fire_rate=math.nan, device="", threads=0, train_loss=number_or_nan(entry and entry.train_loss),
        val_loss=number_or_nan(entry and entry.val_loss), chars_per_s=math.nan, run_dir=str(run_dir),
        writer=beat.describe() if beat else module, frame_time=entry.wall_time if entry else math.nan, watched=watched)


def _clip(meta: dict) -> float | None:
    """The threshold an rnnscope run recorded (None: off, or not said by a watched model's writer)."""
    clip = meta.get("clip")
    return float(clip) if _finite_number(clip) and clip > 0 else None


def settings(meta: dict) -> dict:
    """The settings keys change that an rnnscope run recorded with the frame (clip, init), for RunConfig.with_:
    only those it said (a watched model's writer says none)."""
    said = {}
    if "clip" in meta:
        said["clip"] = _clip(meta)
    if meta.get("init") in INITS:
        said["init"] = meta["init"]
    return said


def named_layers(frame: TimelineFrame) -> ProbeFrame:
    """The frame's probe with its rows' names as the writer recorded them (meta "rows": one short visible-safe name
    per layer, a bidirectional module's "L0 fwd", "L0 bwd", ...); as it was when they are missing or malformed."""
    rows, probe = frame.meta.get("rows"), frame.probe
    if not (isinstance(rows, list) and len(rows) == len(probe.layers)
            and all(isinstance(row, str) and 0 < len(row) <= MAX_ROW_NAME for row in rows)):
        return probe
    return dataclasses.replace(probe, layer_names=tuple(safe_text(row) for row in rows))


UNNAMED = "\ufffd"  # a character the frame's writer did not name (drawn as the replacement character)


def vocab(meta: dict, probe=None) -> tuple[str, ...]:
    """The characters of an rnnscope run's vocabulary as its writer recorded them, one for each row of `probe`'s
    embedding (UNNAMED for those it did not name: a frame without its vocabulary still draws); for a watched model
    the names of the classes its frame shows, by class id ('' for the others; () without names)."""
    chars = meta.get("vocab")
    own = probe is not None and not probe.labels
    if isinstance(chars, list) and all(isinstance(c, str) and len(c) == 1 for c in chars):
        chars = tuple(chars)
        return chars + (UNNAMED,) * (probe.embedding.shape[0] - len(chars)) if own else chars
    if own:
        return (UNNAMED,) * probe.embedding.shape[0]
    named = meta.get("class_names")
    if not isinstance(named, dict):
        return ()
    names = {int(key): name[:MAX_NAME] for key, name in named.items()
             if isinstance(key, str) and key.isdigit() and int(key) < MAX_CLASSES and isinstance(name, str)}
    table = [""] * (max(names) + 1 if names else 0)
    for key, name in names.items():
        table[key] = name
    return tuple(table)


def sample(frame: TimelineFrame) -> Sample | None:
    """The text a watched loop's sampling function gave at this frame (its temperature unknown: nan), or None."""
    said = frame.meta.get("sample")
    if not (isinstance(said, dict) and isinstance(said.get("prime"), str) and isinstance(said.get("text"), str)):
        return None
    return Sample(step=frame.entry.step, prime=said["prime"][-MAX_SAMPLE:], text=said["text"][:MAX_SAMPLE],
                  temperature=math.nan)


def recorded_units(frame: TimelineFrame) -> UnitsFrame | None:
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
    meta = frame.meta
    pre, total = _norms(meta.get("grad_norms")), meta.get("grad_total")
    if pre is None or not _finite_number(total):
        return None
    post, total_post, clipped = _norms(meta.get("grad_norms_post")), meta.get("grad_total_post"), meta.get("clipped")
    known = post is not None and _finite_number(total_post) and isinstance(clipped, bool)
    return StepStats(step=frame.entry.step, loss=number_or_nan(frame.entry.train_loss), grad_norms=pre,
                     grad_norms_post=post if known else pre, total_pre=float(total),
                     total_post=float(total_post if known else total), clipped=known and clipped, clip_known=known)


def _norms(norms: object) -> dict[str, float] | None:
    """A recorded {parameter: norm}, the names cut to MAX_NAME characters and the values that are no norm left out."""
    if not isinstance(norms, dict):
        return None
    return {str(name)[:MAX_NAME]: float(value) for name, value in norms.items() if _finite_number(value)}


def _finite_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and value >= 0
