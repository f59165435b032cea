"""Every lesson headless for each seed: a table of lesson, seed, holds, the check's key numbers and seconds.

    python benchmarks/lessons.py [--lessons vanishing,clipping] [--seeds 0,1,2] [--threads N] [--jobs 1]

Each row is one `rnnscope --lesson NAME --headless --seed S` process (its own run folder under a temp
folder); seconds are its wall time, start-up and export included. --threads is passed on (default: the
CLI's own, half the cores); --jobs runs that many processes at once (their seconds then share the cores).
Prints each row as it finishes, then the whole table; exit 0 when every claim held.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from rnnscope.lessons import lesson_names

KEY_NUMBERS = 4  # numbers of the check shown per row


def run_one(name: str, seed: int, threads: int | None, folder: Path) -> dict:
    command = [sys.executable, "-m", "rnnscope", "--lesson", name, "--headless", "--seed", str(seed),
               "--run-dir", str(folder / f"{name}-{seed}")]
    if threads:
        command += ["--threads", str(threads)]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    lines = done.stdout.strip().splitlines()
    if not lines:
        return {"lesson": name, "seed": seed, "holds": None, "steps": None, "seconds": seconds,
                "line": f"no result (exit {done.returncode}): {done.stderr.strip()[-200:]}"}
    out = json.loads(lines[-1])
    return {"lesson": name, "seed": seed, "holds": out["holds"], "steps": out["steps"], "seconds": seconds,
            "line": out["line"], "numbers": out["numbers"]}


def _numbers(row: dict) -> str:
    shown = []
    for key, value in list(row.get("numbers", {}).items())[:KEY_NUMBERS]:
        if isinstance(value, float):
            value = f"{value:.3g}"
        elif isinstance(value, (list, dict)):
            continue
        shown.append(f"{key}={value}")
    return " ".join(shown)


def format_row(row: dict) -> str:
    holds = {True: "yes", False: "NO", None: "ERROR"}[row["holds"]]
    return (f"{row['lesson']:<14} {row['seed']:>4} {holds:>5} {row['steps'] if row['steps'] is not None else '-':>6} "
            f"{row['seconds']:>7.1f}  {_numbers(row)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lessons", default=",".join(lesson_names()))
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--jobs", type=int, default=1)
    args = parser.parse_args()
    names = [name for name in args.lessons.split(",") if name]
    seeds = [int(seed) for seed in args.seeds.split(",")]
    header = f"{'lesson':<14} {'seed':>4} {'holds':>5} {'steps':>6} {'seconds':>7}  key numbers"
    print(header, flush=True)
    folder = Path(tempfile.mkdtemp(prefix="rnnscope-lessons-"))
    jobs = [(name, seed) for name in names for seed in seeds]
    rows = []
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        for row in pool.map(lambda job: run_one(*job, args.threads, folder), jobs):
            rows.append(row)
            print(format_row(row), flush=True)
    print("\n" + header)
    for row in rows:
        print(format_row(row))
        print(f"{'':<14}      {row['line']}")
    held = sum(1 for row in rows if row["holds"])
    print(f"\n{held} of {len(rows)} held; slowest {max(row['seconds'] for row in rows):.1f} s")
    return 0 if held == len(rows) else 1


if __name__ == "__main__":
    sys.exit(main())
