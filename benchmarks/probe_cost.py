"""The probe's cost by model size: the fast probe (with and without connectivity) against the unrolled pass.

    python benchmarks/probe_cost.py [--rounds 7] [--model lstm] [--threads 2] [--sizes default,1x512,...]

Each round runs every variant once per size (interleaved), so a loaded machine slows them alike; medians are
printed. "unrolled" is the gate-by-gate pass with autograd that the probe ran before (now the test oracle),
without connectivity. cuda_check.py runs the same on a GPU.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import torch

from rnnscope.contracts.config import RunConfig
from rnnscope.measuring.module_probe import readout_loss
from rnnscope.measuring.oracle_unrolled import probe_module_unrolled
from rnnscope.measuring.probe import run_probe
from rnnscope.storage.corpus_file import bundled_sample_path
from rnnscope.training.data import load_corpus
from rnnscope.training.device import configure_threads
from rnnscope.training.model import build_model

SIZES = {  # name -> (layers, hidden, T)
    "default": (1, 128, 64), "1x512": (1, 512, 64), "3x512 T64": (3, 512, 64), "3x512 T128": (3, 512, 128),
    "1x1024": (1, 1024, 64), "3x1024 T128": (3, 1024, 128),
}
CPU_SIZES = ("default", "1x512", "3x512 T64")


def _unrolled(model, ids, targets) -> None:
    """What run_probe cost before: the unrolled pass and its two autograd passes, without connectivity."""
    embedded = model.embedding(ids).unsqueeze(0)  # [1, T, E]
    probe_module_unrolled(model.rnn, embedded, readout_loss(model.head, targets), connectivity=False)


def _variants(model, ids: np.ndarray, device: torch.device) -> dict:
    """name -> a zero-argument call running that probe on `model` over ids [T+1]."""
    ids_t = torch.as_tensor(ids[:-1], device=device)  # [T]
    targets_t = torch.as_tensor(ids[1:], device=device)  # [T]
    return {
        "fast": lambda: run_probe(model, ids[:-1], ids[1:], "", 0),
        "fast, no connectivity": lambda: run_probe(model, ids[:-1], ids[1:], "", 0, connectivity=False),
        "unrolled": lambda: _unrolled(model, ids_t, targets_t),
    }


def _timed_ms(call, device: torch.device) -> float:
    if device.type == "cuda":
        torch.cuda.synchronize()
    started = time.perf_counter()
    call()
    if device.type == "cuda":
        torch.cuda.synchronize()
    return (time.perf_counter() - started) * 1000.0


def probe_costs(kind: str, size: str, rounds: int, device: torch.device, corpus, skip_unrolled_over_ms: float = 2e4,
                ) -> dict[str, float]:
    """Median ms per variant for one size, interleaved over `rounds` (after one warm-up round); the unrolled
    pass is dropped after a round slower than skip_unrolled_over_ms (its median then covers fewer rounds)."""
    layers, hidden, steps = SIZES[size]
    config = RunConfig(model=kind, layers=layers, hidden=hidden, seq_len=steps).validate()
    model = build_model(config, len(corpus.vocab)).to(device)
    ids = corpus.val[: steps + 1].astype(np.int64)  # [T+1]
    variants = _variants(model, ids, device)
    times: dict[str, list[float]] = {name: [] for name in variants}
    for round_index in range(rounds + 1):
        for name, call in list(variants.items()):
            elapsed = _timed_ms(call, device)
            if round_index:
                times[name].append(elapsed)
            if name == "unrolled" and elapsed > skip_unrolled_over_ms:
                del variants[name]
    return {name: statistics.median(values) for name, values in times.items() if values}


def print_costs(size: str, costs: dict[str, float]) -> None:
    """One line: the medians, the connectivity's share of the fast probe and the speed-up over unrolled."""
    fast, bare = costs["fast"], costs["fast, no connectivity"]
    unrolled = costs.get("unrolled", float("nan"))
    print(f"{size:12s} fast {fast:8.1f} ms  (no connectivity {bare:8.1f} ms, connectivity "
          f"{max(fast - bare, 0.0) / fast:4.0%} of it)  unrolled {unrolled:9.1f} ms  speed-up {unrolled / fast:5.1f}x",
          flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--model", default="lstm")
    parser.add_argument("--threads", type=int, default=2, help="torch threads (0 = all cores)")
    parser.add_argument("--sizes", default=",".join(CPU_SIZES), help=f"comma-separated, of: {', '.join(SIZES)}")
    args = parser.parse_args()
    sizes = [size.strip() for size in args.sizes.split(",")]
    unknown = [size for size in sizes if size not in SIZES]
    if unknown:
        parser.error(f"unknown size {unknown[0]!r}: choose among {', '.join(SIZES)}")
    threads = configure_threads(args.threads)
    corpus = load_corpus(bundled_sample_path())
    print(f"probe cost, {args.model}, E=32, CPU, {threads} threads, median of {args.rounds} interleaved rounds",
          flush=True)
    for size in sizes:
        print_costs(size, probe_costs(args.model, size, args.rounds, torch.device("cpu"), corpus))


if __name__ == "__main__":
    main()
