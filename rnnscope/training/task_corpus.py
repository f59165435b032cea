"""A task run's corpus file: generated from the task's seed, named by its content, written only after every check.

The file is RUN_DIR/task-<name>-<sha256[:16]>.txt: a name of rnnscope's own, so a file the user made is never
replaced. A file already there under that name is used only when it holds exactly the generated text (it is
read no further than that text's size); anything else there is refused, never overwritten.
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from rnnscope.contracts.config import RunConfig
from rnnscope.contracts.errors import CheckpointError
from rnnscope.storage.atomic_file import replace_atomically
from rnnscope.storage.run_dir import RunDirError
from rnnscope.training.tasks import Task


@dataclass(frozen=True)
class TaskCorpus:
    """The generated text of a task run and where it goes; `present` when that file already holds it."""

    path: Path
    data: bytes
    sha256: str
    present: bool


def task_of(config: RunConfig) -> Task | None:
    """The memory task a config trains on, or None for a corpus file."""
    return None if config.task is None else Task(config.task, config.distance_min, config.distance_max)


def corpus_seed(config: RunConfig) -> int:
    """The seed a task's text is generated from: the run's own, or (a compare's run B) the one run A's text had."""
    return config.seed if config.task_seed is None else config.task_seed


def plan_task_corpus(config: RunConfig, run_dir: Path, expected_sha256: str | None = None) -> TaskCorpus:
    """Generate the task's text and decide where it goes, writing nothing. A resumed run passes its checkpoint's
    sha256: the text generated again must be the same text. RunDirError when a foreign file holds the name."""
    seed = corpus_seed(config)
    data = task_of(config).corpus_text(seed).encode("ascii")
    sha256 = hashlib.sha256(data).hexdigest()
    if expected_sha256 is not None and sha256 != expected_sha256:
        raise CheckpointError(f"the {config.task} corpus generated for seed {seed} differs from the one "
                              "the checkpoint was trained on: resume with the rnnscope version that made it")
    path = Path(run_dir) / f"task-{config.task}-{sha256[:16]}.txt"
    return TaskCorpus(path=path, data=data, sha256=sha256, present=_holds(path, data))


def _holds(path: Path, data: bytes) -> bool:
    """True when `path` is a regular file holding exactly `data`; False when nothing is there; RunDirError else."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return False
    except (OSError, ValueError) as err:  # a file in the path, no permission, a long name
        raise RunDirError(f"cannot use {path.parent} for the task's corpus "
                          f"({getattr(err, 'strerror', None) or err}): choose another --run-dir") from None
    same = False
    if stat.S_ISREG(info.st_mode) and info.st_size == len(data):
        try:
            with open(path, "rb") as file:
                same = file.read(len(data) + 1) == data
        except OSError:
            same = False
    if not same:
        raise RunDirError(f"{path} is there and is not the text rnnscope generates for this task: "
                          "rnnscope does not replace a file it did not write; move it away or choose another --run-dir")
    return True


def write_task_corpus(planned: TaskCorpus) -> Path:
    """Write the planned text (after every other check of the run); return its path."""
    if planned.present:
        return planned.path
    try:
        planned.path.parent.mkdir(parents=True, exist_ok=True)
        replace_atomically(planned.path, lambda temp: temp.write_bytes(planned.data))
    except OSError as err:
        raise RunDirError(f"cannot write the task's corpus to {planned.path} ({err.strerror or err}): "
                          "choose another folder with --run-dir") from None
    return planned.path
