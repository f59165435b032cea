"""Validity by abc2midi: a known-valid tune, a known-broken one, abc2midi missing, and one that hangs."""

import os
import shutil
import time

import pytest

from rnnscope.music.abc2midi import BROKEN, INSTALL_HINT, MISSING, TIMEOUT, VALID, check_tune

needs_abc2midi = pytest.mark.skipif(shutil.which("abc2midi") is None, reason="abc2midi is not installed")
pytestmark = pytest.mark.slow  # abc2midi, or a fake of it, runs as a subprocess
GOOD = "X:1\nT:Alexander's\nM:C|\nL:1/8\nK:D Major\n(3ABc|dAFA DFAd|fdcd FAdf|gfge fefd|(3efe dc d2:|"
BROKEN_TUNE = "X:1\nT:broken\nM:4/4\nL:1/8\nK:D\n[ABc]]d|(3ef|]]]"  # abc2midi: "Chord already finished", exit 0


@needs_abc2midi
def test_a_known_tune_is_valid_with_its_midi():
    check = check_tune(GOOD)
    assert check.status == VALID and check.midi.startswith(b"MThd")
    assert "Error" not in check.said and "writing MIDI file" in check.said


@needs_abc2midi
def test_a_broken_tune_is_not_valid_although_abc2midi_exits_0_and_writes_midi():
    check = check_tune(BROKEN_TUNE)
    assert check.status == BROKEN and not check.valid
    assert "Error in line-char" in check.said and check.midi is not None


def test_abc2midi_missing_says_how_to_install_it(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    check = check_tune(GOOD)
    assert check.status == MISSING and check.said == INSTALL_HINT and "apt install abcmidi" in INSTALL_HINT


def _fake(tmp_path, body: str) -> None:
    fake = tmp_path / "abc2midi"
    fake.write_text(f"#!/bin/sh\n{body}\n")
    fake.chmod(0o755)


def test_an_abc2midi_that_hangs_is_given_up_on_after_the_timeout(monkeypatch, tmp_path):
    _fake(tmp_path, "exec sleep 30")
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    started = time.perf_counter()
    check = check_tune(GOOD, timeout=0.3)
    assert check.status == TIMEOUT and "did not finish within 0.3 s" in check.said
    assert time.perf_counter() - started < 3


def test_an_error_line_on_stderr_counts_even_with_a_midi_file(monkeypatch, tmp_path):
    _fake(tmp_path, 'printf "MThd" > "$3"; echo "Error in line-char 1-2 : bad" >&2')
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    assert check_tune(GOOD).status == BROKEN
    _fake(tmp_path, 'printf "MThd" > "$3"; echo "Warning in line-char 1-2 : odd"')
    assert check_tune(GOOD).status == VALID
