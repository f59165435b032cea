"""Start the dashboard on a live engine, which trains in its own process (torch is never imported here)."""

from __future__ import annotations

import os
from pathlib import Path

from rnnscope.config import RunConfig
from rnnscope.core.data import Corpus
from rnnscope.core.engine_process import EngineProcess


def dashboard_threads(requested: int) -> int:
    """Torch threads beside the dashboard: all cores but one, unless asked. benchmarks/dashboard_throughput.py
    on 2 cores: 1 thread trains as fast as 2 with the screen open (55k vs 58k chars/s, 0.92x vs 0.69x of a
    bare loop with the same threads), as the screen's core is then free."""
    return requested or max(1, (os.cpu_count() or 2) - 1)


def engine_source(config: RunConfig, corpus: Corpus, run_dir: Path, *, checkpoint: dict | None = None,
                  export_every: int = 0, start_paused: bool = False) -> EngineProcess:
    """The dashboard's frame source: the engine in a child process, so it never waits on the UI's GIL."""
    return EngineProcess(config=config, corpus=corpus, run_dir=run_dir, threads=dashboard_threads(config.threads),
                         start_paused=start_paused, checkpoint=checkpoint, export_every=export_every)


def run_tui(config: RunConfig, corpus: Corpus, run_dir: Path, *, checkpoint: dict | None,
            export_every: int, start_paused: bool) -> int:
    from rnnscope.ui.app import make_app

    source = engine_source(config, corpus, run_dir, checkpoint=checkpoint, export_every=export_every,
                           start_paused=start_paused).start()
    app = make_app(lambda: source, run_label=Path(corpus.path).name, start_paused=start_paused)
    app.run()
    return app.return_code or 0
