"""Stopping never waits forever: a stopped (SIGSTOP) engine is continued and quits, one that will not quit is ended
(SIGTERM, then SIGKILL), Ctrl-C while waiting ends it at once; the compare screen's clients likewise."""

from __future__ import annotations

import asyncio
import os
import signal
import time

import pytest

from rnnscope.runner import engine_client as client_module
from tests.runner.test_engine_process import _client, _collect


def _state(pid: int) -> str:
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().rsplit(")", 1)[1].split()[0]


def _started(client):
    asyncio.run(_collect(client, lambda f: f is not None and f.probe is not None))
    return client


@pytest.mark.slow
def test_a_stopped_engine_is_continued_and_quits(tmp_path):
    client = _started(_client(tmp_path))
    os.kill(client.process.pid, signal.SIGSTOP)
    time.sleep(0.2)
    assert _state(client.process.pid) == "T"
    said, began = [], time.monotonic()
    assert client.finish(said.append)
    assert not client.process.is_alive() and time.monotonic() - began < client_module.STOP_WAIT_S


def _never_quits(*_args) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        time.sleep(1)


def _stuck_client(tmp_path, monkeypatch):
    monkeypatch.setattr(client_module, "child_main", _never_quits)
    client = _client(tmp_path)  # started with the stand-in: it ignores Quit, SIGTERM and Ctrl-C
    time.sleep(0.5)
    return client


@pytest.mark.slow
def test_an_engine_that_will_not_quit_is_ended_in_bounded_time(tmp_path, monkeypatch):
    monkeypatch.setattr(client_module, "STOP_WAIT_S", 1.0)
    client = _stuck_client(tmp_path, monkeypatch)
    os.kill(client.process.pid, signal.SIGSTOP)  # stopped and stubborn: only SIGKILL ends it
    said, began = [], time.monotonic()
    assert client.finish(said.append) is False
    took = time.monotonic() - began
    assert not client.process.is_alive() and took < 1 + 1 + 2 * client_module.END_WAIT_S + 1, took
    assert said[-1].startswith("rnnscope: abandoned") and len(said) == 3


@pytest.mark.slow
def test_ctrl_c_while_waiting_ends_the_engine_the_first_time(tmp_path, monkeypatch):
    client = _stuck_client(tmp_path, monkeypatch)
    real_join = client.process.join
    calls = []

    def interrupted_join(timeout=None):
        calls.append(timeout)
        if len(calls) == 2:  # the wait after "waiting for the training process to stop…": Ctrl-C
            raise KeyboardInterrupt
        return real_join(timeout)

    monkeypatch.setattr(client.process, "join", interrupted_join)
    said, began = [], time.monotonic()
    assert client.finish(said.append) is False
    assert not client.process.is_alive() and time.monotonic() - began < 1 + 2 * client_module.END_WAIT_S + 1
    assert all(timeout is not None for timeout in calls)  # no wait without a limit


class _Broken:
    def run(self, publish, inbox) -> None:
        raise RuntimeError("training stopped: MemoryError")


async def test_the_first_message_when_one_compare_engine_dies_names_the_run(capsys):
    from rnnscope.ui.compare.app import CompareApp
    from rnnscope.ui.source_link import SourceLink
    from tests.ui.fake_source import FakeSource

    app = CompareApp({"a": SourceLink(lambda: FakeSource()), "b": SourceLink(lambda: _Broken())},
                     differs="B: clip off", run_label="test")
    async with app.run_test(size=(160, 48)) as pilot:
        for _ in range(200):
            if app.return_code is not None:
                break
            await pilot.pause(0.02)
    captured = capsys.readouterr()
    said = (captured.out + captured.err).strip().splitlines()
    assert app.return_code == 1 and said[-1].startswith("rnnscope: run B: training stopped"), said


def test_ctrl_c_quits_the_dashboard_the_first_time():
    from rnnscope.ui.keymap import bindings

    assert any("ctrl+c" in b.key.split(",") and b.action == "quit" for b in bindings())
