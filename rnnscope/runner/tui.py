"""Start the dashboard on a live engine, which trains in its own process (torch is never imported here)."""

from __future__ import annotations

import os
from pathlib import Path

from rnnscope.contracts.config import RunConfig
from rnnscope.contracts.errors import NextLesson
from rnnscope.runner.engine_client import EngineClient
from rnnscope.storage.corpus_file import CorpusFile


def dashboard_threads(requested: int) -> int:
    """Torch threads beside the dashboard: all cores but one, unless asked. Threads on every core train faster on an
    idle machine but collapse when anything else wants a core (they wait on each other), so the default keeps a
    core for the screen and the rest of the machine (numbers: benchmarks/README.md, dashboard_throughput)."""
    return requested or max(1, (os.cpu_count() or 2) - 1)


def engine_client(config: RunConfig, corpus: CorpusFile, run_dir: Path, *, checkpoint: dict | None = None,
                  export_every: int = 0, start_paused: bool = False) -> EngineClient:
    """The engine in a child process, so it never waits on the UI's GIL; the corpus travels as its path."""
    return EngineClient(config=config, corpus_path=corpus.path, corpus_sha256=corpus.sha256, run_dir=run_dir,
                        threads=dashboard_threads(config.threads), start_paused=start_paused, checkpoint=checkpoint,
                        export_every=export_every)


def run_tui(config: RunConfig, corpus: CorpusFile, run_dir: Path, *, checkpoint: dict | None,
            export_every: int, start_paused: bool, lesson=None) -> int:
    """Run the dashboard (with `lesson`'s panel when given); raises NextLesson when one was chosen with L."""
    client = engine_client(config, corpus, run_dir, checkpoint=checkpoint, export_every=export_every,
                           start_paused=start_paused)  # the app starts it after its first paint
    from rnnscope.ui.app import make_app

    return run_dashboard(make_app(client, run_label=Path(corpus.path).name, start_paused=start_paused, lesson=lesson),
                         [client])


def run_dashboard(app, clients: list[EngineClient]) -> int:
    """Every dashboard's tail: run `app`, then finish its engines once the terminal is back (an export still being
    written is finished, said so); NextLesson when L chose a lesson; 130 when an engine had to be stopped."""
    try:
        app.run()
    finally:
        finished = all([client.finish() for client in clients])  # each finishes, whatever the others do
    if app.next_lesson is not None and finished:
        raise NextLesson(app.next_lesson)
    return (app.return_code or 0) if finished else 130
