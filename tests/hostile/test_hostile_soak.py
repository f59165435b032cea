"""Soak: 200 random key presses of the public keys with resizes in between, then q: exit 0, nothing left over.

The help screen is opened twice at fixed presses and gets random keys and a resize while open; it is left out of the
random draw because each ? left it open for ~30 presses, and every press over it costs ~10x one on the dashboard."""

from __future__ import annotations

import os
import random
import threading

import pytest

from rnnscope.ui.app import make_app
from rnnscope.ui.help_screen import HelpScreen
from tests.ui.app_harness import status_text, wait_until
from tests.ui.fake_source import FakeSource

PUBLIC_KEYS = ["space", "n", "c", "left_square_bracket", "right_square_bracket", "i", "a", "m", "r", "e", "g", "t",
               "T", "left", "right", "up", "down", "pageup", "pagedown", "u", "l", "z", "1", "2", "3", "4", "5",
               "tab", "escape"]
HELP_OPEN = (45, 145)  # ? at these presses; a resize (every 10th press) falls while it is open
HELP_CLOSE = {55: "question_mark", 155: "escape"}  # closed by either key, unless a random escape closed it before
SIZES = [(160, 48), (80, 24), (40, 12), (20, 6), (120, 40), (1, 1)]


@pytest.mark.slow
async def test_200_random_keys_with_resizes_then_quit(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    threads_before = set(threading.enumerate())
    rng = random.Random(20261128)
    source = FakeSource(paused=True, T=16, H=8)  # space starts it; small sizes keep 200 repaints quick
    app = make_app(lambda: source, run_label="soak")
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(pilot, lambda: "step" in status_text(app), "the first frame")
        for press in range(200):
            if press % 10 == 0:
                await pilot.resize_terminal(*rng.choice(SIZES))
            help_open = isinstance(app.screen, HelpScreen)
            if press in HELP_OPEN:
                await pilot.press("question_mark")
                assert isinstance(app.screen, HelpScreen)
            elif press in HELP_CLOSE and help_open:
                await pilot.press(HELP_CLOSE[press])
                assert not isinstance(app.screen, HelpScreen)
            else:
                await pilot.press(rng.choice(PUBLIC_KEYS))
        await pilot.resize_terminal(160, 48)
        for _ in range(3):  # close the help screen, the command palette or a zoom, whichever is open
            await pilot.press("escape")
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0
    assert source.finished.wait(5), "the source thread did not stop"
    assert os.listdir(tmp_path) == []  # nothing written
    leftover = [t for t in set(threading.enumerate()) - threads_before
                if t.is_alive() and not t.name.startswith("asyncio_")]  # the event loop's own executor may idle on
    assert leftover == []
