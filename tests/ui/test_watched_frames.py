"""A watched model's frames on the screen: labels on the probe text, class guesses, no vocabulary panels, and the
attached run's status line."""

import math
import time
from dataclasses import replace

import numpy as np

from rnnscope.contracts.config import RunConfig
from rnnscope.contracts.frames import RunStatus, Sample
from rnnscope.ui.panels import EncodingPanel, FramePanel, LossPanel, ProbeTextPanel, SamplePanel
from rnnscope.ui.render.accents import DEFAULT_ACCENTS
from rnnscope.ui.render.lines import NO_WATCHED_SAMPLE, NOT_WATCHED
from rnnscope.ui.render.probe_text import render_probe_text
from rnnscope.ui.status_bar import fit_status
from tests.fake_frames import make_frame
from tests.ui.test_panels import PanelHost, panel_text, show_all

LABELS = ("the", "cat", "\x1b[31msat", "", "on")


def watched_frame(probs_classes=4):
    frame = make_frame(T=5, H=4, V=12)
    probs = np.full((5, probs_classes), 1.0 / max(probs_classes, 1), np.float32)
    probs[2] = [0.1, 0.6, 0.2, 0.1][:probs_classes] if probs_classes == 4 else probs[2]
    probe = replace(frame.probe, text="tc\x1b·o ", labels=LABELS, probs=probs, targets=np.array([0, 1, 2, 3, 0]),
                    embedding=np.zeros((0, 0), np.float32))
    return replace(frame, probe=probe, vocab=(), sample=None)


def text(lines):
    return "\n".join("".join(s.text for s in line) for line in lines)


def test_labels_are_the_probe_text_and_guesses_are_class_ids():
    frame = watched_frame()
    lines = render_probe_text(frame.probe, frame.probe.layers[0].hidden, (), 0, 2, 60, 12, "truecolor",
                              DEFAULT_ACCENTS)
    shown = text(lines)
    assert "the cat ␛[31msat · on" in shown and "\x1b" not in shown  # an empty label is '·'; controls made visible
    assert "at ␛[31msat (t=2) target #2" in shown and "#1 0.60" in shown


def test_a_character_models_labels_are_text_without_gaps():
    frame = watched_frame()
    probe = replace(frame.probe, labels=("H", "i", "\n", " ", "y"))
    lines = render_probe_text(probe, frame.probe.layers[0].hidden, (), 0, 1, 60, 12, None, DEFAULT_ACCENTS)
    assert "Hi⏎ y" in text(lines) and "at i (t=1)" in text(lines)


def test_without_a_readout_the_panel_says_where_the_flow_comes_from():
    frame = watched_frame(probs_classes=0)
    lines = render_probe_text(frame.probe, frame.probe.layers[0].hidden, (), 0, 0, 60, 12, None, DEFAULT_ACCENTS)
    assert "no readout: the flow is of u · h_t" in text(lines)


async def test_vocabulary_panels_say_they_are_not_available():
    app = PanelHost()
    async with app.run_test(size=(160, 48)) as pilot:
        await show_all(app, pilot, watched_frame())
        for panel_class, note in ((EncodingPanel, NOT_WATCHED), (SamplePanel, NO_WATCHED_SAMPLE)):
            assert note in " ".join(panel_text(app.query_one(panel_class)).split())  # whole, wrapped
        assert "cat" in panel_text(app.query_one(ProbeTextPanel))
        loss = panel_text(app.query_one(LossPanel))  # a watched model's loss: its units are its own
        assert "train " in loss and "nats" not in loss and "bpc" not in loss
        for panel in app.query(FramePanel):
            assert "Traceback" not in panel_text(panel)


def test_class_names_recorded_with_the_frame_name_the_guesses_and_ids_stand_in_for_the_rest():
    frame = watched_frame()
    names = ("dog", "", "\x1b[2Jmat")  # class 1 unnamed, class 3 beyond the names
    lines = render_probe_text(frame.probe, frame.probe.layers[0].hidden, names, 0, 2, 80, 12, None, DEFAULT_ACCENTS)
    shown = text(lines)
    assert "target ␛[2Jmat p=" in shown and "#1 0.60" in shown and "dog 0.10" in shown and "#3 0.10" in shown


async def test_a_watched_models_inputs_and_its_loops_sample_are_shown():
    inputs = np.zeros((5, 3), np.float32)
    inputs[:, 0] = [1.0, 0.9, -1.0, 0.0, 0.95]  # 'the' is most like 'cat', then 'on'
    inputs[3, 1] = 1.0
    frame = watched_frame()
    frame = replace(frame, probe=replace(frame.probe, embedding=inputs),
                    sample=Sample(step=4, prime="the ", text="cat\x1b sat", temperature=math.nan))
    app = PanelHost()
    async with app.run_test(size=(160, 48)) as pilot:
        await show_all(app, pilot, frame)
        encoding = panel_text(app.query_one(EncodingPanel))
        assert "token     the  t=0" in encoding and "input 3" in encoding and "+1.00 +0.00 +0.00" in encoding
        assert encoding.index("cat 1.00") < encoding.index("on 1.00") and "t=3 0.00" in encoding
        sample = panel_text(app.query_one(SamplePanel))
        assert "from the loop's sample()" in sample and "the cat␛ sat" in sample and "T=" not in sample


def test_the_attached_status_names_the_writer_and_the_frame_age():
    status = RunStatus(config=RunConfig(), corpus="", n_params=0, step=120, state="STALE", clip_fire_rate=math.nan,
                       device="", threads=0, train_loss=3.25, val_loss=math.nan, chars_per_s=math.nan,
                       run_dir="runs/exp1", writer="gpu1 rank 0 pid 7: LSTM 2x200 in 128", frame_time=time.time() - 125)
    line = fit_status(status, 160).plain
    assert line.startswith(" STALE ") and "step 120" in line and "newest frame 2 min ago" in line
    assert "gpu1 rank 0 pid 7: LSTM 2x200 in 128" in line and "train 3.250" in line
    assert fit_status(replace(status, state="WAITING"), 100).plain.endswith("waiting for the first frame in runs/exp1")


async def test_a_replayed_frame_without_memory_says_none_was_recorded():
    from rnnscope.ui.panels import MemoryPanel
    from rnnscope.ui.render.memory import NOT_RECORDED, WAITING_MEMORY

    frame = make_frame(T=5, H=4, V=12)
    replayed = replace(frame, memory=None, status=replace(frame.status, state="REPLAY ‖"))
    app = PanelHost()
    async with app.run_test(size=(160, 48)) as pilot:
        await show_all(app, pilot, replayed)
        shown = " ".join(panel_text(app.query_one(MemoryPanel)).split())
        assert NOT_RECORDED.split()[0] in shown and "side budget" not in shown
        await show_all(app, pilot, replace(frame, memory=None))  # a live run: when it will be measured
        assert WAITING_MEMORY.split()[0] in panel_text(app.query_one(MemoryPanel))
