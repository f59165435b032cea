"""Memory over a long run of the dashboard's engine loop: resident set size should stay flat.

    python benchmarks/memory_soak.py [--steps 20000] [--hidden 32]

Runs EngineSource (training, probes, samples, frames) with a small model so that many steps fit in
a few minutes, keeps only the newest frame (as the dashboard does) and prints RSS every tenth of the run.
"""

from __future__ import annotations

import argparse
import queue
import resource
import time
from pathlib import Path

from rnnscope.contracts.commands import Quit
from rnnscope.contracts.config import RunConfig
from rnnscope.runner.engine_source import EngineSource
from rnnscope.storage.corpus_file import bundled_sample_path


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20_000)
    parser.add_argument("--hidden", type=int, default=32)
    args = parser.parse_args()
    config = RunConfig(hidden=args.hidden, seq_len=32, batch=8).validate()
    source = EngineSource(config, bundled_sample_path(), Path("/nonexistent"), threads=1)
    inbox: queue.Queue = queue.Queue()
    latest = {}
    marks = [args.steps * k // 10 for k in range(1, 11)]
    started = time.perf_counter()

    def publish(parts) -> None:
        latest["parts"] = parts  # newest replaces older, as in the dashboard
        step = parts["status"].step
        while marks and step >= marks[0]:
            print(f"step {step:7d}  rss {rss_mb():7.1f} MB  loss rows {len(parts['loss_history'])}  "
                  f"events {len(parts['events'])}  {time.perf_counter() - started:6.1f} s", flush=True)
            marks.pop(0)
        if not marks:
            inbox.put(Quit())

    source.run(publish, inbox)


if __name__ == "__main__":
    main()
