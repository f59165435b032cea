"""Start the dashboard on a live engine; torch is imported in the engine's thread, not here."""

from __future__ import annotations

from pathlib import Path

from rnnscope.config import RunConfig
from rnnscope.core.data import Corpus


def run_tui(config: RunConfig, corpus: Corpus, run_dir: Path, *, checkpoint: dict | None,
            export_every: int, start_paused: bool) -> int:
    from rnnscope.ui.app import make_app

    def engine_factory():
        from rnnscope.core.engine_source import EngineSource

        # threads 0 = all cores: benchmarks/dashboard_throughput.py measured it faster than leaving the UI
        # a core, with keys answering as fast (the UI thread mostly waits on the GIL, not on a core).
        return EngineSource(config, corpus, run_dir, threads=config.threads, start_paused=start_paused,
                            checkpoint=checkpoint, export_every=export_every)

    app = make_app(engine_factory, run_label=Path(corpus.path).name, start_paused=start_paused)
    app.run()
    return app.return_code or 0
