"""Preparing a run from its options: every check (config, checkpoint, corpus, task corpus, device, terminal, run
folders), then its first writes; nothing is written before the last check."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from rnnscope import cells
from rnnscope.compare.options import SIDES
from rnnscope.contracts.config import RunConfig
from rnnscope.contracts.errors import InputError, UsageError
from rnnscope.contracts.numbers import whole_number
from rnnscope.contracts.visible import safe_text
from rnnscope.runner.streams import terminal_problem
from rnnscope.storage.corpus_file import (
    CorpusFile,
    bundled_sample_path,
    check_corpus,
    min_corpus_chars,
    short_corpus_advice,
)
from rnnscope.storage.run_dir import check_run_folders, default_run_dir, remove_leftovers
from rnnscope.units.feature_spec import parse_features

# Options that shape the weights: a resumed run cannot change them.
SHAPE_OPTIONS = ("model", "hidden", "embed", "layers")
# Options that define a task's corpus: a resumed task run cannot change them.
TASK_OPTIONS = ("task", "distance_min", "distance_max")
# Options whose effect a resumed run takes from its checkpoint (the weights' init, the optimiser's state, the random
# state): changing them on resume is refused, not recorded and ignored. --lr, --clip, sizes of a step apply.
FROM_CHECKPOINT = ("optimizer", "init", "init_gain", "forget_bias", "seed")


def prepare(args: dict) -> tuple:
    """Every check of the run, then its first writes: (config, config_b, corpus, run_dir, checkpoint). Nothing is
    written before the last check (a task's corpus goes to its folder only then)."""
    checkpoint = None
    if "resume" in args:
        from rnnscope.training.checkpoint import load_checkpoint

        checkpoint = load_checkpoint(args["resume"])
    config = _config(args, checkpoint)
    config_b = _compare_config(args) if "compare" in args else None
    task_corpus = run_dir = None
    if config.task is not None:
        from rnnscope.training.task_corpus import corpus_seed, plan_task_corpus

        run_dir = _run_dir(args, Path(config.task))
        task_corpus = plan_task_corpus(config, run_dir, None if checkpoint is None else checkpoint.get("corpus_sha256"))
        config = config.with_(corpus=str(task_corpus.path))
        if config_b is not None:  # B trains on A's generated text, and its checkpoint says how to make it again
            config_b = config_b.with_(corpus=config.corpus, task_seed=corpus_seed(config))
    corpus_path = Path(config.corpus) if config.corpus else bundled_sample_path()
    corpus = _corpus(corpus_path, config, encode="headless" in args, raw=task_corpus and task_corpus.data)
    if config.probe is not None:
        corpus.check_text(config.probe)  # refuses characters the vocabulary lacks, before anything starts
    if checkpoint is not None:
        from rnnscope.training.checkpoint import check_vocab

        check_vocab(checkpoint, corpus.vocab)
        _check_same_corpus(checkpoint, corpus, allow_changed="allow_changed_corpus" in args)
    if config.device == "cuda":  # found out here, not in the dashboard's thread
        from rnnscope.training.device import resolve_device

        resolve_device(config.device)
    if "headless" not in args:
        _require_terminal(" or train without the screen: --headless --steps N")
    run_dir = run_dir or _run_dir(args, corpus_path)
    folders = (run_dir, *(run_dir / side for side in SIDES if config_b is not None))
    check_run_folders(folders)
    for folder in folders:
        remove_leftovers(folder)  # what a killed run left under rnnscope's temporary names
    if task_corpus is not None:
        from rnnscope.training.task_corpus import write_task_corpus

        write_task_corpus(task_corpus)
    return config, config_b, corpus, run_dir, checkpoint


def _require_terminal(instead: str) -> None:
    problem = terminal_problem()
    if problem is not None:
        raise UsageError(f"{problem}: run rnnscope in a terminal{instead}")


def _corpus(path: Path, config: RunConfig, *, encode: bool, raw: bytes | None = None) -> CorpusFile:
    """Headless runs train in this process, on the encoded corpus (numpy). The dashboard only checks it, refusing
    exactly what the engine would: its engine process encodes it, and the first paint does not wait for numpy."""
    if encode:
        from rnnscope.training.data import load_corpus as read
    else:
        read = check_corpus
    return read(path, config.encoding, min_corpus_chars(config.seq_len, config.probe_len),
                short_corpus_advice(config.seq_len, config.probe_len), raw)


def _check_same_corpus(checkpoint: dict, corpus, *, allow_changed: bool) -> None:
    """A resume is exact only on the very text the checkpoint was trained on (its sha256 says so)."""
    expected = checkpoint.get("corpus_sha256")
    if not expected or expected == corpus.sha256:
        return
    if not allow_changed:
        raise UsageError(f"{corpus.path} changed since the checkpoint was written (sha256 differs): resume with the "
                         "same text, or add --allow-changed-corpus to continue on the changed text")
    print(safe_text(f"rnnscope: warning: {corpus.path} changed since the checkpoint; continuing on the changed text"),
          file=sys.stderr)


def _config(args: dict, checkpoint: dict | None) -> RunConfig:
    given = {k: v for k, v in args.items() if k in RunConfig.__dataclass_fields__}
    if given.get("corpus"):  # stored in checkpoints: a resume from another folder still finds it
        given["corpus"] = os.path.abspath(given["corpus"])
    if "clip" in given:
        given["clip"] = given["clip"] or None  # --clip 0 turns clipping off; RunConfig refuses negatives
    if "threads" in given and given["threads"] < 1:
        raise UsageError("--threads must be 1 or more")
    given.update(_distance(args))
    given["export_best"] = bool(args.get("export_best"))  # this command's, not a resumed checkpoint's
    if "features" in given:  # each checked in one line; the engine matches them off its training thread
        given["features"] = "\n".join(f"{name}={pattern}" for name, pattern in parse_features(given["features"]))
    if checkpoint is None:
        return _check_memory_options(args, RunConfig(**given).validate())
    base = RunConfig.from_dict(checkpoint["config"])
    for name in SHAPE_OPTIONS:
        if name in given and given[name] != getattr(base, name):
            raise UsageError(f"--{name} {given[name]} conflicts with the checkpoint ({getattr(base, name)}): "
                             f"leave --{name} out when resuming")
    for name in TASK_OPTIONS + (("seed",) if base.task else ()):
        if name in given and given[name] != getattr(base, name):
            raise UsageError(f"--{name.split('_')[0]} conflicts with the checkpoint's task: leave it out when resuming")
    for name in FROM_CHECKPOINT:
        if name in given and given[name] != getattr(base, name):
            option = "--" + name.replace("_", "-")
            raise UsageError(f"{option} {given[name]} cannot apply to a resumed run (it continues from the checkpoint's "
                             f"{getattr(base, name)}): leave {option} out when resuming")
    if "corpus" not in given and base.corpus and not base.task and not Path(base.corpus).exists():
        raise UsageError(f"the checkpoint's corpus {base.corpus} is gone: give the corpus file to resume on "
                         "(rnnscope CORPUS --resume ...)")
    return _check_memory_options(args, base.with_(**given).validate())


def _distance(args: dict) -> dict:
    """--distance MIN-MAX as distance_min / distance_max (their range is RunConfig's check)."""
    if "distance" not in args:
        return {}
    low, sep, high = args["distance"].partition("-")
    try:
        if not sep:
            raise ValueError("no dash")
        return {"distance_min": whole_number(low), "distance_max": whole_number(high)}
    except ValueError:
        shown = args["distance"] if len(args["distance"]) <= 24 else args["distance"][:24] + "…"
        raise UsageError(f"--distance {shown!r} is not MIN-MAX: give two whole numbers, e.g. --distance 5-50") from None


def _check_memory_options(args: dict, config: RunConfig) -> RunConfig:
    """Section 8's combinations: a task replaces CORPUS; --forget-bias and --distance need their model / task."""
    if config.task is not None and "corpus" in args:
        raise UsageError(f"--task {config.task} generates its own corpus: leave out the CORPUS {args['corpus']}")
    if "distance" in args and config.task is None:
        raise UsageError("--distance applies to a memory task: add --task recall or --task brackets")
    if "forget_bias" in args and not cells.facts_of(config.model).forget_bias:
        lstms = ", ".join(kind for kind in cells.KINDS if cells.facts_of(kind).forget_bias)
        raise UsageError(f"--forget-bias applies to an LSTM only ({lstms}), not {config.model}: add --model lstm or "
                         "leave it out")
    return config



def check_compare(args: dict) -> None:
    if "replay" in args:
        raise UsageError("--compare cannot be used with --replay: replay RUN_DIR/a or RUN_DIR/b on its own")
    if "resume" in args:
        raise UsageError("--compare cannot be used with --resume: resume RUN_DIR/a/step-N or RUN_DIR/b/step-N "
                         "alone, without --compare")


def _compare_config(args: dict) -> RunConfig:
    """Run B's config: the command line with --compare's changes, checked as those options would be."""
    from rnnscope.cli_args import build_parser
    from rnnscope.compare.options import parse_compare

    spec = parse_compare(args["compare"], build_parser())
    try:
        return _config({**args, **spec.changes}, None)
    except InputError as err:  # _say makes it visible-safe
        raise UsageError(f"{args.get('compare_label') or '--compare ' + spec.text}: {err}") from None


def _run_dir(args: dict, corpus_path: Path) -> Path:
    if "run_dir" in args:
        return Path(args["run_dir"])
    if "resume" in args:  # continue in the run the checkpoint came from: RUN_DIR/step-N/checkpoint.pt
        resume = Path(args["resume"])
        snapshot = resume if resume.is_dir() else resume.parent
        return snapshot.parent
    return default_run_dir(corpus_path, time.localtime())
