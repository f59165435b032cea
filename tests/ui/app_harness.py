"""Test helpers: start the app on a FakeSource and wait for what the source thread sends back."""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator, Callable

from textual.pilot import Pilot

from rnnscope.ui.app import RnnscopeApp, make_app
from rnnscope.ui.status_bar import StatusBar
from tests.ui.fake_source import FakeSource

WAIT_S = 5.0  # generous: two shared CPU cores


async def wait_until(pilot: Pilot, condition: Callable[[], bool], what: str = "condition") -> None:
    """Let the app run until `condition()` holds (the source answers on its own thread)."""
    deadline = time.monotonic() + WAIT_S
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.02)
    await pilot.pause()


def status_text(app: RnnscopeApp) -> str:
    return app.query_one(StatusBar).render().plain


def notifications(app: RnnscopeApp, severity: str | None = None) -> list[str]:
    """The messages of the notifications (toasts) the app currently shows."""
    return [n.message for n in app._notifications if severity in (None, n.severity)]


@contextlib.asynccontextmanager
async def running_app(source: FakeSource, size: tuple[int, int] = (160, 48)) -> AsyncIterator[tuple[RnnscopeApp, Pilot]]:
    """The app on `source`, after its first frame is painted."""
    app = make_app(lambda: source, run_label="test")
    async with app.run_test(size=size) as pilot:
        await wait_until(pilot, lambda: "step" in status_text(app), "the first frame")
        yield app, pilot


async def after_command(pilot: Pilot, source: FakeSource, key: str) -> None:
    """Press `key` and wait until the source has answered with a new frame that the app painted."""
    app = pilot.app
    published = source.published
    await pilot.press(key)
    await wait_until(pilot, lambda: source.published > published and caught_up(app), f"the reply to {key} on screen")


def caught_up(app: RnnscopeApp) -> bool:
    """Every update the link handed over has been applied and painted."""
    return app.stores[""].seq == app.client.delivered and app.painted[0] is app.latest
