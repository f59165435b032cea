"""A lesson's run: its tracker beside the engine (initial metrics, samples, evidence) and meta.json's `lesson`."""

from __future__ import annotations

import json
from pathlib import Path

from rnnscope.contracts.engine_hook import EngineHook
from rnnscope.contracts.engine_surface import EngineSurface as Engine
from rnnscope.contracts.frames import RUNNING
from rnnscope.contracts.json_numbers import json_number
from rnnscope.lessons.unit_evidence import SAMPLE_TEMPERATURES, evidence_from, snapshot_evidence
from rnnscope.storage.atomic_file import replace_atomically
from rnnscope.storage.snapshot_io import META, build_arrays, build_meta, metrics_to_json

SAMPLED_LESSONS = ("generation",)  # lessons whose evidence holds samples at SAMPLE_TEMPERATURES
UNITS_LESSONS = ("interpretable-cells",)  # lessons whose evidence holds the units analysis of its step


class LessonTracker(EngineHook):
    """A lesson's state beside one engine (attached by whoever builds the engine for a lesson: attach_lesson): the
    probe's metrics at the initial weights, the samples of the last evidence, and the evidence itself, made at the
    initial weights, at a validation when the side budget has room for it and at a divergence, and sent as the part
    `lesson_evidence`."""

    def __init__(self, lesson_name: str):
        self.sampled = lesson_name in SAMPLED_LESSONS
        self.units = lesson_name in UNITS_LESSONS
        self.initial_metrics: list[dict] | None = None  # of the probe at the weights' initialisation
        self.samples: dict[float, str] | None = None  # those of the last evidence: the export reuses them
        self.evidence: dict | None = None  # the last evidence, as strict JSON
        self.step: int | None = None  # the step of `evidence` (None once the weights it is of were replaced)

    def before_step(self, engine: Engine) -> None:
        if self.initial_metrics is None:
            self.refresh(engine)  # at the initial weights: the exploding lesson is judged there

    def after_validation(self, engine: Engine) -> None:
        if engine.state != RUNNING or engine.budget.affords(*self.costs()):  # a single step while paused: always
            self.refresh(engine)

    def costs(self) -> tuple[str, ...]:
        """The side budget's kinds one evidence costs (its probe, memory and samples are timed as their own)."""
        return ("lesson", "probe", "memory", *("sample",) * (len(SAMPLE_TEMPERATURES) if self.sampled else 0))

    def fresh(self, engine: Engine) -> bool:
        """Whether the evidence is of this step."""
        return self.evidence is not None and self.step == engine.step

    def after_divergence(self, engine: Engine) -> None:
        self.refresh(engine)

    def after_reinit(self, engine: Engine) -> None:
        self.initial_metrics = None  # taken again before the next step, from the new weights
        self.step = None  # the evidence (still shown until then) is of the old weights, at this very step

    def parts(self) -> dict[str, object]:
        return {"lesson_evidence": self.evidence}

    def refresh(self, engine: Engine) -> dict:
        """The evidence now (probe and memory measured now if stale), built from the same meta/arrays builders as
        the engine's exported snapshot."""
        if self.initial_metrics is None:
            self.initial_metrics = [metrics_to_json(layer.metrics) for layer in engine.refresh_probe().layers]
        engine.current_probe()
        engine.current_memory()
        if self.sampled:  # drawn without touching the screen's own sample and temperature
            self.samples = {t: engine.draw_sample(t).text for t in SAMPLE_TEMPERATURES}
        with engine.budget.timed("lesson"):
            frame = engine.frame()
            meta = json.loads(json.dumps(build_meta(frame, engine.config, engine.corpus.path, engine.corpus.sha256)))
            weights = engine.weights()
            units = engine.units.current(engine) if self.units else None
            self.evidence = strict_json(evidence_from(meta, build_arrays(frame, weights), self.samples,
                                                      self.initial_metrics, grad_max=_grad_max(engine), units=units))
        self.step = engine.step
        return self.evidence

    def current(self, engine: Engine) -> dict:
        """The evidence at this step: the one a validation or divergence just made, else made now."""
        return self.evidence if self.fresh(engine) else self.refresh(engine)

    def of_snapshot(self, engine: Engine, folder: Path) -> dict:
        """The evidence read back from an exported snapshot of this engine (with the same samples)."""
        return snapshot_evidence(folder, self.samples, self.initial_metrics, grad_max=_grad_max(engine))


def _grad_max(engine: Engine) -> tuple[float, float] | None:
    return engine.grad_max if engine.step else None


def attach_lesson(engine: Engine) -> LessonTracker | None:
    """The tracker of the engine's lesson (RunConfig.lesson), attached to it; None for a run of no lesson."""
    if engine.config.lesson is None:
        return None
    tracker = LessonTracker(engine.config.lesson)
    engine.attach(tracker)
    return tracker


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
