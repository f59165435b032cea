"""The tunes part: tunes cut from samples, what abc2midi said of each, how much each copies, the newest valid one's
notes (rnnscope.music makes it; the screen, meta.json and the headless line show it)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from rnnscope.contracts.json_numbers import json_number


@dataclass(frozen=True)
class Tune:
    """One tune cut from a sample."""

    step: int  # the training step of the sample it was cut from
    text: str  # the tune's ABC text, as generated (not yet visible-safe)
    status: str  # "valid", "broken", "missing" (no abc2midi), "timeout"
    said: str  # abc2midi's first Error line, or why it did not judge ("" for a valid tune)
    longest_copied: int  # the longest stretch found verbatim in the training text, in characters
    copied_share: float  # the share of its characters inside copied stretches of >= 20 characters


@dataclass(frozen=True, eq=False)
class TunesReading:
    """What the run's tunes show now."""

    start: str  # the documents' common start that primes every sample ("X:")
    recent: tuple[Tune, ...]  # the last checked tunes, oldest first
    valid: int  # valid tunes among `recent`
    checked: int  # len(recent) (judged by abc2midi; a missing tool judges none)
    valid_total: int  # over the whole run
    checked_total: int
    samples: int  # samples drawn for tunes
    training_valid: int | None  # the training text's own tunes: how many abc2midi finds valid (None: not measured)
    training_total: int | None
    copied_share: float  # the mean copied share of `recent` (nan before the first)
    newest_valid: Tune | None = None
    notes: np.ndarray = field(default_factory=lambda: np.zeros((0, 3)))  # [n, 3] its notes: start s, end s, pitch
    first_valid_step: int | None = None  # the step of the run's first valid tune
    note: str = ""  # one line for the user: how to install abc2midi, a timeout

    @property
    def share(self) -> float:
        return self.valid / self.checked if self.checked else float("nan")

    @property
    def training_share(self) -> float | None:
        return self.training_valid / self.training_total if self.training_total else None


def tunes_to_json(tunes: TunesReading) -> dict:
    """meta.json's and the headless line's `tunes` (strict JSON)."""
    newest = tunes.newest_valid
    return {"start": tunes.start, "valid": tunes.valid, "checked": tunes.checked, "share": json_number(tunes.share),
            "valid_total": tunes.valid_total, "checked_total": tunes.checked_total, "samples": tunes.samples,
            "training_valid": tunes.training_valid, "training_total": tunes.training_total,
            "training_share": json_number(tunes.training_share) if tunes.training_share is not None else None,
            "copied_share": json_number(tunes.copied_share),
            "longest_copied": max((tune.longest_copied for tune in tunes.recent), default=None),
            "first_valid_step": tunes.first_valid_step, "note": tunes.note,
            "newest_valid": None if newest is None else {"step": newest.step, "text": newest.text,
                                                         "longest_copied": newest.longest_copied,
                                                         "copied_share": json_number(newest.copied_share)}}
