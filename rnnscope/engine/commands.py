"""The settings the screen's keys change, worked out apart from the engine that applies them: the clip threshold
c turns back on and [ ] scale, the next init and model in their cycles, the temperature t / T scale (the activation a
switches to is the cell kind's: rnnscope.cells)."""

from __future__ import annotations

from rnnscope.contracts.config import INITS, MODELS

MIN_TEMPERATURE, MAX_TEMPERATURE = 0.05, 5.0  # t / T keep the sampling temperature within this range
MIN_CLIP, MAX_CLIP = 1e-4, 1e4  # [ ] keep the clip threshold within this range


class ClipControl:
    """Clipping on or off, and the threshold c turns back on (kept while clipping is off)."""

    def __init__(self, clip: float | None):
        self.last = clip or 1.0

    def toggled(self, clip: float | None) -> float | None:
        """c: off when on, else on at the last threshold."""
        return None if clip is not None else self.last

    def scaled(self, clip: float | None, factor: float) -> float:
        """[ ]: the threshold scaled (kept within MIN_CLIP..MAX_CLIP); while clipping is off only the remembered one
        changes (the caller says so)."""
        threshold = min(max((clip or self.last) * factor, MIN_CLIP), MAX_CLIP)
        self.last = threshold
        return threshold

    def set(self, clip: float | None) -> None:
        if clip is not None:
            self.last = clip


def next_init(init: str) -> str:
    return INITS[(INITS.index(init) + 1) % len(INITS)]


def next_model(model: str) -> str:
    return MODELS[(MODELS.index(model) + 1) % len(MODELS)]


def scaled_temperature(temperature: float, factor: float) -> float:
    return min(max(temperature * factor, MIN_TEMPERATURE), MAX_TEMPERATURE)
