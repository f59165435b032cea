"""One side of a compared pair: the one pairing engine, whether the two runs live in two processes (the screen's
compare: the partner of each EngineSource, rnnscope.runner.engine_source) or in one (headless compares and lessons:
rnnscope.compare.engine_pair). It holds the lockstep (who may step, and the divergence rule: lockstep.may_step), B's
compare rules (rnnscope.compare.side_b) and the paired exports.

Exports are led by A: `e` reaches A only; A picks the step both will export at (a step neither has passed; in one
process, the step the pair is at), writes it into its lockstep slot, and exports there; B exports when it gets to
that step. A then writes RUN_DIR/compare-step-N.png once B says its snapshot is written. --export-every works the
same way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rnnscope.compare.lockstep import Lockstep
from rnnscope.contracts import commands
from rnnscope.contracts.config import RunConfig
from rnnscope.contracts.states import DIVERGED, PAUSED, RUNNING
from rnnscope.engine.partner import Partner

if TYPE_CHECKING:  # the dashboard builds PairSides for its children before its first paint: no torch, no numpy
    from rnnscope.compare.side_b import FollowA
    from rnnscope.contracts.frames import Frame
    from rnnscope.engine.engine import Engine


@dataclass
class PairSide(Partner):
    """The partner of a compared run: its lockstep and, for B, A's starting config."""

    lockstep: Lockstep
    config_a: RunConfig | None = None  # set on B: its batches, sampling and initial weights follow A's
    frame_b: Callable[[], Frame] | None = None  # A, in one process: B's frame now (else B's latest snapshot's)
    pending: tuple[int, str | None] | None = None  # A: (step, screenshot) of an export asked for, not yet written
    figure: tuple[int, Frame] | None = None  # A: (step, its frame) of an export whose figure waits for B's snapshot
    figure_saved: Path | None = None  # A: the last compare figure written (None: none yet, or it failed)
    rules: FollowA | None = None  # B: A's compare rules, attached to its engine by prepare
    followed: int = -1  # B: the last export step of A's it has answered
    exported_step: int = -1  # the step of this side's last snapshot

    @property
    def leads(self) -> bool:
        return self.config_a is None

    def prepare(self, engine: Engine) -> None:
        """Right after the engine is built: B follows A's compare rules (A's batches, sampling, initial weights,
        again after r, i, m)."""
        if not self.leads:
            from rnnscope.compare.side_b import follow_a  # torch: imported in the engine process only

            self.rules = follow_a(engine, self.config_a)
        self.lockstep.tell(engine.step, engine.state)

    def apply(self, engine: Engine, command: commands.Command) -> None:
        """Carry out a command; `e` reaches A only, which picks the step of the paired export."""
        if isinstance(command, commands.Export) and self.leads:
            self.ask_export(engine, command.screen_svg)
        else:
            engine.apply(command)
        self.lockstep.tell(engine.step, engine.state)

    def ask_export(self, engine: Engine, screen_svg: str | None = None, at: int | None = None) -> None:
        """A: a paired export at step `at` (one process: the step the pair is at), or else at a step neither run has
        passed (two processes, which cannot see each other's progress)."""
        step = self.lockstep.export_step(engine.step, engine.state) if at is None else at
        self.pending = (step, screen_svg)
        self.lockstep.request_export(step)

    def may_step(self, engine: Engine) -> bool:
        """The lockstep's answer, read before the export request (so a step asked for is never passed)."""
        return self.lockstep.may_step(engine.step, engine.state) and not self._due(engine)

    def stepped(self, engine: Engine) -> bool:
        """After a step: say so; a catch-up step while paused (or the step that diverged) is to be shown at once."""
        self.lockstep.tell(engine.step, engine.state)
        return engine.state != RUNNING

    def settle(self, engine: Engine) -> bool:
        """The export this side owes the pair, and (A) the compare figure once B's snapshot is there; True if either
        was made."""
        owed = self._due(engine)
        if owed:
            self._export(engine)
        drawn = self.figure is not None
        self._finish_figure(engine)
        return owed or (drawn and self.figure is None)

    def exported(self, engine: Engine, asked: int = -1) -> None:
        """After any export of this side (e, --export-every): B says so; A waits for B's, then draws the figure,
        named after the step asked for (A's own when it got there)."""
        self.wrote(engine)
        if self.leads:
            self.lockstep.request_export(engine.step)
            self.figure = (max(engine.step, asked), engine.frame())

    def wrote(self, engine: Engine) -> None:
        """This side has a snapshot of its step (it is not written again there); B answers A's last request."""
        self.exported_step = engine.step
        if not self.leads:
            self.followed = max(self.followed, self.lockstep.requested())
            self.lockstep.answer_export(self.followed)

    def draw_figure(self, engine: Engine, step: int, frame_a: Frame) -> None:
        """A: RUN_DIR/compare-step-N.png from A's frame and B's (`frame_b`, else B's latest snapshot's)."""
        from rnnscope.compare.figure import save_compare_figure
        from rnnscope.storage.snapshot_io import list_snapshots
        from rnnscope.storage.snapshot_load import load_snapshot_frame

        self.figure_saved = None
        if self.frame_b is not None:
            frame_b = self.frame_b()
        else:
            snapshots = list_snapshots(engine.run_dir.parent / "b")
            if not snapshots:
                return
            frame_b = load_snapshot_frame(snapshots[-1])
        self.figure_saved = save_compare_figure(engine.run_dir.parent, step, frame_a, frame_b, engine.notify)

    def _due(self, engine: Engine) -> bool:
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

    def _export(self, engine: Engine) -> None:
        """Write this side's snapshot for the export owed (once per step: a stuck side is not written twice)."""
        asked, svg = self.pending if self.leads and self.pending else (-1, None)
        self.pending = None
        if self.exported_step != engine.step and engine.export(svg) is None:
            return
        self.exported(engine, asked)

    def _finish_figure(self, engine: Engine) -> None:
        """A: once B has answered the export, the compare figure from A's frame at the export and B's."""
        if not self.leads or self.figure is None or self.lockstep.answered() < self.figure[0]:
            return
        step, frame_a = self.figure
        self.figure = None
        self.draw_figure(engine, step, frame_a)


def pair_sides(config_a: RunConfig, slots: tuple) -> dict[str, PairSide]:
    """A's side and B's over two lockstep slots (rnnscope.compare.lockstep.shared_slots): each writes its own, reads
    the other's."""
    slot_a, slot_b = slots
    return {"a": PairSide(Lockstep(slot_a, slot_b)), "b": PairSide(Lockstep(slot_b, slot_a), config_a)}
