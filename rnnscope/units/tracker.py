"""The units feature attached to an engine (an EngineHook): it owns the analysis text, its features, the latest
UnitsReading and the emergence record, and analyses the weights at a cadence within UNITS_SHARE of training time."""

from __future__ import annotations

import threading
import time
from dataclasses import replace

import numpy as np

from rnnscope.contracts.engine_hook import EngineHook
from rnnscope.contracts.json_numbers import json_number
from rnnscope.contracts.units import EMERGED_AT, UnitsReading
from rnnscope.units.analysis import analyse
from rnnscope.units.ranking import newly_emerged, rank_units, text_features
from rnnscope.units.user_features import match_feature, refusal

ANALYSIS_CHARS = 8192  # the analysis text: this many characters of the validation split
UNITS_SHARE = 0.01  # the analysis pass and the scoring: at most this share of the training time
UNITS_MIN_S = 5.0  # ... and at least this much training between two (a page that changes faster cannot be read)


class UnitsTracker(EngineHook):
    """`engine.units`: analyses the engine's model over `text` (ids [N]) when due; user features `user`
    [(name, pattern)] are matched on a thread of their own, each in a separate process with a time limit."""

    def __init__(self, text: str, ids: np.ndarray, user: list[tuple[str, str]] = ()):
        self.text, self.ids = text, np.asarray(ids)
        self.features, self.beyond_names = text_features(text)
        self.frame: UnitsReading | None = None
        self.trained_at = 0.0  # the training seconds (engine.budget.train_s) at the last analysis
        self.emerged: tuple = ()
        self.matched: dict[str, np.ndarray] = {}  # user features the matching thread finished
        self.refused: list[str] = []  # the refusals' lines, told on the engine's thread
        self._lock = threading.Lock()
        if user:
            threading.Thread(target=self._match_all, args=(list(user),), daemon=True, name="units-features").start()

    def _match_all(self, user: list[tuple[str, str]]) -> None:
        for name, pattern in user:
            inside = match_feature(pattern, self.text)
            with self._lock:
                if inside is None:
                    self.refused.append(refusal(name))
                else:
                    self.matched[name] = inside

    def _take_user_features(self, engine) -> None:
        with self._lock:
            matched, self.matched = self.matched, {}
            refused, self.refused = self.refused, []
        for line in refused:
            engine.notify("warning", line)
        if matched:
            self.features.update(matched)
            self.beyond_names |= set(matched)
            self.frame = None  # analysed again with them

    def due(self, budget) -> bool:
        """None yet, or enough training since the last one that its median cost is UNITS_SHARE of it, and UNITS_MIN_S at
        least (a cold first pass, which torch's warm-up makes slow, does not hold the next ones back), when the side
        budget affords it (the probe and validation come first)."""
        trained = budget.train_s - self.trained_at
        return self.frame is None or (trained >= max(UNITS_MIN_S, budget.expected("units") / UNITS_SHARE)
                                      and budget.affords("units"))

    def before_step(self, engine) -> None:
        self._take_user_features(engine)
        if self.due(engine.budget):
            self.refresh(engine)

    def refresh(self, engine) -> UnitsReading:
        """Analyse the engine's current weights now; a memory feature that emerges marks the loss chart."""
        started, self.trained_at = time.perf_counter(), engine.budget.train_s
        with engine.budget.timed("units"):
            states = analyse(engine.model, self.ids)
            if not all(np.isfinite(s.values).all() for s in states):  # diverged: nothing to score
                return self.frame
            with np.errstate(all="ignore"):  # a constant unit's r is 0 by definition (rnnscope.units.scores)
                frame = rank_units(engine.step, self.text, self.ids, states, self.features, self.beyond_names)
        new = newly_emerged(frame, self.emerged, EMERGED_AT)
        self.emerged += new
        for emergence in new:
            engine.mark(emergence.label)
        self.frame = replace(frame, emerged=self.emerged, cost_ms=(time.perf_counter() - started) * 1000.0)
        return self.frame

    def current(self, engine) -> UnitsReading:
        """The analysis of the engine's current step: the last one if it is of this step, else made now."""
        return self.frame if self.frame is not None and self.frame.step == engine.step else self.refresh(engine)

    def after_reinit(self, engine) -> None:
        self.frame, self.emerged = None, ()

    def before_export(self, engine) -> None:
        self.current(engine)  # units.json is of the snapshot's step

    def summary(self) -> dict:
        return {"units": self.top(5)}  # the headless line's best units

    def parts(self) -> dict[str, object]:
        return {"units": self.frame}

    def top(self, count: int = 5) -> list[dict]:
        """The headless JSON's `units`: the best `count` units, each with its feature, r and r beyond."""
        if self.frame is None:
            return []
        frame = self.frame
        found = []
        for unit in frame.order[:count]:
            best = int(frame.best[unit])
            found.append({"unit": frame.name(unit), "feature": frame.features[best],
                          "r": round(float(frame.r[unit, best]), 4),
                          "r_beyond": json_number(float(frame.beyond[unit, best]), 4)})
        return found


def analysis_ids(corpus, chars: int = ANALYSIS_CHARS) -> tuple[str, np.ndarray]:
    """The analysis text: the first `chars` characters of the validation split, and their ids."""
    ids = np.asarray(corpus.val[:chars])
    return corpus.decode(ids), ids
