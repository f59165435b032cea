"""The units analysis's cost (PRODUCT.md section 13): units_ms and its share of the training time, at the default
size and at 1x512, on the bundled Shakespeare sample.

    python benchmarks/units_cost.py [--steps 300] [--threads 2] [--sizes default,1x512]

For each size an Engine trains `--steps` steps with the units feature attached as in every run; the line gives the
median training step, the median analysis (pass + scoring: units_ms), how many analyses ran, how many steps lie
between two (the cadence the 1% share allows) and the share of the training time they took, the first (cold: torch
warms up, before any training) left out and counted in. The machine's load slows both alike.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from rnnscope.contracts.config import RunConfig
from rnnscope.storage.corpus_file import bundled_sample_path
from rnnscope.training.data import load_corpus
from rnnscope.training.device import configure_threads
from rnnscope.training.engine import Engine

SIZES = {"default": (1, 128), "1x512": (1, 512), "2x256": (2, 256)}


def measure(name: str, steps: int, threads: int, run_dir: Path) -> str:
    layers, hidden = SIZES[name]
    corpus = load_corpus(bundled_sample_path())
    config = RunConfig(corpus=str(bundled_sample_path()), layers=layers, hidden=hidden, val_every=10**9)
    engine = Engine(config, corpus, run_dir / name, threads=threads)
    for _ in range(steps):
        engine.train_step()
    side = engine.side
    costs = list(side._recent["units"])  # seconds of every analysis, oldest first
    train_ms = side.expected("train_step") * 1000
    later = sum(costs[1:])
    every = f"{steps / max(len(costs) - 1, 1):.0f}" if len(costs) > 1 else f">{steps}"
    return (f"{name:>8}: train step {train_ms:7.1f} ms | units_ms {side.timings()['units_ms']:8.1f} "
            f"(first {costs[0] * 1000:.0f}) | {len(costs)} analyses, one every {every} steps | share "
            f"{later / side.train_s:.2%} after the first, {sum(costs) / side.train_s:.2%} with it")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--sizes", default="default,1x512")
    args = parser.parse_args()
    configure_threads(args.threads)
    with tempfile.TemporaryDirectory() as folder:
        for name in args.sizes.split(","):
            print(measure(name, args.steps, args.threads, Path(folder)), flush=True)


if __name__ == "__main__":
    main()
