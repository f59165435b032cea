"""Class 1: every string that reaches the screen is visible-safe (generated escape sequences in every field)."""

from __future__ import annotations

import dataclasses
import json
import random
import unicodedata

import pytest

from rnnscope.cli import main
from rnnscope.contracts.frames import Event, Notice
from rnnscope.contracts.visible import safe_text
from rnnscope.runner.replay import ReplaySource
from rnnscope.ui.app import make_app
from rnnscope.ui.safe_frame import CONFIG_TEXT, STATUS_TEXT, safe_frame
from tests.core_fixtures import tiny_engine
from tests.fake_frames import make_frame
from tests.hostile_strings import escape_sequence, hostile, unsafe_chars
from tests.ui.app_harness import notifications, status_text, wait_until
from tests.ui.fake_source import FakeSource


@pytest.mark.parametrize("seed", range(0, 200, 20))
def test_generated_escape_sequences_never_survive(seed):
    rng = random.Random(seed)
    for _ in range(20):
        text = hostile(rng, length=rng.randrange(0, 10))
        shown = safe_text(text)
        assert unsafe_chars(shown) == [], (text, shown)
        assert "\x1b" not in shown and "\x9b" not in shown
        assert safe_text(shown) == shown  # idempotent: sanitising twice changes nothing


def test_every_kind_of_sequence_is_neutralised():
    rng = random.Random(1)
    sequences = {escape_sequence(rng) for _ in range(500)}
    assert len(sequences) > 100
    for sequence in sequences:
        assert unsafe_chars(safe_text(sequence)) == [], repr(sequence)


@pytest.mark.parametrize("text", ["plain.txt", "rnnscope-runs/20260101-shakespeare", "café", "界面 😀", "a b", "",
                                  "[bold]not markup[/]", "e\u0301"])
def test_printable_text_passes_unchanged(text):
    assert safe_text(text) == unicodedata.normalize("NFC", text)


def test_combining_marks_that_do_not_compose_cannot_stack():
    assert safe_text("q" + "\u0301" * 30) == "q" + "◌" * 30


def test_safe_frame_cleans_every_text_field_and_keeps_clean_frames():
    frame = make_frame()
    assert safe_frame(frame) is frame
    rng = random.Random(7)
    dirty = {name: hostile(rng) for name in STATUS_TEXT}
    config = frame.status.config.with_(**{name: hostile(rng) for name in CONFIG_TEXT})
    status = dataclasses.replace(frame.status, config=config, **dirty)
    events = (Event(3, hostile(rng)), Event(5, "clean"))
    bad = dataclasses.replace(frame, status=status, events=events, notice=Notice(1, "error", hostile(rng)))
    shown = safe_frame(bad)
    for name in STATUS_TEXT:
        assert unsafe_chars(getattr(shown.status, name)) == []
    for name in CONFIG_TEXT:
        assert unsafe_chars(getattr(shown.status.config, name)) == []
    assert all(unsafe_chars(e.label) == [] for e in shown.events) and shown.events[1].label == "clean"
    assert unsafe_chars(shown.notice.text) == []
    assert shown.probe is bad.probe and shown.vocab == bad.vocab  # corpus text is drawn cell by cell elsewhere


def test_error_lines_on_stderr_carry_no_escape_sequence(tmp_path, capsys):
    rng = random.Random(3)
    for _ in range(5):
        name = hostile(rng).replace("/", "_").replace("\x00", "")
        assert main([str(tmp_path / name), "--headless", "--steps", "1"]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and unsafe_chars(err.rstrip("\n")) == [], repr(err)


# --- on the screen: the app's rendered output ---------------------------------------------------------------

class HostileSource(FakeSource):
    """A fake run whose corpus name, run dir, device, init, optimizer, event labels and notices carry escape
    sequences."""

    def __init__(self, seed: int):
        super().__init__()
        rng = random.Random(seed)
        self.dirty = {name: hostile(rng) for name in ("corpus", "device", "run_dir")}
        self.dirty_config = {name: hostile(rng) for name in ("init", "optimizer")}
        self.events = (Event(10, hostile(rng)), Event(50, hostile(rng)))
        self.notice = Notice(1, "error", "export failed: cannot write " + hostile(rng) + " [/] [bold]")

    def frame(self):
        frame = super().frame()
        config = frame.status.config.with_(**self.dirty_config)
        status = dataclasses.replace(frame.status, config=config, **self.dirty)
        return dataclasses.replace(frame, status=status, events=self.events)


def _raw_controls(svg: str) -> list[str]:
    return [ch for ch in unsafe_chars(svg) if ch != "\n"]


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2])
async def test_hostile_names_never_reach_the_rendered_screen(seed):
    source = HostileSource(seed)
    app = make_app(lambda: source, run_label=hostile(random.Random(seed + 100)))
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(pilot, lambda: "step" in status_text(app), "the first frame")
        await wait_until(pilot, lambda: bool(notifications(app)), "the notice")
        await pilot.pause(0.3)
        svg = app.export_screenshot()
        assert _raw_controls(svg) == [] and "\x1b" not in svg
        assert unsafe_chars(app.sub_title) == [] and unsafe_chars(status_text(app)) == []
        assert all(unsafe_chars(message) == [] for message in notifications(app))
        assert "[/] [bold]" in notifications(app)[0]  # shown as text, not taken as markup
        await pilot.press("q")
    assert app.return_code == 0


@pytest.mark.slow
async def test_a_replayed_meta_field_never_reaches_the_terminal_raw(tmp_path):
    engine = tiny_engine(tmp_path)
    engine.train_step()
    folder = engine.export()
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    rng = random.Random(5)
    meta["corpus"]["name"] = "\x1b[2J" + hostile(rng)
    meta["device"] = hostile(rng) + "\x1b]0;pwned\x07"  # free text; init and optimizer are choices, checked on read
    meta["events"] = [{"step": 1, "label": hostile(rng)}]
    (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    app = make_app(lambda: ReplaySource([folder]), run_label=f"replay {hostile(rng)}", start_paused=True)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(pilot, lambda: "step" in status_text(app), "the replayed frame")
        await pilot.pause(0.3)
        svg = app.export_screenshot()
        assert _raw_controls(svg) == [] and "\x1b" not in svg
        assert app.latest.status.corpus.startswith("␛[2J")  # what the widgets get: shown, made visible
        await pilot.press("q")
    assert app.return_code == 0
