"""Prints the dashboard's render time per panel at 160x48 and the time from a key press to the status change."""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests.* (the fake source) from a checkout

from percentile import p95  # noqa: E402
from textual import events  # noqa: E402

from rnnscope.ui.app import make_app  # noqa: E402
from rnnscope.ui.panels import FramePanel  # noqa: E402
from tests.fake_frames import make_frame  # noqa: E402
from tests.ui.app_harness import wait_until  # noqa: E402
from tests.ui.fake_source import FakeSource  # noqa: E402

SIZE = (160, 48)
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
        published = source.published
        started = time.perf_counter()
        app.post_message(events.Key("c", "c"))
        while app.painted[0] is None or app.painted[0].seq <= published:
            await asyncio.sleep(0.001)
        samples.append((time.perf_counter() - started) * 1000)
        await asyncio.sleep(0.15)  # let the next press find an idle app, like a person typing
    print(f"key c -> new clip state on the status line (fake source, {KEY_PRESSES} presses): {summary(samples)}")
    print("  (includes the fake source building a frame, ~8 ms at these sizes)")


async def main() -> None:
    source = FakeSource(**SOURCE_SIZES)
    app = make_app(lambda: source, run_label="benchmark")
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.painted[0] is not None, "the first frame")
        await measure_panels(app, pilot)
        await measure_keys(app, source)


if __name__ == "__main__":
    asyncio.run(main())
