"""Start the dashboard on a live engine; torch is imported in the engine's thread, not here."""

from __future__ import annotations

import os
from pathlib import Path

from rnnscope.config import RunConfig
from rnnscope.core.data import Corpus


def tui_threads(requested: int) -> int:
    """Torch threads beside the dashboard: all cores but one for the UI (see benchmarks/ui_latency.py)."""
    return requested or max(1, (os.cpu_count() or 2) - 1)


def run_tui(config: RunConfig, corpus: Corpus, run_dir: Path, *, checkpoint: dict | None,
            export_every: int, start_paused: bool) -> int:
    from rnnscope.ui.app import make_app

    threads = tui_threads(config.threads)

    def engine_factory():
        from rnnscope.core.engine_source import EngineSource

        return EngineSource(config, corpus, run_dir, threads=threads, start_paused=start_paused,
                            checkpoint=checkpoint, export_every=export_every)

    app = make_app(engine_factory, run_label=Path(corpus.path).name, start_paused=start_paused)
    app.run()
    return app.return_code or 0
