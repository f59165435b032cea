"""Test helpers for the compare screen: the app on two FakeSources (A and B), waits on what they send back."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from textual.pilot import Pilot

from rnnscope.ui.compare.app import CompareApp
from rnnscope.ui.compare.side_status import SideStatus
from rnnscope.ui.source_link import SourceLink
from tests.ui.app_harness import wait_until
from tests.ui.fake_source import FakeSource


def compare_app(source_a: FakeSource, source_b: FakeSource, differs: str = "B: model gru") -> CompareApp:
    return CompareApp({"a": SourceLink(lambda: source_a), "b": SourceLink(lambda: source_b)}, differs=differs,
                      run_label="test")


def side_text(app: CompareApp, side: str) -> str:
    return app.query_one(f"#status-{side}", SideStatus).render().plain


def caught_up(app: CompareApp) -> bool:
    """Every update either link handed over has been applied and painted."""
    return (all(app.stores[s].seq == app.clients[s].delivered for s in app.clients)
            and app.painted[0] == tuple(app.frames[s] for s in ("a", "b")))


@contextlib.asynccontextmanager
async def running_compare(source_a: FakeSource, source_b: FakeSource, size: tuple[int, int] = (160, 48),
                          ) -> AsyncIterator[tuple[CompareApp, Pilot]]:
    """The compare app after both runs' first frames are painted."""
    app = compare_app(source_a, source_b)
    async with app.run_test(size=size) as pilot:
        await wait_until(pilot, lambda: all(app.frames.values()) and caught_up(app), "both first frames")
        yield app, pilot


async def after_keys(pilot: Pilot, sources: list[FakeSource], key: str) -> None:
    """Press `key` and wait until each of `sources` has answered and the app painted it."""
    before = [source.published for source in sources]
    await pilot.press(key)
    await wait_until(pilot, lambda: all(s.published > n for s, n in zip(sources, before)) and caught_up(pilot.app),
                     f"the reply to {key}")
