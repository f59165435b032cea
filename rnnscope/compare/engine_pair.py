"""Two runs one setting apart, trained in lockstep on the same batches: EnginePair, and how B is made to match A."""

from __future__ import annotations

from pathlib import Path

import torch

from rnnscope.compare.options import what_differs
from rnnscope.contracts.config import RunConfig
from rnnscope.contracts.frames import DIVERGED
from rnnscope.storage.atomic_file import replace_atomically
from rnnscope.storage.snapshot_io import snapshot_name
from rnnscope.training.data import BatchSampler, Corpus
from rnnscope.training.engine import Engine
from rnnscope.training.model import build_model

# Changes after which B's recurrent module (rnn.*) must keep B's own initialisation.
OWN_RECURRENT_INIT = ("init", "init_gain", "forget_bias")


def shared_weight_names(config_a: RunConfig, config_b: RunConfig, model_a, model_b) -> list[str]:
    """The parameters B takes from A's initial model.

    Rule: with a different `seed`, B keeps its own weights (a new draw is what seed= asks for).
    Otherwise every parameter whose name and shape agree is A's -- embedding, head, recurrent weights
    when the cells match (model=rnn-relu against rnn-tanh, embed=, layers=, hidden= keep whatever
    still fits) -- except the recurrent module's own parameters (rnn.*) when B changes how they are
    initialised (init, init-gain, forget-bias): those stay as B's init made them. Changes of clip, lr
    and optimizer build B exactly as A, so the copy changes nothing there.
    """
    if config_a.seed != config_b.seed:
        return []
    own_init = any(getattr(config_a, f, None) != getattr(config_b, f, None) for f in OWN_RECURRENT_INIT)
    shapes_a = {name: p.shape for name, p in model_a.named_parameters()}
    return [name for name, p in model_b.named_parameters()
            if shapes_a.get(name) == p.shape and not (own_init and name.startswith("rnn."))]


def match_side_b(engine_b: Engine, config_a: RunConfig) -> list[str]:
    """Give B A's batches and sampling stream (A's seed) and A's initial weights where the rule allows.

    Needs only A's config, so a process that holds B alone can call it. Returns the copied names.
    """
    corpus, config_b = engine_b.corpus, engine_b.config
    engine_b.sampler = BatchSampler(corpus.train, config_b.seq_len, config_b.batch, config_a.seed)
    engine_b.sample_rng = torch.Generator().manual_seed(config_a.seed)
    return copy_initial_weights(engine_b, config_a)


def copy_initial_weights(engine_b: Engine, config_a: RunConfig) -> list[str]:
    """Overwrite B's weights with A's initial ones (build_model(config_a)) where the rule allows; also after B
    is re-initialised (r, i, m), which rebuilds B from its own seed. Returns the copied names."""
    config_b = engine_b.config
    model_a = build_model(config_a, len(engine_b.corpus.vocab))
    names = shared_weight_names(config_a, config_b, model_a, engine_b.model)
    params_a, params_b = dict(model_a.named_parameters()), dict(engine_b.model.named_parameters())
    with torch.no_grad():
        for name in names:
            params_b[name].copy_(params_a[name])
    return names


class EnginePair:
    """Runs A and B in one process, one step each in turn; a diverged side stops, the other goes on."""

    def __init__(self, config_a: RunConfig, config_b: RunConfig, corpus: Corpus, run_dir: Path,
                 compare_text: str, threads: int = 1):
        self.run_dir = Path(run_dir)
        self.compare_text = compare_text
        self.sides = {"a": Engine(config_a, corpus, self.run_dir / "a", threads=threads),
                      "b": Engine(config_b, corpus, self.run_dir / "b", threads=threads)}
        self.shared = match_side_b(self.sides["b"], config_a)
        for engine in self.sides.values():  # built now, so the first step's chars/s does not pay for it
            _ = engine.optimizer  # a lazy property
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
        """Snapshots of `sides` and the compare figure at the pair's step; None (and a notice) on failure."""
        for side in sides:
            path = self.sides[side].export()
            if path is None:
                self.failure = self.sides[side].notice.text
                return None
            self.snapshots[side] = path
        return self.write_figure()

    def write_figure(self) -> Path | None:
        """RUN_DIR/compare-step-N.png, written to a temp name and renamed into place."""
        for engine in self.sides.values():
            engine.current_probe()
        target, self.failure = write_compare_figure(self.run_dir, self.step, self.sides["a"].frame(),
                                                    self.sides["b"].frame(), self.differs)
        return target

    def result(self) -> dict:
        """The headless closing object: {"compare", "a", "b"}, each side engine.result() + snapshot, diverged."""
        out = {"compare": self.compare_text}
        for side, engine in self.sides.items():
            snapshot = self.snapshots[side]
            out[side] = {**engine.result(), "snapshot": str(snapshot) if snapshot else None,
                         "diverged": self.diverged_at[side]}
        return out


def write_compare_figure(run_dir: Path, step: int, frame_a, frame_b, differs: str) -> tuple[Path | None, str | None]:
    """RUN_DIR/compare-step-N.png from two frames (each with a probe), written to a temp name and renamed into
    place: (the path, None), or (None, what went wrong) -- a figure failure never stops training."""
    from rnnscope.compare.figure import render_compare_figure

    target = run_dir / f"compare-{snapshot_name(step)}.png"
    try:
        run_dir.mkdir(parents=True, exist_ok=True)
        replace_atomically(target, lambda temp: render_compare_figure(frame_a, frame_b, differs, temp))
    except OSError as err:
        return None, f"export failed: cannot write {target} ({err.strerror or err})"
    except Exception as err:
        return None, f"compare figure failed: {type(err).__name__}: {err}"
    return target, None
