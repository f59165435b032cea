"""The status line's words (the contract's spelling) and how it shortens on narrow terminals."""

from __future__ import annotations

import dataclasses
import math

from rnnscope.frames import DIVERGED, PAUSED
from rnnscope.ui.status_bar import LOADING, fit_status
from tests.fake_frames import make_frame

STATUS = dataclasses.replace(make_frame(step=250).status, state=PAUSED, train_loss=1.5, val_loss=math.nan)


def test_before_the_first_frame_it_says_loading():
    assert fit_status(None, 160).plain == LOADING == "loading…"


def test_all_facts_fit_at_160_columns():
    line = fit_status(STATUS, 160).plain
    for phrase in ("PAUSED", "step 250", "train 1.500", "val –", f"({1.5 / math.log(2):.2f}/– bpc)",
                   "clip 1 fires", "init default", "lstm 1×16", "params", "12.3k chars/s", "shakespeare.txt", "cpu"):
        assert phrase in line
    assert len(line) <= 160


def test_clip_off_and_init_gain_are_spelled_out():
    status = dataclasses.replace(STATUS, config=STATUS.config.with_(clip=None, init="identity", init_gain=1.5))
    line = fit_status(status, 160).plain
    assert "clip off" in line and "fires" not in line
    assert "init identity ×1.5" in line


def test_diverged_shows_the_step_and_the_largest_gradient():
    status = dataclasses.replace(STATUS, state=DIVERGED, diverged="step 312, largest gradient 4.1e+09 (rnn.weight_hh_l0)")
    line = fit_status(status, 160).plain
    assert line.index("DIVERGED") < line.index("diverged at step 312, largest gradient 4.1e+09")


def test_narrow_terminals_drop_the_least_important_facts_first():
    widths = (100, 80, 60, 30)
    lines = [fit_status(STATUS, width).plain for width in widths]
    for width, line in zip(widths, lines):
        assert len(line) <= width
        assert "PAUSED" in line and "step 250" in line
    assert "cpu" not in lines[0]
    assert [len(line) for line in lines] == sorted((len(line) for line in lines), reverse=True)


def test_numbers_not_yet_measured_are_dashes_not_nan():
    status = dataclasses.replace(STATUS, chars_per_s=math.nan, clip_fire_rate=math.nan)
    line = fit_status(status, 160).plain
    assert "nan" not in line
    assert "– chars/s" in line and "clip 1 │" in line
