"""A known tune through abc2midi and mido: its notes, their order, and its piano roll."""

import shutil

import numpy as np
import pytest

from rnnscope.music.abc2midi import check_tune
from rnnscope.music.midi import note_name, piano_roll, read_notes

_no_abc2midi = pytest.mark.skipif(shutil.which("abc2midi") is None, reason="abc2midi is not installed")


def needs_abc2midi(test):
    """abc2midi runs as a subprocess: a slow test, skipped without the tool."""
    return pytest.mark.slow(_no_abc2midi(test))
SCALE = "X:1\nT:C major scale\nM:4/4\nL:1/4\nQ:1/4=120\nK:C\nCDEF|GABc|]"


@needs_abc2midi
def test_the_scale_is_eight_notes_rising_half_a_second_each():
    notes = read_notes(check_tune(SCALE).midi)
    assert [note_name(int(p)) for p in notes[:, 2]] == ["C4", "D4", "E4", "F4", "G4", "A4", "B4", "C5"]
    assert np.allclose(np.diff(notes[:, 0]), 0.5, atol=0.01)  # a crotchet at 120 per minute
    assert np.allclose(notes[:, 1] - notes[:, 0], 0.5, atol=0.01)


@needs_abc2midi
def test_a_chord_sounds_its_notes_together_lowest_first():
    notes = read_notes(check_tune("X:1\nT:chord\nM:4/4\nL:1/4\nK:C\n[CEG]2 c2|]").midi)
    assert [int(p) for p in notes[:, 2]] == [60, 64, 67, 72]
    assert notes[2, 0] - notes[0, 0] < 0.05 and notes[3, 0] - notes[0, 0] > 0.9  # abc2midi staggers a chord by ~10 ms


def test_piano_roll_puts_each_note_on_its_row_and_columns():
    notes = np.array([[0.0, 1.0, 60], [1.0, 2.0, 64], [1.0, 2.0, 62]])
    grid, low, step = piano_roll(notes, 4)
    assert low == 60 and step == 0.5 and grid.shape == (5, 4)
    assert grid.astype(int).tolist() == [[1, 1, 0, 0], [0, 0, 0, 0], [0, 0, 1, 1], [0, 0, 0, 0], [0, 0, 1, 1]]
    empty, _, _ = piano_roll(np.zeros((0, 3)), 10)
    assert empty.shape == (0, 10)
