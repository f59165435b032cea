"""Whom a run keeps pace with: the one seam between an engine source and a compare (no torch: the dashboard makes a
compare's partners before its first paint)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rnnscope.contracts.states import RUNNING

if TYPE_CHECKING:
    from rnnscope.contracts import commands
    from rnnscope.engine.engine import Engine


class Partner:
    """A run on its own, the default: it trains while running and owes no one anything. A compared run's side
    (rnnscope.compare.pair_side.PairSide: the lockstep, B's compare rules, the paired exports) overrides these."""

    def prepare(self, engine: Engine) -> None:
        """Right after the engine is built (and restored)."""

    def apply(self, engine: Engine, command: commands.Command) -> None:
        """Carry out a command."""
        engine.apply(command)

    def may_step(self, engine: Engine) -> bool:
        """Whether to train a step now."""
        return engine.state == RUNNING

    def stepped(self, engine: Engine) -> bool:
        """After a training step; True when the step is to be shown at once (a probe now)."""
        return False

    def exported(self, engine: Engine) -> None:
        """After an --export-every snapshot."""

    def settle(self, engine: Engine) -> bool:
        """Work owed to the partner (a paired export); True if any was done (the screen has news)."""
        return False
