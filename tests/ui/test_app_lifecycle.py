"""Start-up, quitting and a failing source."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
from textual.command import CommandList

from rnnscope.contracts import commands
from rnnscope.contracts.config import ConfigError
from rnnscope.ui.app import make_app
from rnnscope.ui.source_link import SourceLink
from tests.ui.app_harness import after_command, running_app, status_text, wait_until
from tests.ui.fake_source import FakeSource


async def test_first_paint_says_loading_while_the_source_is_still_being_built():
    release = threading.Event()
    source = FakeSource()

    def slow_factory() -> FakeSource:  # like the CLI's factory importing torch
        release.wait(10)
        return source

    app = make_app(slow_factory, start_paused=True)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        assert status_text(app) == "loading… (starts paused)"
        release.set()
        await wait_until(pilot, lambda: "step 100" in status_text(app), "the first frame")


async def test_quit_stops_the_source_within_a_second():
    source = FakeSource(paused=False)
    async with running_app(source) as (app, pilot):
        await pilot.press("q")
        started = time.monotonic()
        assert source.finished.wait(1.0)
        assert time.monotonic() - started < 1.0
        assert app.return_code == 0


async def test_a_source_that_cannot_start_ends_the_app_with_its_reason():
    def broken_factory():
        raise ConfigError("corpus.txt is empty: give a text file with at least 65 characters")

    app = make_app(broken_factory)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(pilot, lambda: app.return_code is not None, "the app to exit")
    assert app.return_code == 1


class UnstartableClient:
    """A client whose process cannot be made (the OS refused the spawn)."""

    def __init__(self) -> None:
        self.stopped = False

    def start(self):
        raise OSError(12, "Cannot allocate memory")

    def connect(self, deliver, fail) -> None:
        raise AssertionError("never connected: it never started")

    def send(self, command) -> None:
        pass

    def stop(self) -> None:
        self.stopped = True


async def test_an_engine_that_cannot_be_spawned_ends_the_app_with_one_line_and_exit_1(capsys):
    client = UnstartableClient()
    app = make_app(client)
    async with app.run_test(size=(160, 48)):
        for _ in range(250):
            if app.return_code is not None:
                break
            await asyncio.sleep(0.02)
    assert app.return_code == 1 and client.stopped
    printed = capsys.readouterr()
    said = " ".join((printed.out + printed.err).split())  # as printed when the terminal is back (wrapped)
    assert said == "rnnscope: cannot start the training process: OSError: [Errno 12] Cannot allocate memory"


async def test_a_run_is_not_started_once_the_app_is_quitting():
    source = FakeSource()
    app = make_app(lambda: source, start_paused=True)
    starts = []
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(pilot, lambda: app.painted[0] is not None, "the first frame")
        app.client.start = lambda: starts.append(1)
        app.exit(0)  # q pressed before start_run ran
        await app.start_run()
    assert starts == []


def test_the_failure_reason_is_the_error_message_not_a_traceback():
    def broken_factory():
        raise ConfigError("corpus.txt is empty")

    reasons: list[str] = []
    loop = asyncio.new_event_loop()
    SourceLink(broken_factory).run(loop, lambda updates: None, reasons.append)
    loop.run_until_complete(asyncio.sleep(0))  # the failure is handed to the loop
    loop.close()
    assert reasons == ["corpus.txt is empty"]


@pytest.mark.slow
async def test_every_action_is_in_the_command_palette():
    source = FakeSource()
    async with running_app(source) as (app, pilot):
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"clipping on")
        command_list = app.screen.query_one(CommandList)
        await wait_until(pilot, lambda: command_list.option_count > 0, "the palette's hits")
        assert "Gradient clipping on / off" in str(command_list.get_option_at_index(0).prompt)
        await pilot.press("enter")
        await wait_until(pilot, lambda: source.received == [commands.ToggleClip()], "the palette's command")
        await after_command(pilot, source, "c")
        assert "clip 1" in status_text(app)
