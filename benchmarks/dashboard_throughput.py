"""Training with the live dashboard open, against a bare fused loop of the same model and thread count.

    python benchmarks/dashboard_throughput.py [--seconds 10] [--rounds 4] [--threads 1 2]

For each torch thread count, one session of the real app (160x48, Textual's headless driver, the real
engine in its own process as `rnnscope` runs it, or with --in-thread in a thread) alternates: the engine
paused while the bare fused loop (benchmarks/train_throughput.py) runs with the same thread count,
then the engine training for --seconds while the key
`c` is pressed every second. Dashboard chars/s come from the steps counted on the frames; key latency is the time from
the key event to the engine's new clip state on the status line. While training it also counts the
dashboard process's CPU seconds per second (this process minus the bare loop, which is not running then),
the bytes per update that came over the pipe (with and without a new probe) and the panel builds per update.
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
from percentile import p95
from textual import events
from train_throughput import bare_loop

from rnnscope.contracts.config import RunConfig
from rnnscope.contracts.frames import PAUSED, RUNNING
from rnnscope.runner.engine_source import EngineSource
from rnnscope.runner.tui import engine_client
from rnnscope.storage.corpus_file import bundled_sample_path
from rnnscope.training.data import load_corpus
from rnnscope.ui.app import make_app


async def measure(config: RunConfig, corpus, threads: int, seconds: float, rounds: int, in_thread: bool) -> dict:
    """In one dashboard session, alternate: engine paused + bare loop, then engine running + keys."""
    bare_steps = max(20, int(seconds * 15))
    result: dict = {"bare": [], "dashboard": [], "keys": [], "cpu": [], "updates": 0, "builds": 0}
    config = config.with_(threads=threads)
    with tempfile.TemporaryDirectory() as run_dir:
        if in_thread:
            app = make_app(lambda: EngineSource(config, corpus.path, Path(run_dir), threads=threads))
        else:
            app = make_app(engine_client(config, corpus, Path(run_dir)).start())
        async with app.run_test(size=SIZE):
            await until(lambda: app.latest is not None and app.latest.status.step >= WARM_STEPS)
            for _ in range(rounds):
                await _set_state(app, PAUSED)
                result["bare"].append(await asyncio.to_thread(bare_loop, config, corpus, bare_steps))
                await _set_state(app, RUNNING)
                start_time, start_step, start_cpu = time.perf_counter(), app.latest.status.step, time.process_time()
                start_updates, start_builds = app.stores[""].seq, _builds(app)
                while time.perf_counter() - start_time < seconds:
                    result["keys"].append(await _key_latency(app))
                    await asyncio.sleep(1.0)
                steps = app.latest.status.step - start_step
                elapsed = time.perf_counter() - start_time
                result["dashboard"].append(steps * config.batch * config.seq_len / elapsed)
                result["cpu"].append((time.process_time() - start_cpu) / elapsed)
                result["updates"] += app.stores[""].seq - start_updates
                result["builds"] += _builds(app) - start_builds
            result["traffic"] = getattr(app.client, "traffic", None)
            app.exit()
        if not in_thread:
            app.client.finish()  # the engine has ended (its last heartbeat written) before its folder goes
    return result


def _builds(app) -> int:
    return sum(panel.builds for panel in app.dashboard.panels)


async def _set_state(app, state: str) -> None:
    if app.status_bar.shown.state != state:
        app.post_message(events.Key("space", " "))
        await until(lambda: app.status_bar.shown.state == state)


async def _key_latency(app) -> float:
    """ms from the key `c` (clip on/off) to the engine's answer on the status line."""
    clip_before = app.status_bar.shown.config.clip
    pressed = time.perf_counter()
    app.post_message(events.Key("c", "c"))
    await until(lambda: app.status_bar.shown.config.clip != clip_before)
    return (time.perf_counter() - pressed) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--in-thread", action="store_true",
                        help="run the engine in a thread of the dashboard's process instead of its own process")
    args = parser.parse_args()
    config = RunConfig().validate()
    corpus = load_corpus(bundled_sample_path())
    print(f"lstm H={config.hidden} T={config.seq_len} B={config.batch}, dashboard at {SIZE[0]}x{SIZE[1]}, "
          f"{args.rounds} rounds of {args.seconds:g} s each, bare loop and dashboard alternating in one session, "
          f"engine in {'a thread' if args.in_thread else 'its own process'}")
    for threads in args.threads:
        torch.set_num_threads(threads)
        result = asyncio.run(measure(config, corpus, threads, args.seconds, args.rounds, args.in_thread))
        bare, live, keys = (statistics.median(result["bare"]), statistics.median(result["dashboard"]),
                            sorted(result["keys"]))
        print(f"threads {threads}: bare {bare:9,.0f} chars/s   dashboard {live:9,.0f} chars/s   "
              f"ratio {live / bare:.3f}   key->status median {statistics.median(keys):5.1f} ms, "
              f"p95 {p95(keys):5.1f} ms, max {keys[-1]:5.1f} ms ({len(keys)} presses)")
        print(f"  rounds: bare {', '.join(f'{v:,.0f}' for v in result['bare'])}; "
              f"dashboard {', '.join(f'{v:,.0f}' for v in result['dashboard'])}")
        print(f"  dashboard process while training (keys included): "
              f"{', '.join(f'{v:.3f}' for v in result['cpu'])} CPU-s/s; "
              f"panel builds per update {result['builds'] / max(result['updates'], 1):.2f} "
              f"({result['updates']} updates)")
        traffic = result.get("traffic")
        if traffic is not None and traffic.updates:
            plain = traffic.updates - traffic.probe_updates
            print(f"  pipe: {traffic.updates} updates, {traffic.bytes / traffic.updates / 1000:.1f} KB mean; "
                  f"without a new probe {(traffic.bytes - traffic.probe_bytes) / max(plain, 1) / 1000:.1f} KB "
                  f"({plain}), with one {traffic.probe_bytes / max(traffic.probe_updates, 1) / 1000:.1f} KB "
                  f"({traffic.probe_updates})")


if __name__ == "__main__":
    main()
