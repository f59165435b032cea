"""Command line: parse and check the options, load the corpus, then run headless, the dashboard or a replay."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from rnnscope import __version__
from rnnscope.compare.options import SIDES
from rnnscope.contracts.config import DEVICES, INITS, MODELS, OPTIMIZERS, TASKS, RunConfig
from rnnscope.contracts.errors import InputError, NextLesson
from rnnscope.contracts.numbers import float_option, int_option, whole_number
from rnnscope.runner.signals import Terminated
from rnnscope.runner.streams import EXIT_OUTPUT, OutputError, flush_result, guarded_streams, terminal_problem
from rnnscope.storage.corpus_file import (
    CorpusFile,
    bundled_sample_path,
    check_corpus,
    check_encoding,
    min_corpus_chars,
    short_corpus_advice,
)
from rnnscope.storage.run_dir import check_run_folders, default_run_dir, remove_leftovers

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
# Options that shape the weights: a resumed run cannot change them.
SHAPE_OPTIONS = ("model", "hidden", "embed", "layers")
# Options that define a task's corpus: a resumed task run cannot change them.
TASK_OPTIONS = ("task", "distance_min", "distance_max")
# Options whose effect a resumed run takes from its checkpoint (the weights' init, the optimiser's state, the random
# state): changing them on resume is refused, not recorded and ignored. --lr, --clip, sizes of a step apply.
FROM_CHECKPOINT = ("optimizer", "init", "init_gain", "forget_bias", "seed")


class UsageError(InputError):
    """Bad arguments or unusable input: one line on stderr, exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):
        raise UsageError(f"{message} (see rnnscope --help)")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="rnnscope", description="Train a character-level RNN and watch its insides live.",
                argument_default=argparse.SUPPRESS)
    p.add_argument("corpus", nargs="?", help="text file to train on (default: the bundled Shakespeare sample)")
    p.add_argument("--model", choices=MODELS, help="recurrent cell [lstm]")
    p.add_argument("--hidden", type=int_option, help="hidden units per layer [128]")
    p.add_argument("--embed", type=int_option, help="embedding size [32]")
    p.add_argument("--layers", type=int_option, help="recurrent layers, 1-3 [1]")
    p.add_argument("--seq-len", type=int_option, dest="seq_len", help="BPTT window T [64]")
    p.add_argument("--batch", type=int_option, help="batch size [32]")
    p.add_argument("--lr", type=float_option, help="learning rate [0.003]")
    p.add_argument("--optimizer", choices=OPTIMIZERS, help="optimiser [adam]")
    p.add_argument("--clip", type=float_option, help="total gradient-norm clipping threshold, 0 = off [1.0]")
    p.add_argument("--init", choices=INITS, help="recurrent-weight init [default]")
    p.add_argument("--init-gain", type=float_option, dest="init_gain", help="multiplies W_hh after init [1.0]")
    p.add_argument("--seed", type=int_option, help="random seed [0]")
    p.add_argument("--threads", type=int_option, help="torch threads [half the cores headless; all but one with the dashboard]")
    p.add_argument("--device", choices=DEVICES, help="where to train [auto]")
    p.add_argument("--probe", help="probe text to instrument (default: first T+1 validation characters)")
    p.add_argument("--encoding", help="the corpus's text encoding [utf-8]")
    p.add_argument("--val-every", type=int_option, dest="val_every", help="validation loss every K steps [100]")
    p.add_argument("--task", choices=TASKS, help="train on a generated memory task instead of a CORPUS")
    p.add_argument("--distance", help="the task's distances MIN-MAX [5-50]")
    p.add_argument("--forget-bias", type=float_option, dest="forget_bias", help="LSTM only: forget-gate bias after init")
    p.add_argument("--run-dir", dest="run_dir", help="where snapshots go [./rnnscope-runs/<time>-<corpus>]")
    p.add_argument("--headless", action="store_true", help="no TUI: train with a progress bar")
    p.add_argument("--steps", type=int_option, help="with --headless: train until this step")
    p.add_argument("--export-every", type=int_option, dest="export_every", help="export a snapshot every K steps")
    p.add_argument("--resume", help="continue from an exported checkpoint.pt (or its snapshot folder)")
    p.add_argument("--allow-changed-corpus", action="store_true", dest="allow_changed_corpus",
                   help="with --resume: continue although the corpus file changed since the checkpoint")
    p.add_argument("--replay", help="browse a finished run (its timeline and snapshots) in the TUI; a compare's "
                                    "folder shows both runs")
    p.add_argument("--attach", metavar="RUN_DIR",
                   help="show the run another process writes to RUN_DIR (a Scope in your training, or rnnscope)")
    p.add_argument("--movie", nargs=2, metavar=("RUN_DIR", "OUT"),
                   help="render RUN_DIR's timeline as a film, OUT.gif (or .mp4 where ffmpeg is installed)")
    p.add_argument("--paused", action="store_true", help="start the dashboard paused")
    p.add_argument("--compare", metavar="KEY=VALUE[,...]",
                   help="also train run B = this run with these options changed (e.g. clip=0), in lockstep")
    p.add_argument("--lesson", help="start a lesson of the lecture by NAME; 'list' lists them")
    p.add_argument("--version", action="version", version=f"rnnscope {__version__}")
    return p


def main(argv: list[str] | None = None) -> int:
    """Run the command line; the exit code. Closed, full or broken standard streams give a defined code too."""
    with guarded_streams() as closed:
        if "stdout" in closed:
            _say("rnnscope: error: stdout is closed: rnnscope writes its results there; open it, e.g. > result.json")
            return EXIT_OUTPUT
        code = _main(argv)
        try:
            flush_result()
        except OutputError as err:
            _say(f"rnnscope: error: {err}")
            return EXIT_OUTPUT
        return code


