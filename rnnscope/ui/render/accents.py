"""The non-data styles renderers use (labels, cursor, verdict colours); panels fill them from panels.tcss."""

from __future__ import annotations

from dataclasses import dataclass, fields

from rich.style import Style


@dataclass(frozen=True)
class Accents:
    """Named styles; the defaults match panels.tcss so pure renderers look right in tests."""

    label: Style = Style(bold=True)
    dim: Style = Style(dim=True)
    cursor: Style = Style(reverse=True, bold=True)
    vanishing: Style = Style(color="dodger_blue1", bold=True)
    healthy: Style = Style(color="green3", bold=True)
    exploding: Style = Style(color="red1", bold=True)
    bar: Style = Style(color="cyan")
    clipped: Style = Style(color="grey42")
    threshold: Style = Style(color="red1", bold=True)
    train: Style = Style(color="cyan")
    val: Style = Style(color="yellow")
    train_b: Style = Style(color="magenta")  # run B's curves in a compare (A uses train / val)
    val_b: Style = Style(color="orange1")
    event: Style = Style(color="magenta", bold=True)
    truth: Style = Style(color="green3", bold=True)
    waiting: Style = Style(dim=True, italic=True)


ACCENT_NAMES: tuple[str, ...] = tuple(f.name for f in fields(Accents))
DEFAULT_ACCENTS = Accents()
