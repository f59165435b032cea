"""Start the compare dashboard: runs A and B train in two engine processes that keep in lockstep."""

from __future__ import annotations

import multiprocessing as mp
import os
from pathlib import Path

from rnnscope.compare.options import what_differs
from rnnscope.contracts.config import RunConfig
from rnnscope.runner.engine_client import EngineClient
from rnnscope.runner.tui import run_dashboard
from rnnscope.storage.corpus_file import CorpusFile


def compare_threads(requested: int) -> int:
    """Torch threads per run: the cores but the dashboard's, split between the two runs (1 each on 2 cores),
    unless asked (--threads is per run)."""
    return requested or max(1, ((os.cpu_count() or 2) - 1) // 2)


def compare_clients(config_a: RunConfig, config_b: RunConfig, corpus: CorpusFile, run_dir: Path, *,
                    export_every: int = 0, start_paused: bool = False, slots: tuple | None = None
                    ) -> dict[str, EngineClient]:
    """Two engine processes, RUN_DIR/a and RUN_DIR/b, sharing a lockstep (`slots`, made here unless given:
    tests read them); B follows A's compare rules."""
    from rnnscope.compare.lockstep import shared_slots
    from rnnscope.compare.pair_side import pair_sides

    pairs = pair_sides(config_a, slots or shared_slots(mp.get_context("spawn")))
    configs = {"a": config_a, "b": config_b}
    return {side: EngineClient(config=configs[side], corpus_path=corpus.path, corpus_sha256=corpus.sha256,
                               run_dir=run_dir / side, threads=compare_threads(config_a.threads),
                               start_paused=start_paused, export_every=export_every, partner=pairs[side])
            for side in ("a", "b")}


def run_tui_compare(config_a: RunConfig, config_b: RunConfig, corpus: CorpusFile, run_dir: Path, *,
                    export_every: int, start_paused: bool, lesson=None) -> int:
    """The compare screen (with `lesson`'s panel when given); raises NextLesson when one was chosen with L."""
    clients = compare_clients(config_a, config_b, corpus, run_dir, export_every=export_every,
                              start_paused=start_paused)
    from rnnscope.ui.compare.app import CompareApp

    app = CompareApp(clients, differs=what_differs(config_a, config_b), run_label=Path(corpus.path).name,
                     start_paused=start_paused, lesson=lesson)
    return run_dashboard(app, list(clients.values()))
