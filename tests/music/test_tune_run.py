"""The tunes feature beside a real engine: tunes cut from its samples, checked off the training thread, in the
part, meta.json, the headless numbers and the export's tunes/; a hanging abc2midi stops nothing and is said."""

import json
import math
import os
import shutil
import time

import pytest

from rnnscope.music.checker import TuneChecker
from rnnscope.music.tune_run import TuneTracker
from rnnscope.music.tunes import split_documents
from rnnscope.training.data import load_corpus
from tests.core_fixtures import tiny_config

pytestmark = pytest.mark.slow  # abc2midi (or a fake of it) runs as a subprocess
TUNE = "X:{k}\nT:Tune {k}\nM:4/4\nL:1/8\nK:D\n|:dAFA DFAd|fdcd FAdf|gfge fefd|efe dc d2:|"


def _tune_engine(tmp_path, monkeypatch):
    from rnnscope.engine.engine import Engine

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # the training share's cache: not the user's
    path = tmp_path / "tunes.abc"
    path.write_text("\n\n".join(TUNE.format(k=k) for k in range(1, 60)) + "\n", encoding="utf-8")
    engine = Engine(tiny_config(path, seq_len=32), load_corpus(path), tmp_path / "run", threads=1)
    tracker = engine.hooks[-1]
    tracker.last_draw = math.inf  # the tests hand the checker their own tunes: the tracker draws none
    return engine, tracker


def _until(condition, seconds: float = 20.0) -> None:
    deadline = time.perf_counter() + seconds
    while not condition() and time.perf_counter() < deadline:
        time.sleep(0.02)


@pytest.mark.skipif(shutil.which("abc2midi") is None, reason="abc2midi is not installed")
def test_an_abc_corpus_gets_tunes_checked_and_exported(tmp_path, monkeypatch):
    engine, tracker = _tune_engine(tmp_path, monkeypatch)
    assert isinstance(tracker, TuneTracker) and tracker.start == "X:"
    for _ in range(40):
        engine.train_step()
    _until(lambda: tracker.checker.reference is not None)
    tracker.checker.submit(engine.step, [TUNE.format(k=1), "X:2\nT:broken\nK:D\n[ABc]]d|]]]"])  # a sample's tunes
    tracker.checker.wait(10)
    tracker.collect(engine)
    frame = engine.parts()["tunes"]
    documents = split_documents(tracker.checker.train_text)[:-1]  # the last is cut by the 90/10 split
    assert frame.training_valid == frame.training_total == len(documents) > 40
    assert (frame.valid, frame.checked) == (1, 2) and frame.recent[1].said.startswith("Error")
    assert frame.newest_valid.text == TUNE.format(k=1) and frame.newest_valid.copied_share == 1.0
    assert frame.notes.shape == (60, 3) and frame.first_valid_step == engine.step  # 30 notes, played twice (|: :|)
    assert engine.result()["tunes"]["valid"] == 1
    folder = engine.export()
    assert json.loads((folder / "meta.json").read_text())["tunes"]["training_share"] == 1.0
    listing = json.loads((folder / "tunes" / "tunes.json").read_text())
    assert [entry["status"] for entry in listing] == ["valid", "broken"]
    assert (folder / "tunes" / listing[0]["files"][1]).read_bytes().startswith(b"MThd")
    assert (folder / "tunes" / "piano-roll.png").stat().st_size > 1000
    assert (shutil.which("timidity") is not None) == any(name.endswith(".wav") for name in listing[0]["files"])


def test_a_hanging_abc2midi_stops_nothing_and_is_said(tmp_path, monkeypatch):
    fake = tmp_path / "bin" / "abc2midi"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\nexec sleep 30\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}{os.environ['PATH']}")
    engine, tracker = _tune_engine(tmp_path, monkeypatch)
    tracker.checker = TuneChecker(tracker.checker.train_text, "fake-sha", timeout=0.3)
    tracker.checker.submit(0, [TUNE.format(k=1)])
    started = engine.step
    while tracker.checker.busy() and engine.step < started + 2000:
        engine.train_step()  # the run goes on while abc2midi hangs
    assert engine.step > started + 3
    tracker.checker.wait(5)
    tracker.collect(engine)
    frame = engine.parts()["tunes"]
    assert frame.training_total is None and frame.recent[0].status == "timeout"
    assert "timed out after 0.3 s" in frame.note


def test_abc2midi_missing_says_how_to_install_and_tunes_are_still_written(tmp_path, monkeypatch):
    engine, tracker = _tune_engine(tmp_path, monkeypatch)
    monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))
    tracker.checker = TuneChecker(tracker.checker.train_text, "missing-sha")
    tracker.checker.submit(0, [TUNE.format(k=1)])
    tracker.checker.wait(10)
    tracker.collect(engine)
    frame = engine.parts()["tunes"]
    assert "apt install abcmidi" in frame.note and frame.checked == 0 and frame.recent[0].status == "missing"
    folder = engine.export()
    assert (folder / "tunes" / "tune-00-step-000000.abc").read_text() == TUNE.format(k=1) + "\n"
