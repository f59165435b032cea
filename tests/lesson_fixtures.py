"""Lesson evidence from real tiny engine runs: meta.json and arrays.npz content as an export builds them."""

from __future__ import annotations

import json
from pathlib import Path

from rnnscope.contracts.frames import DIVERGED
from rnnscope.exporting.export import build_arrays, build_meta
from rnnscope.lessons.unit_evidence import evidence_from
from rnnscope.storage.snapshot_io import metrics_to_json
from tests.core_fixtures import tiny_config, write_corpus


def trained_engine(tmp_path: Path, steps: int, **changes) -> tuple[object, list[dict]]:
    """A tiny engine trained `steps` steps (or until it diverges), and the metrics of its step-0 probe."""
    from rnnscope.engine.engine import Engine
    from rnnscope.training.data import load_corpus

    tmp_path.mkdir(parents=True, exist_ok=True)
    corpus_path = write_corpus(tmp_path)
    engine = Engine(tiny_config(corpus_path, **changes), load_corpus(corpus_path), tmp_path / "run", threads=1)
    initial_metrics = [metrics_to_json(layer.metrics) for layer in engine.refresh_probe().layers]
    while engine.step < steps and engine.state != DIVERGED:
        engine.train_step()
    return engine, initial_metrics


def engine_evidence(engine, initial_metrics: list[dict], samples: dict[float, str] | None = None) -> dict:
    """The engine's lesson evidence now, through the same meta/arrays builders as an export."""
    engine.refresh_probe()
    frame = engine.frame()
    meta = json.loads(json.dumps(build_meta(frame, engine.config, engine.corpus.path, engine.corpus.sha256)))
    weights = {name: value.detach().cpu().numpy() for name, value in engine.model.state_dict().items()}
    return evidence_from(meta, build_arrays(frame, weights), samples, initial_metrics)


def run_evidence_of(tmp_path: Path, steps: int, **changes) -> dict:
    return engine_evidence(*trained_engine(tmp_path, steps, **changes))
