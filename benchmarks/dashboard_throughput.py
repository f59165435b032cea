"""Training with the live dashboard open, against a bare fused loop of the same model and thread count.

    python benchmarks/dashboard_throughput.py [--seconds 20] [--rounds 2] [--threads 1 2]

For each torch thread count: the real app (160x48, Textual's headless driver, the real engine thread)
trains for --seconds while the key `c` is pressed every second; chars/s come from the steps counted on
the frames, key latency is the time from the key event to the new clip state painted on the status
line. The bare loop (benchmarks/train_throughput.py) runs interleaved with the same thread count.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))

from textual import events  # noqa: E402
from train_throughput import bare_loop  # noqa: E402

from rnnscope.config import RunConfig  # noqa: E402
from rnnscope.core.data import bundled_sample_path, load_corpus  # noqa: E402
from rnnscope.core.engine_source import EngineSource  # noqa: E402
from rnnscope.ui.app import make_app  # noqa: E402

SIZE = (160, 48)
WARM_STEPS = 5


async def _until(predicate, timeout: float = 60.0) -> None:
    deadline = time.perf_counter() + timeout
    while not predicate():
        if time.perf_counter() > deadline:
            raise TimeoutError("the dashboard did not get there in time")
        await asyncio.sleep(0.002)


async def dashboard_run(config: RunConfig, corpus, threads: int, seconds: float) -> tuple[float, list[float]]:
    """(chars/s while the dashboard shows training, key-to-status latencies in ms)."""
    with tempfile.TemporaryDirectory() as run_dir:
        app = make_app(lambda: EngineSource(config, corpus, Path(run_dir), threads=threads))
        async with app.run_test(size=SIZE):
            await _until(lambda: app.latest is not None and app.latest.status.step >= WARM_STEPS)
            start_time, start_step = time.perf_counter(), app.latest.status.step
            latencies = []
            while time.perf_counter() - start_time < seconds:
                clip_before = app.status_bar.shown.clip
                pressed = time.perf_counter()
                app.post_message(events.Key("c", "c"))
                await _until(lambda: app.status_bar.shown.clip != clip_before)
                latencies.append((time.perf_counter() - pressed) * 1000)
                await asyncio.sleep(1.0)
            steps = app.latest.status.step - start_step
            elapsed = time.perf_counter() - start_time
            app.exit()
    return steps * config.batch * config.seq_len / elapsed, latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    config = RunConfig().validate()
    corpus = load_corpus(bundled_sample_path())
    bare_steps = max(20, int(args.seconds * 20))
    print(f"lstm H={config.hidden} T={config.seq_len} B={config.batch}, dashboard at {SIZE[0]}x{SIZE[1]}, "
          f"{args.rounds} rounds of {args.seconds:g} s, interleaved")
    for threads in args.threads:
        bare, live, keys = [], [], []
        for _ in range(args.rounds):
            torch.set_num_threads(threads)
            bare.append(bare_loop(config, corpus, bare_steps))
            rate, latencies = asyncio.run(dashboard_run(config, corpus, threads, args.seconds))
            live.append(rate)
            keys += latencies
        keys.sort()
        ratio = statistics.median(live) / statistics.median(bare)
        p95 = keys[min(len(keys) - 1, round(0.95 * (len(keys) - 1)))]
        print(f"threads {threads}: bare {statistics.median(bare):9,.0f} chars/s   dashboard "
              f"{statistics.median(live):9,.0f} chars/s   ratio {ratio:.3f}   key->status median "
              f"{statistics.median(keys):5.1f} ms, p95 {p95:5.1f} ms, max {keys[-1]:5.1f} ms ({len(keys)} presses)")


if __name__ == "__main__":
    main()
