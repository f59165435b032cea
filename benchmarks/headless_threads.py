"""Headless training at 1 vs 2 torch threads, quiet and with a CPU hog beside it, interleaved in one run.

    python benchmarks/headless_threads.py [--rounds 3] [--steps 150]

Prints chars/s (steps x B x T over the wall time of the steps) of the headless engine at the default settings, per
thread count, without and with one busy-looping process beside it (what a shared machine does to a run).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import statistics
import time
from pathlib import Path

import torch

from rnnscope.contracts.config import RunConfig
from rnnscope.engine.engine import Engine
from rnnscope.storage.corpus_file import bundled_sample_path
from rnnscope.training.data import load_corpus


def _hog() -> None:
    while True:
        pass


def headless_rate(threads: int, corpus, steps: int) -> float:
    torch.set_num_threads(threads)
    engine = Engine(RunConfig(), corpus, Path("/nonexistent-benchmark-run"), threads=threads)
    for _ in range(3):
        engine.train_step()  # warm-up: the optimizer, the first allocations
    started = time.perf_counter()
    for _ in range(steps):
        engine.train_step()
    return steps * engine.config.batch * engine.config.seq_len / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--steps", type=int, default=150)
    args = parser.parse_args()
    corpus = load_corpus(bundled_sample_path())
    rates: dict[tuple[str, int], list[float]] = {}
    for _ in range(args.rounds):
        for load in ("quiet", "hog"):
            hog = mp.get_context("spawn").Process(target=_hog, daemon=True) if load == "hog" else None
            if hog is not None:
                hog.start()
                time.sleep(0.5)
            for threads in (1, 2):
                rates.setdefault((load, threads), []).append(headless_rate(threads, corpus, args.steps))
            if hog is not None:
                hog.kill()
                hog.join()
    for (load, threads), values in rates.items():
        print(f"{load:5s} {threads} thread(s): {statistics.median(values):9,.0f} chars/s median "
              f"(rounds: {', '.join(f'{v:,.0f}' for v in values)})")


if __name__ == "__main__":
    main()
