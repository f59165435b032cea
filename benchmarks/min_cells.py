"""minGRU and minLSTM: the log-space scan against the sequential loop, and training throughput against lstm and gru.

    python benchmarks/min_cells.py [--rounds 3] [--threads 1] [--lengths 64,256,512] [--repeats 4] [--steps 50]

1. One training step (forward, backward) of a min cell at the default size (hidden 128, batch 32) on random
   inputs, by the parallel scan (the module's forward) and by the sequential loop (Cell.unroll, the oracle's step
   by step autograd pass), at each T; the median over rounds, interleaved, and the ratio loop / scan.
2. The bare training loop (train_throughput.bare_loop: embedding, recurrent module, head, Adam, clipping) on the
   bundled sample at the default settings for lstm, gru, mingru and minlstm, interleaved: chars/s, median over
   rounds, and the ratio against lstm.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import torch

from rnnscope import cells
from rnnscope.contracts.config import RunConfig
from rnnscope.storage.corpus_file import bundled_sample_path
from rnnscope.training.data import load_corpus

sys.path.insert(0, str(Path(__file__).resolve().parent))
from train_throughput import bare_loop

MIN_KINDS = ("mingru", "minlstm")
HIDDEN, EMBED, BATCH = RunConfig().hidden, RunConfig().embed, RunConfig().batch


def step_ms(kind: str, length: int, scan: bool, steps: int) -> float:
    """Median ms of one forward + backward over inputs [B, T, E] by the scan or by the sequential loop."""
    torch.manual_seed(0)
    cell = cells.cell(kind)
    module = cell.module(EMBED, HIDDEN, 1)
    inputs = torch.randn(BATCH, length, EMBED)  # [B, T, E]
    times = []
    for _ in range(steps + 1):
        started = time.perf_counter()
        hidden = module(inputs)[0] if scan else torch.stack(cell.unroll(module, inputs)[0].hidden, dim=1)  # [B, T, H]
        hidden.square().mean().backward()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times[1:])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--lengths", default="64,256,512")
    parser.add_argument("--repeats", type=int, default=4, help="timed steps per scan / loop measurement")
    parser.add_argument("--steps", type=int, default=50, help="training steps per throughput measurement")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    lengths = [int(n) for n in args.lengths.split(",")]
    print(f"scan vs sequential loop, one forward + backward, hidden {HIDDEN}, batch {BATCH}, {args.threads} thread(s)")
    for kind in MIN_KINDS:
        for length in lengths:
            rounds = [(step_ms(kind, length, True, args.repeats), step_ms(kind, length, False, args.repeats))
                      for _ in range(args.rounds)]
            scan, loop = (statistics.median(r[i] for r in rounds) for i in (0, 1))
            print(f"{kind:8s} T={length:4d}  scan {scan:8.2f} ms  loop {loop:8.2f} ms  loop/scan {loop / scan:5.2f}x",
                  flush=True)
    corpus = load_corpus(bundled_sample_path())
    kinds = ("lstm", "gru", *MIN_KINDS)
    rates: dict[str, list[float]] = {kind: [] for kind in kinds}
    for _ in range(args.rounds):
        for kind in kinds:
            rates[kind].append(bare_loop(RunConfig(model=kind, threads=args.threads), corpus, args.steps))
    print(f"training throughput, the bare loop at the default size, median of {args.rounds} interleaved rounds")
    for kind in kinds:
        rate = statistics.median(rates[kind])
        print(f"{kind:8s} {rate:10,.0f} chars/s  {rate / statistics.median(rates['lstm']):5.2f}x lstm", flush=True)


if __name__ == "__main__":
    main()
