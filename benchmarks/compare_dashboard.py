"""The compare dashboard's combined training throughput against two bare loops of the same models, interleaved.

    python benchmarks/compare_dashboard.py [--seconds 10] [--rounds 3] [--threads 1] [--compare model=rnn-tanh]

One session of the real compare app (160x48, Textual's headless driver, A and B in their own engine processes
in lockstep, as `rnnscope --compare` runs them) alternates: both runs paused while the bare fused loops
(benchmarks/train_throughput.py) of A's and then B's model run one after the other in this process with the
same thread count; then both runs training for --seconds. Combined chars/s: the dashboard's from the steps
counted on both runs' frames; the bare loops' as both loops' characters over their summed time. A ratio
above 1 is possible: the two runs train at the same time, on two cores.
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

from app_session import SIZE, WARM_STEPS, until
from textual import events
from train_throughput import bare_loop

from rnnscope.cli_args import build_parser
from rnnscope.compare.options import parse_compare, what_differs
from rnnscope.contracts.config import RunConfig
from rnnscope.contracts.frames import PAUSED, RUNNING
from rnnscope.runner.compare_tui import compare_clients
from rnnscope.runner.prepare import _config
from rnnscope.storage.corpus_file import bundled_sample_path
from rnnscope.training.data import load_corpus
from rnnscope.ui.compare.app import CompareApp


def _steps(app: CompareApp) -> list[int]:
    return [frame.status.step for frame in app.frames.values()]


def _states(app: CompareApp) -> set[str]:
    return {frame.status.state for frame in app.frames.values()}


async def _set_state(app: CompareApp, state: str) -> None:
    if _states(app) != {state}:
        app.post_message(events.Key("space", " "))
        await until(lambda: _states(app) == {state})


def bare_pair(config_a: RunConfig, config_b: RunConfig, corpus, steps: int) -> float:
    """Combined chars/s of A's and then B's bare loop (a run without clipping is given a threshold no
    gradient reaches: the bare loop always clips, so it does slightly more work than B)."""
    seconds = 0.0
    for config in (config_a, config_b.with_(clip=config_b.clip or 1e30)):
        chars = steps * config.batch * config.seq_len
        seconds += chars / bare_loop(config, corpus, steps)
    return 2 * steps * config_a.batch * config_a.seq_len / seconds


async def measure(config_a, config_b, corpus, seconds: float, rounds: int) -> dict:
    result: dict = {"bare": [], "dashboard": [], "leads": []}
    bare_steps = max(20, int(seconds * 10))
    with tempfile.TemporaryDirectory() as run_dir:
        clients = compare_clients(config_a, config_b, corpus, Path(run_dir))
        for client in clients.values():
            client.start()
        app = CompareApp(clients, differs=what_differs(config_a, config_b))
        async with app.run_test(size=SIZE):
            await until(lambda: all(app.frames.values()) and min(_steps(app)) >= WARM_STEPS)
            for _ in range(rounds):
                await _set_state(app, PAUSED)
                result["bare"].append(await asyncio.to_thread(bare_pair, config_a, config_b, corpus, bare_steps))
                await _set_state(app, RUNNING)
                started, start_steps = time.perf_counter(), _steps(app)
                while time.perf_counter() - started < seconds:
                    await asyncio.sleep(0.25)
                    result["leads"].append(abs(_steps(app)[0] - _steps(app)[1]))
                elapsed = time.perf_counter() - started
                steps = sum(now - then for now, then in zip(_steps(app), start_steps))
                result["dashboard"].append(steps * config_a.batch * config_a.seq_len / elapsed)
            app.exit()
        for client in clients.values():
            client.finish()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1, help="torch threads per run")
    parser.add_argument("--compare", default="model=rnn-tanh")
    args = parser.parse_args()
    config_a = RunConfig(threads=args.threads).validate()
    config_b = _config({**config_a.to_dict(), **parse_compare(args.compare, build_parser()).changes}, None)
    corpus = load_corpus(bundled_sample_path())
    torch.set_num_threads(args.threads)
    print(f"compare {args.compare} ({what_differs(config_a, config_b)}), {args.threads} torch thread(s) per run, "
          f"dashboard at {SIZE[0]}x{SIZE[1]}, {args.rounds} rounds of {args.seconds:g} s, interleaved")
    result = asyncio.run(measure(config_a, config_b, corpus, args.seconds, args.rounds))
    bare, live = statistics.median(result["bare"]), statistics.median(result["dashboard"])
    print(f"two bare loops in a row  {bare:10,.0f} chars/s combined  (rounds: "
          f"{', '.join(f'{v:,.0f}' for v in result['bare'])})")
    print(f"compare dashboard        {live:10,.0f} chars/s combined  (rounds: "
          f"{', '.join(f'{v:,.0f}' for v in result['dashboard'])})")
    print(f"ratio                    {live / bare:10.3f}   (target >= 0.85)")
    print(f"step gap between A and B seen on screen: max {max(result['leads'])}, "
          f"median {statistics.median(result['leads'])} (screen updates lag the runs by up to a frame)")


if __name__ == "__main__":
    main()