def _main(argv: list[str] | None) -> int:
    try:
        args = vars(build_parser().parse_args(argv))
        return _dispatch(args)
    except InputError as err:
        _say(f"rnnscope: error: {err}")
        return EXIT_USAGE
    except NextLesson as chosen:  # L in a dashboard chose a lesson: start it as if given on the command line
        return _main(["--lesson", chosen.name])
    except OutputError as err:  # stdout full, closed or a broken pipe: the result is lost, say so where we can
        _say(f"rnnscope: error: {err}")
        return EXIT_OUTPUT
    except KeyboardInterrupt:
        _say("rnnscope: interrupted")
        return 130
    except Terminated as signalled:
        _say(f"rnnscope: stopped by {signalled.name}")
        return 128 + signalled.signum
    except SystemExit as exit_:  # --help / --version
        return int(exit_.code or 0)
    except Exception as err:  # never a traceback for the user; RNNSCOPE_DEBUG=1 shows it
        if os.environ.get("RNNSCOPE_DEBUG"):
            raise
        _say(f"rnnscope: unexpected error: {type(err).__name__}: {err} (RNNSCOPE_DEBUG=1 shows details)")
        return EXIT_FAILED


def _say(line: str) -> None:
    """One line on stderr, visible-safe: a file name's escape sequences or newlines never reach the terminal."""
    from rnnscope.contracts.visible import safe_text

    print(safe_text(line), file=sys.stderr)


def _dispatch(args: dict) -> int:
    lesson = None
    if "lesson" in args:
        from rnnscope.lessons.cli import lesson_args

        lesson, args = lesson_args(args)
        if lesson is None:
            return EXIT_OK
    if "compare" in args:
        _check_compare(args)
    if "attach" in args:
        if set(args) - {"attach"}:
            raise UsageError("--attach RUN_DIR takes no other options: the run's writer chose them")
        from rnnscope.watch.attach import run_attach

        return run_attach(Path(args["attach"]))
    if "movie" in args:
        if set(args) - {"movie"}:
            raise UsageError("--movie RUN_DIR OUT takes no other options")
        from rnnscope.runner.movie import run_movie

        return run_movie(*(Path(path) for path in args["movie"]))
    if "replay" in args:
        from rnnscope.runner.replay import run_replay

        return run_replay(Path(args["replay"]))
    if "steps" in args and "headless" not in args:
        raise UsageError("--steps needs --headless")
    if "headless" in args and "steps" not in args:
        raise UsageError("--headless needs --steps N")
    for name in ("steps", "export_every"):
        if name in args and args[name] < 1:
            raise UsageError(f"--{name.replace('_', '-')} must be 1 or more")
    for name in ("corpus", "run_dir", "resume"):
        if name in args and not args[name].strip():
            raise UsageError(f"the {'corpus path' if name == 'corpus' else '--' + name.replace('_', '-')} is empty: "
                             "give a path")
    if "allow_changed_corpus" in args and "resume" not in args:
        raise UsageError("--allow-changed-corpus needs --resume")
    check_encoding(args.get("encoding", "utf-8"))
    config, config_b, corpus, run_dir, checkpoint = _prepare(args)
    export_every = args.get("export_every", 0)
    if "headless" in args:
        if lesson is not None:
            from rnnscope.lessons.headless import run_lesson_headless

            return run_lesson_headless(lesson, config, config_b, args.get("compare"), corpus, run_dir,
                                       steps=args["steps"])
        if config_b is not None:
            from rnnscope.compare.headless import run_headless_compare

            return run_headless_compare(config, config_b, args["compare"], corpus, run_dir, steps=args["steps"],
                                        export_every=export_every)
        from rnnscope.runner.headless import run_headless

        return run_headless(config, corpus, run_dir, steps=args["steps"], export_every=export_every,
                            checkpoint=checkpoint)
    if config_b is not None:
        from rnnscope.compare.tui import run_tui_compare

        return run_tui_compare(config, config_b, corpus, run_dir, export_every=export_every,
                               start_paused="paused" in args, lesson=lesson)
    from rnnscope.runner.tui import run_tui

    return run_tui(config, corpus, run_dir, checkpoint=checkpoint, export_every=export_every,
                   start_paused="paused" in args, lesson=lesson)


def _prepare(args: dict) -> tuple:
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
    _say(f"rnnscope: warning: {corpus.path} changed since the checkpoint; continuing on the changed text")


def _config(args: dict, checkpoint: dict | None) -> RunConfig:
    given = {k: v for k, v in args.items() if k in RunConfig.__dataclass_fields__}
    if given.get("corpus"):  # stored in checkpoints: a resume from another folder still finds it
        given["corpus"] = os.path.abspath(given["corpus"])
    if "clip" in given:
        given["clip"] = given["clip"] or None  # --clip 0 turns clipping off; RunConfig refuses negatives
    if "threads" in given and given["threads"] < 1:
        raise UsageError("--threads must be 1 or more")
    given.update(_distance(args))
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
    if "forget_bias" in args and config.model != "lstm":
        raise UsageError(f"--forget-bias applies to an LSTM only, not {config.model}: add --model lstm or leave it out")
    return config



def _check_compare(args: dict) -> None:
    if "replay" in args:
        raise UsageError("--compare cannot be used with --replay: replay RUN_DIR/a or RUN_DIR/b on its own")
    if "resume" in args:
        raise UsageError("--compare cannot be used with --resume: resume RUN_DIR/a/step-N or RUN_DIR/b/step-N "
                         "alone, without --compare")


def _compare_config(args: dict) -> RunConfig:
    """Run B's config: the command line with --compare's changes, checked as those options would be."""
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
