"""Prints the dashboard's render time per panel at 160x48, the time from a key press to the status change, and
(with tmux installed) the real app's first paint and its CPU use while training, measured from outside.

    python benchmarks/ui_latency.py [--tmux-runs 5] [--cpu-seconds 20]

First paint: the time from starting `rnnscope` in a 160x48 tmux window until "loading…" is on its screen (median of
--tmux-runs, each after the last run's processes have ended), interleaved with the same for a bare Textual app that
shows one line (the floor any Textual app has on this machine: Python's start, Textual's import, its first frame).
rnnscope's modules are byte-compiled first, as an install compiles them and as Textual's already are (with
PYTHONDONTWRITEBYTECODE set, as on the development machine, every start would compile ~50 of them again: ~20 ms
that no installed copy pays). CPU: utime+stime of the dashboard's process (and, apart, the engine's) from /proc
over --cpu-seconds of training. The same runs also time the first frame: the engine process started after the first
paint, torch imported, the model built and probed, its picture on the screen.
"""

from __future__ import annotations

import argparse
import asyncio
import compileall
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tests.* (the fake source) from a checkout

from app_session import SIZE  # noqa: E402
from percentile import p95  # noqa: E402
from textual import events  # noqa: E402

from rnnscope.ui.app import make_app  # noqa: E402
from rnnscope.ui.panels import FramePanel  # noqa: E402
from tests.fake_frames import make_frame  # noqa: E402
from tests.ui.app_harness import wait_until  # noqa: E402
from tests.ui.fake_source import FakeSource  # noqa: E402

FRAMES = 30  # distinct frames rendered per panel
KEY_PRESSES = 30
SOURCE_SIZES = {"T": 64, "H": 128, "V": 65}  # the real defaults: --seq-len 64, --hidden 128, a Shakespeare-sized vocab


def summary(samples_ms: list[float]) -> str:
    return f"median {statistics.median(samples_ms):7.2f} ms   p95 {p95(samples_ms):7.2f} ms"


def render_panel(panel: FramePanel) -> None:
    """Everything the panel draws for its current size (what the compositor asks for on a repaint)."""
    for y in range(panel.size.height):
        panel.render_line(y)


async def measure_panels(app, pilot) -> None:
    frames = [make_frame(model="lstm", step=100 + i, seed=i, **SOURCE_SIZES) for i in range(FRAMES)]
    panels = list(app.query(FramePanel))
    per_panel: dict[str, list[float]] = {panel.title: [] for panel in panels}
    totals: list[float] = []
    for frame in frames:
        total = 0.0
        for panel in panels:
            started = time.perf_counter()
            panel.show(frame, app.view)
            render_panel(panel)
            elapsed = (time.perf_counter() - started) * 1000
            per_panel[panel.title].append(elapsed)
            total += elapsed
        totals.append(total)
    print(f"render at {SIZE[0]}x{SIZE[1]}, lstm T={SOURCE_SIZES['T']} H={SOURCE_SIZES['H']}, {FRAMES} frames:")
    for title, samples in per_panel.items():
        print(f"  {title:<24} {summary(samples)}")
    print(f"  {'all panels (one frame)':<24} {summary(totals)}")
    await pilot.pause()


async def measure_keys(app, source: FakeSource) -> None:
    """Post the key c (clip on/off) as the terminal driver would; time until the answer is on the status line.

    Pilot.press is not used: it waits for the whole app to go idle (~140 ms) and would measure itself.
    """
    samples: list[float] = []
    for _ in range(KEY_PRESSES):
        clip_before = app.status_bar.shown.config.clip
        started = time.perf_counter()
        app.post_message(events.Key("c", "c"))
        while app.status_bar.shown.config.clip == clip_before:
            await asyncio.sleep(0.001)
        samples.append((time.perf_counter() - started) * 1000)
        await asyncio.sleep(0.15)  # let the next press find an idle app, like a person typing
    print(f"key c -> new clip state on the status line (fake source, {KEY_PRESSES} presses): {summary(samples)}")
    print("  (includes the fake source building a frame, ~8 ms at these sizes)")


async def in_process() -> None:
    source = FakeSource(**SOURCE_SIZES)
    app = make_app(lambda: source, run_label="benchmark")
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.painted[0] is not None, "the first frame")
        await measure_panels(app, pilot)
        await measure_keys(app, source)


RNNSCOPE = [sys.executable, "-m", "rnnscope"]
SESSION = "rnnscope-bench"


def _tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True, check=False).stdout


BARE_TEXTUAL = ("from textual.app import App\nfrom textual.widgets import Static\n"
                "class Bare(App):\n    def compose(self):\n        yield Static('loading…')\nBare().run()")


