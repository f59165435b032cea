"""The units analysis's cost (PRODUCT.md section 13): units_ms and its share of the training time, at the default
size and at 1x512, on the bundled Shakespeare sample.

    python benchmarks/units_cost.py [--steps 300] [--threads 2] [--sizes default,1x512]

For each size an Engine trains `--steps` steps with the units feature attached as in every run, then analyses 3
times between steps; the line gives the median training step, the median analysis (pass + scoring: units_ms), the
cold first one, and the cadence the 1% share (UNITS_SHARE) allows: steps and seconds of training between two
analyses. The machine's load slows both alike.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from rnnscope.contracts.config import RunConfig
from rnnscope.engine.engine import Engine
from rnnscope.storage.corpus_file import bundled_sample_path
from rnnscope.training.data import load_corpus
from rnnscope.training.device import configure_threads
from rnnscope.units.tracker import UNITS_SHARE

SIZES = {"default": (1, 128), "1x512": (1, 512), "2x256": (2, 256)}


def measure(name: str, steps: int, threads: int, run_dir: Path, rounds: int = 3) -> str:
    layers, hidden = SIZES[name]
    corpus = load_corpus(bundled_sample_path())
    config = RunConfig(corpus=str(bundled_sample_path()), layers=layers, hidden=hidden, val_every=10**9)
    engine = Engine(config, corpus, run_dir / name, threads=threads)
    for _ in range(steps):
        engine.train_step()
    side = engine.budget
    first = side._recent["units"][0]  # the cold one, before any training
    warm = []
    for _ in range(rounds):  # interleaved with training, as in a run
        started = time.perf_counter()
        engine.units.refresh(engine)
        warm.append(time.perf_counter() - started)
        engine.train_step()
    units_s, step_s = statistics.median(warm), side.expected("train_step")
    every = units_s / (UNITS_SHARE * step_s)
    return (f"{name:>8}: train step {step_s * 1000:7.1f} ms | units_ms {units_s * 1000:7.1f} (the first, cold: "
            f"{first * 1000:.0f}) | at the 1% cadence one analysis every {every:,.0f} steps "
            f"({units_s / UNITS_SHARE:.0f} s of training): share {units_s / (every * step_s):.2%}; "
            f"one analysis at every step would cost {units_s / step_s:.0%} of a step")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--sizes", default="default,1x512")
    args = parser.parse_args()
    configure_threads(args.threads)
    with tempfile.TemporaryDirectory() as folder:
        for name in args.sizes.split(","):
            print(measure(name, args.steps, args.threads, Path(folder)), flush=True)


if __name__ == "__main__":
    main()
