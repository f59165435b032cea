"""A lesson's run: the engine-side evidence (initial metrics, samples, running gradient max) and meta.json's `lesson`."""

from __future__ import annotations

import json
from pathlib import Path

from rnnscope.contracts.json_numbers import json_number
from rnnscope.lessons.unit_evidence import SAMPLE_TEMPERATURES, evidence_from, snapshot_evidence
from rnnscope.storage.atomic_file import replace_atomically
from rnnscope.storage.snapshot_io import META, build_arrays, build_meta, metrics_to_json
from rnnscope.training.engine import Engine

SAMPLED_LESSONS = ("generation",)  # lessons whose evidence holds samples at SAMPLE_TEMPERATURES


def capture_initial(engine: Engine) -> list[dict]:
    """Keep the metrics of the probe at the engine's current weights (call before the first step)."""
    engine.initial_metrics = [metrics_to_json(layer.metrics) for layer in engine.refresh_probe().layers]
    return engine.initial_metrics


class SideEvidence:
    """One engine's lesson evidence, built from the same meta/arrays builders as its exported snapshot."""

    def __init__(self, engine: Engine, lesson_name: str):
        self.engine = engine
        self.sampled = lesson_name in SAMPLED_LESSONS
        self.samples: dict[float, str] | None = None  # those of the last evidence: the export reuses them
        if engine.initial_metrics is None:
            capture_initial(engine)

    def now(self) -> dict:
        """The evidence at the engine's current step (probe and memory measured now if stale)."""
        engine = self.engine
        engine.current_probe()
        engine.current_memory()
        if self.sampled:  # the screen's own sample and temperature are put back afterwards
            kept = engine.sample, engine.temperature
            self.samples = {t: engine.new_sample(t).text for t in SAMPLE_TEMPERATURES}
            engine.sample, engine.temperature = kept
        frame = engine.frame()
        meta = json.loads(json.dumps(build_meta(frame, engine.config, engine.corpus.path, engine.corpus.sha256)))
        weights = {name: value.detach().cpu().numpy() for name, value in engine.model.state_dict().items()}
        return evidence_from(meta, build_arrays(frame, weights), self.samples, engine.initial_metrics,
                             grad_max=engine.grad_max if engine.step else None)

    def of_snapshot(self, folder: Path) -> dict:
        """The evidence read back from an exported snapshot of this engine (with the same samples)."""
        return snapshot_evidence(folder, self.samples, self.engine.initial_metrics,
                                 grad_max=self.engine.grad_max if self.engine.step else None)


def strict_json(value):
    """`value` as strict-JSON data: non-finite floats become None (null), tuples lists."""
    if isinstance(value, float):
        return json_number(value)
    if isinstance(value, dict):
        return {str(k): strict_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [strict_json(v) for v in value]
    return value


def add_lesson_to_meta(folder: Path, lesson: dict) -> None:
    """Rewrite FOLDER/meta.json with `lesson` under the key "lesson", atomically (temp file, rename)."""
    path = Path(folder) / META
    meta = json.loads(path.read_text(encoding="utf-8"))
    meta["lesson"] = lesson
    data = json.dumps(meta, indent=2, ensure_ascii=False, allow_nan=False).encode("utf-8")
    replace_atomically(path, lambda temp: temp.write_bytes(data))
