"""The command line's options: the parser (argparse with one-line errors)."""

from __future__ import annotations

import argparse

from rnnscope import __version__
from rnnscope.contracts.config import DEVICES, INITS, MODELS, OPTIMIZERS, TASKS
from rnnscope.contracts.errors import UsageError
from rnnscope.contracts.numbers import float_option, int_option


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
    p.add_argument("--export-best", action="store_true", dest="export_best",
                   help="keep RUN_DIR/best/: a snapshot at the best validation loss so far, within the side budget")
    p.add_argument("--resume", help="continue from an exported checkpoint.pt (or its snapshot folder)")
    p.add_argument("--allow-changed-corpus", action="store_true", dest="allow_changed_corpus",
                   help="with --resume: continue although the corpus file changed since the checkpoint")
    p.add_argument("--replay", help="browse a finished run (its timeline and snapshots) in the TUI; a compare's "
                                    "folder shows both runs")
    p.add_argument("--attach", metavar="RUN_DIR",
                   help="show the run another process writes to RUN_DIR (a Scope in your training, or rnnscope)")
    p.add_argument("--movie", nargs=2, metavar=("RUN_DIR", "OUT"),
                   help="render RUN_DIR's timeline as a film, OUT.gif (or .mp4 where ffmpeg is installed)")
    p.add_argument("--serve", nargs="?", const="", metavar="RUN_DIR",
                   help="serve RUN_DIR's dashboard to browsers, read-only, with a token; alone after a training "
                        "command: serve that run (needs rnnscope[web])")
    p.add_argument("--host", help="with --serve: the address to listen on [127.0.0.1]")
    p.add_argument("--port", type=int_option, help="with --serve: the port, 0 = any free one [8000]")
    p.add_argument("--paused", action="store_true", help="start the dashboard paused")
    p.add_argument("--compare", metavar="KEY=VALUE[,...]",
                   help="also train run B = this run with these options changed (e.g. clip=0), in lockstep")
    p.add_argument("--feature", action="append", dest="features", metavar="NAME=REGEX",
                   help="a user feature for the units finder: inside a match of REGEX (at most 8)")
    p.add_argument("--lesson", help="start a lesson of the lecture by NAME; 'list' lists them")
    p.add_argument("--version", action="version", version=f"rnnscope {__version__}")
    return p
