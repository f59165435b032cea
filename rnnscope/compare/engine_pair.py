"""Two runs one setting apart in one process (headless compares and lessons): a thin driver over the one pairing
engine, each run beside its PairSide (rnnscope.compare.pair_side) as on the screen, over plain lists for lockstep
slots: the same step rule and divergence rule (lockstep.may_step), B's compare rules and paired exports."""

from __future__ import annotations

from pathlib import Path

from rnnscope.compare.lockstep import shared_slots
from rnnscope.compare.options import what_differs
from rnnscope.compare.pair_side import pair_sides
from rnnscope.contracts.config import RunConfig
from rnnscope.contracts.frames import DIVERGED, Frame
from rnnscope.engine.engine import Engine
from rnnscope.storage.snapshot_io import snapshot_name
from rnnscope.training.data import Corpus


class EnginePair:
    """Runs A and B in one process: each step, each run the lockstep lets step takes one, A first."""

    def __init__(self, config_a: RunConfig, config_b: RunConfig, corpus: Corpus, run_dir: Path,
                 compare_text: str, threads: int = 1):
        self.run_dir = Path(run_dir)
        self.compare_text = compare_text
        self.sides = {"a": Engine(config_a, corpus, self.run_dir / "a", threads=threads),
                      "b": Engine(config_b, corpus, self.run_dir / "b", threads=threads)}
        self.partners = pair_sides(config_a, shared_slots())
        self.partners["a"].frame_b = lambda: self._frame_now("b")  # B's frame now, not read back from its snapshot
        for side, engine in self.sides.items():
            self.partners[side].prepare(engine)  # B follows A's compare rules
        for engine in self.sides.values():  # built now, so the first step's chars/s does not pay for it
            engine.ready()
        self.failure: str | None = None  # what the last failed export said

    @property
    def differs(self) -> str:
        return what_differs(self.sides["a"].config, self.sides["b"].config)

    @property
    def shared(self) -> list[str]:
        """The parameters B took from A."""
        return self.partners["b"].rules.shared

    @property
    def step(self) -> int:
        """The step of the runs still training (the furthest one if both have stopped)."""
        live = [e.step for e in self.sides.values() if e.state != DIVERGED]
        return min(live) if live else max(e.step for e in self.sides.values())

    def live(self) -> list[str]:
        return [side for side, engine in self.sides.items() if engine.state != DIVERGED]

    def train_step(self) -> list[str]:
        """One step of each run the lockstep lets step; returns the runs that diverged on it."""
        newly = []
        for side, engine in self.sides.items():
            partner = self.partners[side]
            if partner.may_step(engine):
                engine.train_step()
                partner.stepped(engine)  # nothing is shown at once here
                if engine.state == DIVERGED:
                    newly.append(side)
        return newly

    def export(self) -> Path | None:
        """The paired export at the pair's step, as on the screen (A asks, each run writes its snapshot there or
        where it stopped, not twice at one step), then A's compare figure of both runs now; the figure, or None (and
        `failure`) when a snapshot or the figure failed."""
        self.partners["a"].ask_export(self.sides["a"], at=self.step)
        for side in ("a", "b"):
            engine, partner = self.sides[side], self.partners[side]
            partner.settle(engine)
            if partner.exported_step != engine.step:
                return self._failed(engine)
        self.partners["a"].settle(self.sides["a"])
        return self._figure()

    def export_alone(self, side: str) -> Path | None:
        """A run that has just diverged, written where it stopped while the other trains on, then A's compare
        figure of both runs now; as export."""
        engine = self.sides[side]
        if engine.export() is None:
            return self._failed(engine)
        self.partners[side].wrote(engine)
        self.partners["a"].draw_figure(self.sides["a"], self.step, self._frame_now("a"))
        return self._figure()

    def snapshots(self) -> dict[str, Path | None]:
        """Each run's last snapshot."""
        return {side: self.sides[side].run_dir / snapshot_name(partner.exported_step)
                if partner.exported_step >= 0 else None for side, partner in self.partners.items()}

    def result(self) -> dict:
        """The headless closing object: {"compare", "a", "b"}, each run's engine.result(), its last snapshot and the
        step it diverged on (the one whose loss or gradient was not finite; null)."""
        out = {"compare": self.compare_text}
        for side, snapshot in self.snapshots().items():
            engine = self.sides[side]
            out[side] = {**engine.result(), "snapshot": str(snapshot) if snapshot else None,
                         "diverged": engine.step + 1 if engine.state == DIVERGED else None}
        return out

    def _frame_now(self, side: str) -> Frame:
        engine = self.sides[side]
        engine.current_probe()
        return engine.frame()

    def _figure(self) -> Path | None:
        figure = self.partners["a"].figure_saved
        self.failure = None if figure is not None else self.sides["a"].notice.text
        return figure

    def _failed(self, engine: Engine) -> None:
        self.failure = engine.notice.text
        return None
