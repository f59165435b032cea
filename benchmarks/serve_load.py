"""8 browser viewers on a training run (`--serve` beside `--headless`): the training's chars/s against the same run
with no viewers (runs interleaved: none, viewers, none), and the server's CPU and memory per viewer.

Each viewer speaks textual-serve's protocol as a browser tab does (a socket that takes the dashboard's bytes; no
Chromium: 8 of them would measure the browser, not the server). Per viewer = (server + its dashboards) / 8.

    PYTHONPATH=. python benchmarks/serve_load.py [--viewers 8] [--steps 600]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
TICK = os.sysconf("SC_CLK_TCK")


def _train(steps: int, run_dir: Path, serve: bool) -> subprocess.Popen:
    argv = [sys.executable, "-m", "rnnscope", "--headless", "--steps", str(steps), "--threads", "1",
            "--run-dir", str(run_dir), *(["--serve", "--port", "0"] if serve else [])]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
    return subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def _result(trainer: subprocess.Popen) -> float:
    out = trainer.communicate()[0]
    return json.loads(out.strip().splitlines()[-1])["chars_per_s"]


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
            except (OSError, IndexError):
                continue
    return found


def _usage(pids: list[int], cpu: dict[int, float]) -> float:
    """Record each pid's CPU seconds so far into `cpu` (a pid that ended keeps its last reading); resident MiB."""
    rss = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            status = Path(f"/proc/{pid}/status").read_text()
            cpu[pid] = (int(fields[11]) + int(fields[12])) / TICK
            rss += int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024
        except (OSError, AttributeError):
            continue
    return rss


async def _viewer(url: str, stop: threading.Event, drawn: list[int]) -> None:
    base, token = url.split("/?token=")
    async with aiohttp.ClientSession() as session, session.ws_connect(
            base.replace("http://", "ws://") + f"/ws/{token}?width=160&height=48") as socket:
        await socket.send_json(["resize", {"width": 160, "height": 48}])
        while not stop.is_set():
            try:
                message = await socket.receive(timeout=0.5)
            except asyncio.TimeoutError:
                continue
            if message.type == aiohttp.WSMsgType.BINARY:
                drawn.append(len(message.data))
            elif message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR):
                return


def _viewers(url: str, count: int, stop: threading.Event, drawn: list[int]) -> threading.Thread:
    async def main():
        await asyncio.gather(*(_viewer(url, stop, drawn) for _ in range(count)), return_exceptions=True)

    thread = threading.Thread(target=asyncio.run, args=(main(),), daemon=True)
    thread.start()
    return thread


def watched(steps: int, viewers: int, run_dir: Path) -> dict:
    trainer = _train(steps, run_dir, serve=True)
    line = ""
    while "http" not in line:
        line = trainer.stderr.readline()
        if not line:
            raise SystemExit(f"the server did not start: {trainer.stderr.read()}")
    url = re.search(r"(http://\S+)", line).group(1)
    threading.Thread(target=trainer.stderr.read, daemon=True).start()
    [server] = _children(trainer.pid)
    idle_rss = _usage([server], {})
    stop, drawn = threading.Event(), []
    thread = _viewers(url, viewers, stop, drawn)
    while len(_children(server)) < viewers and trainer.poll() is None:
        time.sleep(0.2)
    time.sleep(3.0)  # the dashboards have started and drawn their first frame
    cpu: dict[int, float] = {}
    _usage([server, *_children(server)], cpu)
    start_cpu, start, rss, end = dict(cpu), time.monotonic(), 0.0, time.monotonic()
    while trainer.poll() is None:
        now = _usage([server, *_children(server)], cpu)
        if trainer.poll() is None:
            rss, end = max(rss, now), time.monotonic()
        time.sleep(0.5)
    stop.set()
    thread.join(5)
    used = sum(cpu[pid] - start_cpu.get(pid, 0.0) for pid in cpu)
    return {"chars_per_s": _result(trainer), "server_idle_rss_mib": round(idle_rss, 1),
            "cpu_per_viewer_percent": round(100 * used / max(end - start, 1e-9) / viewers, 1),
            "rss_per_viewer_mib": round((rss - idle_rss) / viewers, 1), "seconds_measured": round(end - start, 1),
            "bytes_drawn_per_viewer": sum(drawn) // viewers}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--viewers", type=int, default=8)
    parser.add_argument("--steps", type=int, default=600)
    parser.add_argument("--rounds", type=int, default=1, help="watched runs, each between two bare ones")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        bare = [_result(_train(args.steps, Path(folder) / "bare0", serve=False))]
        for round_ in range(args.rounds):  # each watched run against the mean of the bare runs either side
            load = watched(args.steps, args.viewers, Path(folder) / f"watched{round_}")
            bare.append(_result(_train(args.steps, Path(folder) / f"bare{round_ + 1}", serve=False)))
            print(json.dumps({"viewers": args.viewers, "steps": args.steps,
                              "bare_chars_per_s": [round(b) for b in bare[-2:]],
                              "watched_chars_per_s": round(load["chars_per_s"]),
                              "ratio": round(load["chars_per_s"] / (sum(bare[-2:]) / 2), 3),
                              **{k: v for k, v in load.items() if k != "chars_per_s"}}), flush=True)


if __name__ == "__main__":
    main()
