"""The status line's words (the contract's spelling) and how it shortens on narrow terminals."""

from __future__ import annotations

import dataclasses
import math

from rnnscope.contracts.frames import DIVERGED, PAUSED
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
    assert "cpu" not in lines[1]  # 80 columns: the device goes first
    assert [len(line) for line in lines] == sorted((len(line) for line in lines), reverse=True)


def test_at_100_columns_the_shorter_forms_keep_model_speed_corpus_and_device():
    status = dataclasses.replace(STATUS, step=12345, corpus="tinyshakespeare.txt", chars_per_s=129e3,
                                 config=STATUS.config.with_(hidden=128))
    line = fit_status(status, 100).plain
    for phrase in ("PAUSED", "step 12345", "train 1.50", "clip 1", "init default", "lstm 1×128", "129k c/s",
                   "tinyshake…", "cpu"):
        assert phrase in line, line
    assert len(line) <= 100


def test_at_160_columns_nothing_is_cut_on_the_bundled_corpus():
    status = dataclasses.replace(STATUS, step=12345, corpus="tinyshakespeare.txt", chars_per_s=129e3,
                                 clip_fire_rate=0.44, config=STATUS.config.with_(hidden=128))
    line = fit_status(status, 160).plain
    assert line.endswith("cpu") and "bpc)" in line and "fires 44%" in line, line


def test_a_compared_run_shows_its_clip_and_init_before_its_losses():
    clipped_off = dataclasses.replace(STATUS, config=STATUS.config.with_(clip=None))
    for width in (40, 48, 66):
        line = fit_status(clipped_off, width, compact=True).plain
        assert "clip off" in line, (width, line)
    assert "init default" in fit_status(clipped_off, 48, compact=True).plain


def test_numbers_not_yet_measured_are_dashes_not_nan():
    status = dataclasses.replace(STATUS, chars_per_s=math.nan, clip_fire_rate=math.nan)
    line = fit_status(status, 160).plain
    assert "nan" not in line
    assert "– chars/s" in line and "clip 1 │" in line


def test_a_run_known_by_its_timeline_alone_shows_no_empty_facts():
    status = dataclasses.replace(STATUS, n_params=0, chars_per_s=math.nan, corpus="", device="")
    line = fit_status(status, 160).plain
    assert "params" not in line and "chars/s" not in line and "│  │" not in line and not line.rstrip().endswith("│")
