"""Controls the screen sends to the training engine; the engine drains them between steps."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TogglePause:
    """Pause when running, resume when paused (also resumes after DIVERGED)."""


@dataclass(frozen=True)
class Step:
    """Run exactly one training step (while paused), then probe."""


@dataclass(frozen=True)
class ToggleClip:
    """Clipping on (at the last threshold) / off."""


@dataclass(frozen=True)
class ScaleClip:
    """Multiply the clipping threshold (0.5 halves, 2.0 doubles); turns clipping on."""

    factor: float


@dataclass(frozen=True)
class NextInit:
    """Next init scheme (default -> xavier -> orthogonal -> identity), then re-initialise."""


@dataclass(frozen=True)
class ToggleActivation:
    """tanh <-> ReLU for a vanilla RNN, keeping the weights."""


@dataclass(frozen=True)
class NextModel:
    """Next cell kind (in the order of rnnscope.cells.KINDS, wrapping round), then re-initialise."""


@dataclass(frozen=True)
class Reset:
    """Re-initialise with the current settings."""


@dataclass(frozen=True)
class Export:
    """Write a snapshot; screen_svg (a screenshot of the dashboard) goes into it when given."""

    screen_svg: str | None = None


@dataclass(frozen=True)
class NewSample:
    """Generate a new sample at the engine's temperature, or first set it to `temperature` when given."""

    temperature: float | None = None


@dataclass(frozen=True)
class ScaleTemperature:
    """Multiply the sampling temperature (0.8 lowers, 1.25 raises), then generate a new sample."""

    factor: float


@dataclass(frozen=True)
class Quit:
    """Stop the engine loop."""


Command = (
    TogglePause | Step | ToggleClip | ScaleClip | NextInit | ToggleActivation | NextModel | Reset
    | Export | NewSample | ScaleTemperature | Quit
)
