"""What a screen's share of a core costs a training loop whose intra-op threads use every core: the bare fused loop
alone against the same loop beside a process that works in bursts as the dashboard does, interleaved.

    python benchmarks/thread_interference.py [--rounds 5] [--steps 300] [--threads 2] [--burst-ms 10] [--every-s 0.5]

The burst process spins for --burst-ms every --every-s (10 ms every 0.5 s is 2% of one core, about what the
dashboard's process uses while training: benchmarks/dashboard_throughput.py). With as many torch threads as cores,
every burst preempts one of them and the others wait for it at the next synchronisation, so the loop loses more
than the burst's own share: this is why the dashboard at 2 threads on 2 cores stays below 0.95x a bare 2-thread loop.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import statistics
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))

from train_throughput import bare_loop

from rnnscope.contracts.config import RunConfig
from rnnscope.storage.corpus_file import bundled_sample_path
from rnnscope.training.data import load_corpus


def bursts(burst_s: float, every_s: float, stop) -> None:
    """Spin for burst_s, sleep the rest of every_s, until `stop` is set."""
    while not stop.is_set():
        started = time.perf_counter()
        while time.perf_counter() - started < burst_s:
            pass
        stop.wait(max(0.0, every_s - burst_s))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--burst-ms", type=float, default=10.0)
    parser.add_argument("--every-s", type=float, default=0.5)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    config = RunConfig().validate()
    corpus = load_corpus(bundled_sample_path())
    bare_loop(config, corpus, 20)  # warm-up
    alone, beside = [], []
    context = mp.get_context("spawn")
    for _ in range(args.rounds):
        alone.append(bare_loop(config, corpus, args.steps))
        stop = context.Event()
        burster = context.Process(target=bursts, args=(args.burst_ms / 1000, args.every_s, stop), daemon=True)
        burster.start()
        time.sleep(0.5)  # the burst process has started
        beside.append(bare_loop(config, corpus, args.steps))
        stop.set()
        burster.join()
    share = args.burst_ms / 1000 / args.every_s
    ratio = statistics.median(beside) / statistics.median(alone)
    print(f"bare fused loop, {args.threads} threads, {args.rounds} rounds x {args.steps} steps, interleaved")
    print(f"alone                {statistics.median(alone):10,.0f} chars/s  (rounds: "
          f"{', '.join(f'{v:,.0f}' for v in alone)})")
    print(f"beside {share:.1%} bursts  {statistics.median(beside):10,.0f} chars/s  (rounds: "
          f"{', '.join(f'{v:,.0f}' for v in beside)})")
    print(f"ratio {ratio:.3f}: the bursts take {share:.1%} of one core and cost the loop {1 - ratio:.1%}")


if __name__ == "__main__":
    main()
