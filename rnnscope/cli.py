"""Command line: parse and check the options, prepare the run, then run the mode they ask for (a table of modes);
every failure is one line on stderr and an exit code."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from rnnscope import startup
from rnnscope.cli_args import build_parser
from rnnscope.contracts.errors import InputError, NextLesson, UsageError
from rnnscope.runner.signals import Terminated
from rnnscope.runner.streams import EXIT_OUTPUT, OutputError, flush_result, guarded_streams
from rnnscope.storage.corpus_file import check_encoding

__all__ = ["UsageError", "build_parser", "main"]
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def main(argv: list[str] | None = None) -> int:
    """Run the command line; the exit code. Closed, full or broken standard streams give a defined code too. No
    garbage collection until the mode's start-up is over (rnnscope.startup): each mode says when."""
    startup.starting()
    try:
        return _streams_main(argv)
    finally:
        startup.resume()


def _streams_main(argv: list[str] | None) -> int:
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


def next_lesson_argv(name: str, corpus: str | None) -> list[str]:
    """The command line of a lesson chosen with L: on the user's corpus where the lesson trains on a text (as
    `rnnscope CORPUS --lesson NAME` would), on its own task otherwise."""
    from rnnscope.lessons import find_lesson

    lesson = find_lesson(name)
    keeps = bool(corpus) and lesson is not None and not lesson.preset.get("task")
    return [corpus, "--lesson", name] if keeps else ["--lesson", name]


def _main(argv: list[str] | None) -> int:
    try:
        args = vars(build_parser().parse_args(argv))
        return _dispatch(args)
    except InputError as err:
        _say(f"rnnscope: error: {err}")
        return EXIT_USAGE
    except NextLesson as chosen:  # L in a dashboard chose a lesson: start it as if given on the command line
        return _main(next_lesson_argv(chosen.name, args.get("corpus")))
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


# --- modes that look at a run folder: no training, no other option ---------------------------------------------

def _attach(value: str) -> int:
    from rnnscope.watch.attach import run_attach

    return run_attach(Path(value))


def _movie(value: list[str]) -> int:
    from rnnscope.runner.movie import run_movie

    return run_movie(*(Path(path) for path in value))


def _replay(value: str) -> int:
    from rnnscope.runner.replay import run_replay

    return run_replay(Path(value))


FOLDER_MODES = {"attach": (_attach, "--attach RUN_DIR takes no other options: the run's writer chose them"),
                "movie": (_movie, "--movie RUN_DIR OUT takes no other options"),
                "replay": (_replay, None)}  # replay's own checks refuse what does not apply


# --- modes that train ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Run:
    """What every training mode gets: the prepared run and the options that shape how it runs."""

    args: dict
    lesson: object  # rnnscope.lessons.Lesson or None
    config: object  # RunConfig
    config_b: object  # RunConfig of a compare's run B, or None
    corpus: object
    run_dir: Path
    checkpoint: dict | None

    @property
    def export_every(self) -> int:
        return self.args.get("export_every", 0)


def _lesson_headless(run: Run) -> int:
    from rnnscope.runner.lesson_headless import run_lesson_headless

    return run_lesson_headless(run.lesson, run.config, run.config_b, run.args.get("compare"), run.corpus, run.run_dir,
                               steps=run.args["steps"])


def _compare_headless(run: Run) -> int:
    from rnnscope.runner.compare_headless import run_headless_compare

    return run_headless_compare(run.config, run.config_b, run.args["compare"], run.corpus, run.run_dir,
                                steps=run.args["steps"], export_every=run.export_every)


def _headless(run: Run) -> int:
    from rnnscope.runner.headless import run_headless

    return run_headless(run.config, run.corpus, run.run_dir, steps=run.args["steps"], export_every=run.export_every,
                        checkpoint=run.checkpoint)


def _compare_tui(run: Run) -> int:
    from rnnscope.runner.compare_tui import run_tui_compare

    return run_tui_compare(run.config, run.config_b, run.corpus, run.run_dir, export_every=run.export_every,
                           start_paused="paused" in run.args, lesson=run.lesson)


def _tui(run: Run) -> int:
    from rnnscope.runner.tui import run_tui

    return run_tui(run.config, run.corpus, run.run_dir, checkpoint=run.checkpoint, export_every=run.export_every,
                   start_paused="paused" in run.args, lesson=run.lesson)


TRAINING_MODES = {  # (headless, kind) -> the mode; a lesson on the screen is its single or compare dashboard
    (True, "lesson"): _lesson_headless, (True, "compare"): _compare_headless, (True, "single"): _headless,
    (False, "compare"): _compare_tui, (False, "single"): _tui,
}


def _dispatch(args: dict) -> int:
    from rnnscope.serve.options import take_serve_options

    serve = take_serve_options(args)
    if serve is not None and serve.run_dir is not None:
        return _serve(serve, args)
    if serve is not None and set(args) & set(FOLDER_MODES):
        raise UsageError("--serve without a folder serves a training command's run; to serve a run folder: "
                         "rnnscope --serve RUN_DIR")
    lesson = None
    if "lesson" in args:
        from rnnscope.lessons.cli import lesson_args

        lesson, args = lesson_args(args)
        if lesson is None:
            return EXIT_OK
    from rnnscope.runner.prepare import check_compare, prepare

    if "compare" in args:
        check_compare(args)
    for name, (mode, alone) in FOLDER_MODES.items():
        if name in args:
            if alone and set(args) - {name}:
                raise UsageError(alone)
            return mode(args[name])
    _check_options(args)
    run = Run(args, lesson, *prepare(args))
    headless = "headless" in args
    kind = "lesson" if headless and lesson is not None else "compare" if run.config_b is not None else "single"
    if serve is None:
        return TRAINING_MODES[headless, kind](run)
    from rnnscope.serve.alongside import serving

    with serving(serve, run.run_dir / "a" if run.config_b is not None else run.run_dir):  # a compare serves run A
        return TRAINING_MODES[headless, kind](run)


def _serve(serve, args: dict) -> int:
    if args:
        raise UsageError("--serve RUN_DIR takes only --host and --port; to serve a run as it trains, add --serve "
                         "without a folder to the training command")
    from rnnscope.serve.cli import run_serve

    return run_serve(serve)


def _check_options(args: dict) -> None:
    """The options' combinations that need no file: --steps with --headless, positive counts, paths not empty."""
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