def _start_in_tmux(command: list[str]) -> float:
    """Start `command` in a fresh 160x48 tmux session; the time it was started."""
    _tmux("kill-session", "-t", SESSION)
    started = time.perf_counter()
    _tmux("new-session", "-d", "-s", SESSION, "-x", str(SIZE[0]), "-y", str(SIZE[1]), "-c", str(ROOT),
          "exec " + " ".join(shlex.quote(part) for part in command))
    return started


def _rnnscope(*options: str) -> list[str]:
    return [*RNNSCOPE, *options, "--run-dir", "/tmp/rnnscope-bench-runs"]


def _wait_for_screen(text: str, timeout: float = 60.0) -> float:
    deadline = time.perf_counter() + timeout
    while text not in _tmux("capture-pane", "-p", "-t", SESSION):
        if time.perf_counter() > deadline:
            raise TimeoutError(f"{text!r} did not appear")
        time.sleep(0.005)
    return time.perf_counter()


def _end_session() -> None:
    """Kill the tmux session and wait until its processes are gone: an engine still importing torch would
    take a core from the next run."""
    pane = _tmux("display-message", "-p", "-t", SESSION, "#{pane_pid}").strip()
    family = [pane] if pane else []
    for parent in family:
        family += subprocess.run(["pgrep", "-P", parent], capture_output=True, text=True).stdout.split()
    _tmux("kill-session", "-t", SESSION)
    deadline = time.perf_counter() + 30
    while any(os.path.exists(f"/proc/{pid}") and _running(pid) for pid in family) and time.perf_counter() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)


def _running(pid: str) -> bool:
    try:
        return open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def first_paint(runs: int) -> None:
    compileall.compile_dir(str(ROOT / "rnnscope"), quiet=1)  # as `pip install` does; Textual's are compiled too
    samples, bare, cpu, first_frame = [], [], [], []
    for _ in range(runs):
        started = _start_in_tmux(_rnnscope("--paused"))
        samples.append((_wait_for_screen("loading…") - started) * 1000)
        pid = int(_tmux("display-message", "-p", "-t", SESSION, "#{pane_pid}").strip())
        cpu.append(_cpu_seconds(pid) * 1000)  # CPU it took (apart from waiting for a core on a busy machine)
        first_frame.append((_wait_for_screen("PAUSED") - started) * 1000)  # the engine's first picture
        _end_session()
        started = _start_in_tmux([sys.executable, "-c", BARE_TEXTUAL])
        bare.append((_wait_for_screen("loading…") - started) * 1000)
        _end_session()
    print(f"first paint in tmux at {SIZE[0]}x{SIZE[1]} ('loading…' on screen, {runs} runs): "
          f"median {statistics.median(samples):.0f} ms  ({', '.join(f'{v:.0f}' for v in samples)}); "
          f"CPU of the dashboard process by then: median {statistics.median(cpu):.0f} ms")
    print(f"  a bare one-line Textual app, interleaved: median {statistics.median(bare):.0f} ms  "
          f"({', '.join(f'{v:.0f}' for v in bare)}); rnnscope / bare "
          f"{statistics.median(samples) / statistics.median(bare):.2f}")
    print(f"  the first frame (the engine's first picture, PAUSED on the status line): median "
          f"{statistics.median(first_frame):.0f} ms  ({', '.join(f'{v:.0f}' for v in first_frame)})")


def _cpu_seconds(pid: int) -> float:
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def dashboard_cpu(seconds: float) -> None:
    _start_in_tmux(_rnnscope())
    _wait_for_screen("RUNNING")
    time.sleep(3.0)  # past the start-up work
    dashboard = int(_tmux("display-message", "-p", "-t", SESSION, "#{pane_pid}").strip())
    engine = int(subprocess.run(["pgrep", "-P", str(dashboard)], capture_output=True, text=True).stdout.split()[-1])
    before, engine_before, started = _cpu_seconds(dashboard), _cpu_seconds(engine), time.perf_counter()
    time.sleep(seconds)
    elapsed = time.perf_counter() - started
    used, engine_used = _cpu_seconds(dashboard) - before, _cpu_seconds(engine) - engine_before
    _tmux("send-keys", "-t", SESSION, "q")
    time.sleep(1.0)
    _tmux("kill-session", "-t", SESSION)
    print(f"real app in tmux at {SIZE[0]}x{SIZE[1]}, training (default lstm), {elapsed:.0f} s: dashboard process "
          f"{used / elapsed:.3f} CPU-s/s, engine process {engine_used / elapsed:.2f} CPU-s/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tmux-runs", type=int, default=5)
    parser.add_argument("--cpu-seconds", type=float, default=20.0)
    args = parser.parse_args()
    asyncio.run(in_process())
    if shutil.which("tmux") is None:
        print("tmux not found: first paint and CPU use not measured")
        return
    first_paint(args.tmux_runs)
    dashboard_cpu(args.cpu_seconds)


if __name__ == "__main__":
    main()
