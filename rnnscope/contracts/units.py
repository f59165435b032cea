"""The units reading (PRODUCT.md section 13): every unit's scores against the features, its best feature, its
contexts, and the strip of the analysis text its values colour. Plain numpy; the screen and the export read it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

CONTEXTS = 5  # top contexts each way per unit
CONTEXT_RADIUS = 24  # characters each side of a context's centre
EMERGED_AT = 0.6  # a memory feature has emerged when some unit's |r beyond the character| first reaches this


def context(text: str, position: int, radius: int = CONTEXT_RADIUS) -> tuple[str, int]:
    """The characters within `radius` of `position` and the position's offset in them."""
    start = max(0, position - radius)
    return text[start: position + radius + 1], position - start


def ranking_scores(memory: tuple[bool, ...], r: np.ndarray, beyond: np.ndarray) -> np.ndarray:
    """The scores units are ranked by [U, F]: r beyond (r, beyond [U, F]) for the memory features (`memory` [F]
    true), r for the others."""
    return np.where(np.asarray(memory)[None, :], beyond, r)  # [U, F]


def best_and_order(scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """From scores [U, F]: each unit's best feature, the index of its largest |score| (nan as 0) [U] int, and the
    units ranked by that |score|, best first (the earlier on ties) [U] int."""
    magnitude = np.nan_to_num(np.abs(scores))  # [U, F]
    best = np.argmax(magnitude, axis=1)  # [U]
    return best, np.argsort(-np.take_along_axis(magnitude, best[:, None], axis=1)[:, 0], kind="stable")


@dataclass(frozen=True)
class Emergence:
    """The step where a memory feature's best |r beyond the character| first reached EMERGED_AT, and the unit."""

    feature: str
    layer: int
    kind: str  # "h" / "c"
    index: int
    beyond: float
    step: int

    @property
    def label(self) -> str:
        """The loss chart's marker: "L0 c86 in_dquote r 0.74"."""
        return f"L{self.layer} {self.kind}{self.index} {self.feature} r {self.beyond:.2f}"


@dataclass(frozen=True, eq=False)
class UnitsReading:
    """The units analysis at one step. Units are in a fixed order (layer, then h before c, then index); `order`
    ranks them, best first."""

    step: int
    text: str  # the analysis text
    features: tuple[str, ...]  # feature names: memory, input, user
    memory: tuple[bool, ...]  # per feature: a memory (or user) feature, scored beyond the character
    layer: np.ndarray  # [U] int
    kind: tuple[str, ...]  # [U] "h" / "c"
    index: np.ndarray  # [U] int, the unit's index in its layer's state
    r: np.ndarray  # [U, F] float32, Pearson r over the analysis text
    beyond: np.ndarray  # [U, F] float32, r beyond the current character (nan for input features)
    best: np.ndarray  # [U] int, each unit's best feature: largest |r beyond| (memory) or |r| (input)
    order: np.ndarray  # [U] int, units ranked by the |score| of their best feature
    contexts: np.ndarray  # [U, 2, C] int, positions of the most positive and most negative values (-1: none)
    strip: np.ndarray  # [S, U] float16, every unit's value at the first S characters of the text
    emerged: tuple[Emergence, ...] = ()  # per memory feature that has emerged so far, in order
    cost_ms: float = 0.0  # the analysis pass and scoring

    def score(self, unit: int, feature: int | None = None) -> float:
        """The score a unit is ranked by for `feature` (its best when None): r beyond for a memory feature."""
        feature = int(self.best[unit]) if feature is None else feature
        return float(self.beyond[unit, feature] if self.memory[feature] else self.r[unit, feature])

    def name(self, unit: int) -> str:
        """"L0 c86"."""
        return f"L{int(self.layer[unit])} {self.kind[unit]}{int(self.index[unit])}"

    def scores(self) -> np.ndarray:
        """Every unit's score for every feature [U, F]: r beyond for memory features, r for the others."""
        return ranking_scores(self.memory, self.r, self.beyond)  # [U, F]

    def best_beyond(self, feature: int) -> tuple[int, float]:
        """The unit with the largest |r beyond| for `feature` (the first on ties) and that |r beyond| (nan as 0)."""
        magnitude = np.nan_to_num(np.abs(self.beyond[:, feature]))  # [U]
        unit = int(np.argmax(magnitude))
        return unit, float(magnitude[unit])

    def context_windows(self, unit: int, side: int) -> list[tuple[int, str, int]]:
        """The unit's contexts on `side` (0: most positive, 1: most negative), the strongest first: each position,
        the characters within CONTEXT_RADIUS of it and its offset in them."""
        return [(int(position), *context(self.text, int(position))) for position in self.contexts[unit, side]
                if position >= 0]

    def strip_peak(self, unit: int) -> int:
        """Where the strip is shown around for `unit`: its most positive context when that lies in the strip, else
        the position of its largest value there."""
        length = min(len(self.text), len(self.strip))
        peak = int(self.contexts[unit, 0, 0])
        return peak if 0 <= peak < length else int(np.argmax(self.strip[:length, unit]))

    def feature_best(self) -> np.ndarray:
        """Each feature's best |score| over all units [F] (|r beyond| for memory features)."""
        return np.nan_to_num(np.abs(self.scores())).max(axis=0, initial=0.0)
