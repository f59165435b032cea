"""The key bar shows every key that acts now, at 160x48 and at 100x30 (on a second row when narrow)."""

from __future__ import annotations

import pytest

from rnnscope.ui.key_bar import KeyBar
from rnnscope.ui.keymap import COMPARE_KEYS, KEYS
from tests.ui.app_harness import running_app
from tests.ui.compare_harness import running_compare
from tests.ui.fake_source import FakeSource


def footer_keys(paged: bool, compare: bool) -> list[str]:
    """How the keymap writes each key the footer must show."""
    hidden = set() if paged else {"page(0)"}
    keys = KEYS + (COMPARE_KEYS if compare else ())
    return [entry.footer_key or entry.display or entry.key for entry in keys if entry.show and entry.action not in hidden]


@pytest.mark.parametrize("size", [(160, 48), (100, 30)])
async def test_every_key_is_on_screen(size):
    async with running_app(FakeSource(), size) as (app, pilot):
        bar = app.query_one(KeyBar)
        rows = bar.render().plain.split("\n")
        assert bar.region.height == len(rows) and bar.region.bottom == size[1]
        assert all(len(row) <= size[0] for row in rows)
        shown = " ".join(rows)
        for key in footer_keys(paged=size == (100, 30), compare=False):
            assert f"{key} " in shown, key
        assert "L lessons" in shown


@pytest.mark.parametrize("size", [(160, 48), (100, 30)])
async def test_the_compare_screen_shows_every_key_and_says_s_on_its_top_line(size):
    from rnnscope.ui.compare.bar import CompareBar

    async with running_compare(FakeSource(), FakeSource(), size=size) as (app, pilot):
        rows = app.query_one(KeyBar).render().plain.split("\n")
        shown = " ".join(rows)
        for key in footer_keys(paged=size == (100, 30), compare=True):
            assert f"{key} " in shown, key
        assert "s switches" in app.query_one(CompareBar).render().plain
        assert len(rows) == (1 if size == (160, 48) else 2)  # one row at 160 columns: the panels keep theirs
