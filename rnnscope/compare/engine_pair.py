"""Two runs one setting apart, trained in one process in lockstep on the same batches (headless compare and lessons);
B follows A's compare rules (rnnscope.compare.side_b) and a paired export ends in the compare figure, as on the screen."""

from __future__ import annotations

from pathlib import Path

from rnnscope.compare.options import what_differs
from rnnscope.compare.side_b import follow_a
from rnnscope.contracts.config import RunConfig
from rnnscope.contracts.frames import DIVERGED
from rnnscope.engine.engine import Engine
from rnnscope.training.data import Corpus


class EnginePair:
    """Runs A and B in one process, one step each in turn; a diverged side stops, the other goes on."""

    def __init__(self, config_a: RunConfig, config_b: RunConfig, corpus: Corpus, run_dir: Path,
                 compare_text: str, threads: int = 1):
        self.run_dir = Path(run_dir)
        self.compare_text = compare_text
        self.sides = {"a": Engine(config_a, corpus, self.run_dir / "a", threads=threads),
                      "b": Engine(config_b, corpus, self.run_dir / "b", threads=threads)}
        self.shared = follow_a(self.sides["b"], config_a).shared  # the parameters B took from A
        for engine in self.sides.values():  # built now, so the first step's chars/s does not pay for it
            engine.ready()
        self.diverged_at: dict[str, int | None] = {"a": None, "b": None}
        self.snapshots: dict[str, Path | None] = {"a": None, "b": None}
        self.failure: str | None = None  # what the last failed export said

    @property
    def differs(self) -> str:
        return what_differs(self.sides["a"].config, self.sides["b"].config)

    @property
    def step(self) -> int:
        """The step of the sides still training (the furthest one if both have stopped)."""
        live = [e.step for e in self.sides.values() if e.state != DIVERGED]
        return min(live) if live else max(e.step for e in self.sides.values())

    def live(self) -> list[str]:
        return [side for side, engine in self.sides.items() if engine.state != DIVERGED]

    def train_step(self) -> list[str]:
        """One step of every live side; returns the sides that diverged on it."""
        newly = []
        for side in self.live():
            engine = self.sides[side]
            engine.train_step()
            if engine.state == DIVERGED:
                self.diverged_at[side] = engine.step + 1  # the step whose loss or gradient was not finite
                newly.append(side)
        return newly

    def export(self, sides: tuple[str, ...] = ("a", "b")) -> Path | None:
        """Snapshots of `sides`, then the compare figure at the pair's step from both runs' frames now; None (and
        `failure`) when either failed."""
        for side in sides:
            path = self.sides[side].export()
            if path is None:
                self.failure = self.sides[side].notice.text
                return None
            self.snapshots[side] = path
        from rnnscope.compare.figure import save_compare_figure  # matplotlib stays off the start-up path

        engine_a, engine_b = self.sides["a"], self.sides["b"]
        engine_a.current_probe(), engine_b.current_probe()
        target = save_compare_figure(self.run_dir, self.step, engine_a.frame(), engine_b.frame(), engine_a.notify)
        self.failure = None if target is not None else engine_a.notice.text
        return target

    def result(self) -> dict:
        """The headless closing object: {"compare", "a", "b"}, each side engine.result() + snapshot, diverged."""
        out = {"compare": self.compare_text}
        for side, engine in self.sides.items():
            snapshot = self.snapshots[side]
            out[side] = {**engine.result(), "snapshot": str(snapshot) if snapshot else None,
                         "diverged": self.diverged_at[side]}
        return out
