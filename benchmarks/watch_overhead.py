"""Scope's cost: the word-LM example's loop watched (default budget) vs unwatched, interleaved; and --attach's latency
from a frame written to the frame on screen.

    python benchmarks/watch_overhead.py [--rounds 7] [--steps 200] [--threads 1] [--frames 10]

torch runs --threads intra-op threads (1 by default: with 2 on a 2-core machine this loop's own round-to-round
spread, +-10%, hides a 2% effect); the scope's own measure of its share is printed beside the ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.app_session import SIZE, until  # noqa: E402


def load_example():
    spec = importlib.util.spec_from_file_location("watch_word_lm", ROOT / "examples" / "watch_word_lm.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def loop_ratio(rounds: int, steps: int, threads: int) -> None:
    """Seconds of the training loop alone (the example times it), the order alternating each round."""
    import torch

    torch.set_num_threads(threads)
    example = load_example()
    plain, watched, shares = [], [], []
    with tempfile.TemporaryDirectory() as folder:
        for round_ in range(rounds):
            runs = [("plain", ["--no-scope"]), ("watched", ["--run-dir", f"{folder}/r{round_}"])]
            for name, extra in runs if round_ % 2 == 0 else runs[::-1]:
                result = example.main(["--steps", str(steps), *extra])
                seconds = result["seconds"]
                (plain if name == "plain" else watched).append(seconds)
                if name == "watched":
                    shares.append(result["side_share"])
                print(f"round {round_ + 1} {name:8s} {seconds:6.2f} s", flush=True)
    ratios = [p / w for p, w in zip(plain, watched)]
    print(f"watched / unwatched throughput: median {statistics.median(ratios):.3f}x "
          f"(rounds {', '.join(f'{r:.3f}' for r in ratios)}); {steps} steps, 20,000 words (5,270 in the vocabulary), "
          f"emsize 64, nhid 128, 2 layers, {threads} thread(s), "
          f"bptt 35, batch 20, budget 0.02; the scope's own measure of its share: "
          f"{', '.join(f'{x:.2%}' for x in shares)}")


async def attach_latency(frames: int) -> None:
    """A Scope writes a frame every 0.5 s; each one's time from append to the dashboard holding it."""
    import torch
    from torch import nn

    from rnnscope import Scope
    from rnnscope.ui.app import make_app
    from rnnscope.watch.attach import AttachSource

    with tempfile.TemporaryDirectory() as folder:
        torch.manual_seed(0)
        rnn = nn.LSTM(64, 128, num_layers=2, batch_first=True)
        scope = Scope(rnn, folder, probe=torch.randn(1, 35, 64), every=1)
        app = make_app(lambda: AttachSource(Path(folder)), steering=False)
        latencies = []
        async with app.run_test(size=SIZE):
            for step in range(frames):
                scope.step(step)
                written = time.perf_counter()
                await until(lambda step=step: app.latest is not None and app.latest.probe is not None
                            and app.latest.probe.step == step and app.painted[0] is app.latest)
                latencies.append((time.perf_counter() - written) * 1000)
                await asyncio.sleep(0.5)
        scope.close()
    latencies.sort()
    print(f"attach latency, frame written -> on screen: median {statistics.median(latencies):.0f} ms, "
          f"max {latencies[-1]:.0f} ms over {frames} frames (index polled every 0.25 s)")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=7)
    p.add_argument("--steps", type=int, default=200)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--frames", type=int, default=10)
    args = p.parse_args()
    loop_ratio(args.rounds, args.steps, args.threads)
    asyncio.run(attach_latency(args.frames))


if __name__ == "__main__":
    main()
