"""The tunes view: its numbers, the piano roll's rows and columns, and generated text that never reaches the terminal
raw (escape sequences in a tune are drawn as visible symbols)."""

import math
import random

import numpy as np

from rnnscope.contracts.tunes import Tune, TunesReading
from rnnscope.ui.render.accents import DEFAULT_ACCENTS
from rnnscope.ui.render.tunes import render_tunes, roll_lines
from tests.hostile_strings import escape_sequence, hostile, unsafe_chars


def _frame(text: str, notes: np.ndarray, note: str = "") -> TunesReading:
    tune = Tune(120, text, "valid", "", 25, 0.3)
    return TunesReading(start="X:", recent=(tune,), valid=1, checked=2, valid_total=1, checked_total=2, samples=1,
                      training_valid=746, training_total=806, copied_share=0.3, newest_valid=tune, notes=notes,
                      first_valid_step=120, note=note)


def _text(lines) -> str:
    return "\n".join("".join(segment.text for segment in line) for line in lines)


def test_the_summary_gives_k_of_n_the_training_share_and_the_copied_share():
    shown = _text(render_tunes(_frame("X:1\nT:Reel\nK:D\nABc|", np.zeros((0, 3))), 100, 12, DEFAULT_ACCENTS))
    assert "valid 1 of 2 (50%) · training tunes 93% · copied 30%" in shown
    assert "newest valid @ step 120: Reel" in shown and "T:Reel" in shown


def test_the_piano_roll_draws_a_rising_scale_from_bottom_left_to_top_right():
    notes = np.array([[0.0, 1.0, 60], [1.0, 2.0, 62], [2.0, 3.0, 64], [3.0, 4.0, 65]])  # C D E F
    lines = roll_lines(notes, 4 + 4, 10)  # 4 label cells, 4 columns: one a second
    rows = [_text([line])[4:] for line in lines]
    assert rows == ["  ▄▀", " ▄  ", "▄   "]  # 6 pitches C4..F4, two a row (upper half the higher), the top first
    assert _text([lines[0]]).startswith("F4")


def test_more_pitches_than_rows_are_merged_not_dropped():
    notes = np.array([[0.0, 1.0, 40], [1.0, 2.0, 90]])
    lines = roll_lines(notes, 14, 3)  # 51 pitches on 3 rows: 9 pitches a half cell
    rows = [_text([line])[4:] for line in lines]
    assert rows == ["     ▀▀▀▀▀", "          ", "▄▄▄▄▄     "]


def test_escape_sequences_in_a_generated_tune_never_reach_the_terminal():
    rng = random.Random(0)
    for _ in range(50):
        text = f"X:1\nT:{hostile(rng)}\nK:D\n{escape_sequence(rng)}ABc|{hostile(rng)}"
        notes = np.array([[0.0, 0.5, 62]])
        lines = render_tunes(_frame(text, notes, note=hostile(rng)), 80, 20, DEFAULT_ACCENTS)
        assert not unsafe_chars(_text(lines).replace("\n", ""))
    waiting = TunesReading(start="X\x1b[2J", recent=(), valid=0, checked=0, valid_total=0, checked_total=0, samples=0,
                         training_valid=None, training_total=None, copied_share=math.nan)
    assert not unsafe_chars(_text(render_tunes(waiting, 80, 5, DEFAULT_ACCENTS)).replace("\n", ""))
