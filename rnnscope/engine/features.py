"""The features a run carries beside the timeline and the units, as hooks on its engine: a text of tunes' checker and
--export-best."""

from __future__ import annotations

from rnnscope.contracts.config import RunConfig
from rnnscope.contracts.engine_hook import EngineHook
from rnnscope.engine.best_export import BestExport
from rnnscope.music.tune_run import tune_tracker
from rnnscope.training.data import Corpus


def optional_features(corpus: Corpus, config: RunConfig) -> list[EngineHook]:
    """The tunes' tracker for a text of tunes (sampled from their start, checked by abc2midi), --export-best's hook."""
    tunes = tune_tracker(corpus, config)
    return [hook for hook in (tunes, BestExport() if config.export_best else None) if hook is not None]
