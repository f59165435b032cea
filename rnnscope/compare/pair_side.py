"""One side of a compared pair inside its engine process: the lockstep, B's compare rules, the paired exports.

Exports are led by A: `e` reaches A only; A picks the step both will export at (a step neither has passed),
writes it into its lockstep slot, and exports there; B exports when it gets to that step. A then writes
RUN_DIR/compare-step-N.png once B says its snapshot is written. --export-every works the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rnnscope.compare.lockstep import Lockstep
from rnnscope.compare.options import what_differs
from rnnscope.contracts import commands
from rnnscope.contracts.config import RunConfig
from rnnscope.contracts.states import DIVERGED, PAUSED

if TYPE_CHECKING:  # the dashboard builds PairSides for its children before its first paint: no torch, no numpy
    from rnnscope.contracts.frames import Frame
    from rnnscope.training.engine import Engine

REINITIALISING = (commands.NextInit, commands.NextModel, commands.Reset)


@dataclass
class PairSide:
    """What an EngineSource of a compared run needs: its lockstep and, for B, A's starting config."""

    lockstep: Lockstep
    config_a: RunConfig | None = None  # set on B: its batches, sampling and initial weights follow A's
    pending: tuple[int, str | None] | None = None  # A: (step, screenshot) of an `e` not yet written
    figure: tuple[int, Frame] | None = None  # A: its frame at an export whose figure waits for B's snapshot
    followed: int = -1  # B: the last export step of A's it has answered
    exported_step: int = -1  # the step of this side's last snapshot

    @property
    def leads(self) -> bool:
        return self.config_a is None

    def prepare(self, engine: Engine) -> None:
        """Right after the engine is built: B takes A's seed for batches and sampling, and A's initial weights."""
        if not self.leads:
            from rnnscope.compare.engine_pair import match_side_b

            match_side_b(engine, self.config_a)
        self.lockstep.tell(engine.step, engine.state)

    def apply(self, engine: Engine, command: commands.Command) -> None:
        """Carry out a command; B re-initialised by r, i or m starts again from A's initial weights where the
        rule allows (the engine rebuilt it from B's own seed); the batches go on as they were."""
        if isinstance(command, commands.Export) and self.leads:
            self.pending = (self.lockstep.export_step(engine.step, engine.state), command.screen_svg)
            self.lockstep.request_export(self.pending[0])
        else:
            engine.apply(command)
        if not self.leads and isinstance(command, REINITIALISING):
            from rnnscope.compare.engine_pair import copy_initial_weights

            copy_initial_weights(engine, self.config_a)
            engine.refresh_probe()
        self.lockstep.tell(engine.step, engine.state)

    def may_step(self, engine: Engine) -> bool:
        """The lockstep's answer, read before the export request (so a step asked for is never passed)."""
        return self.lockstep.may_step(engine.step, engine.state) and not self.due(engine)

    def stepped(self, engine: Engine) -> None:
        self.lockstep.tell(engine.step, engine.state)

    def exported(self, engine: Engine) -> None:
        """After any export of this side (e, --export-every): B says so; A waits for B's, then draws the figure."""
        self.exported_step = engine.step
        if self.leads:
            self.lockstep.request_export(engine.step)
            self.figure = (engine.step, engine.frame())
        else:
            self.followed = max(self.followed, self.lockstep.requested())
            self.lockstep.answer_export(self.followed)

    def due(self, engine: Engine) -> bool:
        """Whether this side owes an export now: at the step asked for, or at once when it cannot get there."""
        if self.leads:
            target = self.pending[0] if self.pending else None
        else:
            target = self.lockstep.requested() if self.lockstep.requested() > self.followed else None
            if target is not None and self.exported_step >= target:  # written already (--export-every)
                self.followed = target
                self.lockstep.answer_export(target)
                return False
        if target is None:
            return False
        stuck = engine.state == DIVERGED or (
            engine.state == PAUSED and not self.lockstep.may_step(engine.step, engine.state))
        return engine.step >= target or stuck

    def export(self, engine: Engine) -> None:
        """Write this side's snapshot for the export owed (once per step: a stuck side is not written twice)."""
        svg = self.pending[1] if self.leads and self.pending else None
        self.pending = None
        if self.exported_step != engine.step and engine.export(svg) is None:
            return
        self.exported(engine)

    def finish_figure(self, engine: Engine) -> None:
        """A: once B has answered the export, RUN_DIR/compare-step-N.png from A's frame and B's snapshot."""
        if not self.leads or self.figure is None or self.lockstep.answered() < self.figure[0]:
            return
        step, frame_a = self.figure
        self.figure = None
        from rnnscope.compare.engine_pair import write_compare_figure
        from rnnscope.storage.snapshot_io import list_snapshots
        from rnnscope.storage.snapshot_load import load_snapshot_frame

        snapshots = list_snapshots(engine.run_dir.parent / "b")
        if not snapshots:
            return

        frame_b = load_snapshot_frame(snapshots[-1])
        path, failure = write_compare_figure(engine.run_dir.parent, step, frame_a, frame_b,
                                             what_differs(frame_a.status.config, frame_b.status.config))
        engine._notify("error", failure) if failure else engine._notify("information", f"compare figure saved: {path}")
