"""A task run's corpus file: RUN_DIR/corpus.txt, generated from the seed and written atomically."""

from __future__ import annotations

import hashlib
from pathlib import Path

from rnnscope.atomic_file import replace_atomically
from rnnscope.config import RunConfig
from rnnscope.errors import CheckpointError
from rnnscope.core.tasks import Task
from rnnscope.run_dir import RunDirError

CORPUS_FILE = "corpus.txt"


def task_of(config: RunConfig) -> Task | None:
    """The memory task a config trains on, or None for a corpus file."""
    return None if config.task is None else Task(config.task, config.distance_min, config.distance_max)


def write_task_corpus(config: RunConfig, run_dir: Path, expected_sha256: str | None = None) -> Path:
    """Generate the task's corpus for config.seed into RUN_DIR/corpus.txt; return its path.

    A resumed run passes its checkpoint's sha256: the text generated again must be the same text.
    An existing file with the same content is left alone.
    """
    data = task_of(config).corpus_text(config.seed).encode("ascii")
    sha256 = hashlib.sha256(data).hexdigest()
    if expected_sha256 is not None and sha256 != expected_sha256:
        raise CheckpointError(f"the {config.task} corpus generated for seed {config.seed} differs from the one "
                              "the checkpoint was trained on: resume with the rnnscope version that made it")
    path = Path(run_dir) / CORPUS_FILE
    try:
        if path.is_file() and hashlib.sha256(path.read_bytes()).hexdigest() == sha256:
            return path
        path.parent.mkdir(parents=True, exist_ok=True)
        replace_atomically(path, lambda temp: temp.write_bytes(data))
    except OSError as err:
        raise RunDirError(f"cannot write the task's corpus to {path} ({err.strerror or err}): "
                          "choose another folder with --run-dir") from None
    return path
