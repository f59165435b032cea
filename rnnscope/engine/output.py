"""What the engine gives out beside its status, parts and frame, from its public surface: a snapshot written, the
headless run's closing numbers."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from rnnscope.contracts.engine_surface import EngineSurface
from rnnscope.contracts.json_numbers import json_number
from rnnscope.storage.snapshot_io import memory_to_json


def export_snapshot(engine: EngineSurface, screen_svg: str | None, timings: dict, name: str | None) -> Path | None:
    """Write the snapshot (rnnscope.exporting.export); a failure becomes a notice, never an exception."""
    from rnnscope.exporting.export import write_snapshot  # matplotlib stays off the start-up path

    try:
        return write_snapshot(engine.run_dir, engine.frame(), engine.config, corpus_path=engine.corpus.path,
                              corpus_sha256=engine.corpus.sha256, weights=engine.weights(),
                              checkpoint=engine.checkpoint(), screen_svg=screen_svg, timings=timings, name=name)
    except OSError as err:
        engine.notify("error", f"export failed: cannot write {engine.run_dir} ({err.strerror or err})")
    except Exception as err:  # a figure or checkpoint failure must not stop training
        engine.notify("error", f"export failed: {type(err).__name__}: {err}")
    return None


def result_of(engine: EngineSurface, val_history, summaries: dict) -> dict:
    """The headless run's closing numbers (`val_history` [M, 2]: its last row is the validation loss told;
    `summaries`: what the features add)."""
    status = engine.status()
    return {"step": engine.step, "train_loss": json_number(status.train_loss, 6),
            "val_loss": json_number(float(val_history[-1, 1]), 6) if len(val_history) else None,
            "chars_per_s": json_number(status.chars_per_s, 6),
            "memory": memory_to_json(engine.current_memory()), "timings": engine.budget.timings(),
            "sample": None if engine.sample is None else asdict(engine.sample),
            **summaries}
