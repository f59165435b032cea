"""Headless compare's combined throughput against the same two runs trained one after another, interleaved.

    python benchmarks/compare_headless.py [--rounds 5] [--steps 40] [--threads 1] [--compare clip=0]

Per round: an EnginePair trains A and B in lockstep for `steps` steps; then two single engines with A's
and B's configs train `steps` steps each, one after the other. Prints the combined chars/s of each (medians
over rounds) and their ratio (pair / sequential; 1.0 = lockstep costs nothing).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from rnnscope.cli_args import build_parser
from rnnscope.compare.engine_pair import EnginePair
from rnnscope.compare.options import parse_compare, what_differs
from rnnscope.contracts.config import RunConfig
from rnnscope.engine.engine import Engine
from rnnscope.runner.prepare import _config
from rnnscope.storage.corpus_file import bundled_sample_path
from rnnscope.training.data import load_corpus
from rnnscope.training.device import configure_threads


def _chars(config: RunConfig, steps: int) -> int:
    return steps * config.batch * config.seq_len


def pair_rate(config_a, config_b, corpus, steps: int, threads: int) -> float:
    pair = EnginePair(config_a, config_b, corpus, Path(tempfile.mkdtemp()), "bench", threads=threads)
    pair.train_step()  # warm-up
    started = time.perf_counter()
    for _ in range(steps):
        pair.train_step()
    return 2 * _chars(config_a, steps) / (time.perf_counter() - started)


def sequential_rate(config_a, config_b, corpus, steps: int, threads: int) -> float:
    elapsed = 0.0
    for config in (config_a, config_b):
        engine = Engine(config, corpus, Path(tempfile.mkdtemp()), threads=threads)
        engine.train_step()  # warm-up
        started = time.perf_counter()
        for _ in range(steps):
            engine.train_step()
        elapsed += time.perf_counter() - started
    return 2 * _chars(config_a, steps) / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--compare", default="clip=0")
    args = parser.parse_args()
    threads = configure_threads(args.threads)
    config_a = RunConfig(threads=threads).validate()
    spec = parse_compare(args.compare, build_parser())
    config_b = _config({**config_a.to_dict(), **spec.changes}, None)
    corpus = load_corpus(bundled_sample_path())
    print(f"compare {args.compare} ({what_differs(config_a, config_b)}), {threads} thread(s), "
          f"{args.steps} steps x {args.rounds} rounds")
    pairs, sequentials = [], []
    for _ in range(args.rounds):
        pairs.append(pair_rate(config_a, config_b, corpus, args.steps, threads))
        sequentials.append(sequential_rate(config_a, config_b, corpus, args.steps, threads))
    pair, sequential = statistics.median(pairs), statistics.median(sequentials)
    print(f"pair (lockstep)      {pair:10,.0f} chars/s combined")
    print(f"two runs in a row    {sequential:10,.0f} chars/s combined")
    print(f"ratio                {pair / sequential:10.3f}")


if __name__ == "__main__":
    main()
