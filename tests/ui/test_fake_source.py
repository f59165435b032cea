"""The UI tests' FakeSource answers every command the way the real engine does (both run the same sequence)."""

from __future__ import annotations

import math
import typing

from rnnscope.contracts import commands
from rnnscope.contracts.frames import PAUSED
from tests.core_fixtures import tiny_engine
from tests.ui.fake_source import FakeSource

SEQUENCE = (
    commands.TogglePause(), commands.Step(), commands.TogglePause(), commands.Step(), commands.ToggleClip(),
    commands.ToggleClip(), commands.ScaleClip(0.5), commands.ScaleClip(2.0), commands.ScaleClip(1e9),
    commands.NextInit(), commands.ToggleActivation(), commands.NextModel(), commands.ToggleActivation(),
    commands.ToggleActivation(), commands.Reset(), commands.NewSample(), commands.ScaleTemperature(0.8),
    commands.ScaleTemperature(1e-3), commands.ScaleTemperature(1.25), commands.NewSample(2.0), commands.Export(),
    commands.NextModel(), commands.NextModel(), commands.NextModel(),
)


def _seen(status, notice, sample) -> dict:
    """What the screen shows of a run, in a form both sources share."""
    return {
        "state": status.state, "step": status.step, "model": status.config.model, "init": status.config.init,
        "clip": None if status.config.clip is None else round(status.config.clip, 9), "temperature": round(status.temperature, 9),
        "notice": None if notice is None else (notice.seq, notice.level, notice.text.split(":")[0]),
        "sample": (sample.step, round(sample.temperature, 9)),
    }


def test_the_sequence_uses_every_command():
    assert {type(c) for c in SEQUENCE} == set(typing.get_args(commands.Command)) - {commands.Quit}


def test_fake_and_engine_agree_after_every_command(tmp_path):
    engine = tiny_engine(tmp_path)
    engine.state = PAUSED
    engine.train_step()
    engine.new_sample()
    fake = FakeSource(step=1, paused=True)
    fake.clip = fake.last_clip = engine.config.clip
    assert math.isfinite(engine.config.clip)
    for command in SEQUENCE:
        engine.apply(command)
        fake.apply(command)
        frame = fake.frame()
        assert _seen(frame.status, frame.notice, frame.sample) == _seen(engine.status(), engine.notice,
                                                                      engine.sample), command
