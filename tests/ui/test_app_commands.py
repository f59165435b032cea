"""Every command key sends the engine the right command, and the state the source answers with is shown."""

from __future__ import annotations

import pytest

from rnnscope.contracts import commands
from tests.ui.app_harness import after_command, notifications, running_app, status_text
from tests.ui.fake_source import FakeSource

# key, the command the source must receive, a phrase the status line must then show
STATUS_KEYS = [
    ("space", commands.TogglePause(), "RUNNING"),
    ("n", commands.Step(), "step 101"),
    ("c", commands.ToggleClip(), "clip off"),
    ("left_square_bracket", commands.ScaleClip(0.5), "clip 0.5 "),
    ("right_square_bracket", commands.ScaleClip(2.0), "clip 2 "),
    ("i", commands.NextInit(), "init xavier"),
    ("m", commands.NextModel(), "rnn-tanh 1×16"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("key", "command", "shown"), STATUS_KEYS, ids=[k for k, _, _ in STATUS_KEYS])
async def test_key_sends_command_and_status_shows_the_result(key, command, shown):
    source = FakeSource(step=100)
    async with running_app(source) as (app, pilot):
        assert shown not in status_text(app)
        await after_command(pilot, source, key)
        assert source.received == [command]
        assert shown in status_text(app)


async def test_activation_key_switches_a_vanilla_rnn():
    source = FakeSource(model="rnn-tanh")
    async with running_app(source) as (app, pilot):
        await after_command(pilot, source, "a")
        assert source.received == [commands.ToggleActivation()]
        assert "rnn-relu" in status_text(app)


async def test_reset_after_a_divergence_pauses():
    source = FakeSource(diverged=True)
    async with running_app(source) as (app, pilot):
        await after_command(pilot, source, "r")
        assert source.received == [commands.Reset()]
        assert "PAUSED" in status_text(app)


async def test_activation_key_on_an_lstm_shows_the_engines_answer():
    source = FakeSource(model="lstm")
    async with running_app(source) as (app, pilot):
        await after_command(pilot, source, "a")
        assert source.received == [commands.ToggleActivation()]
        assert "lstm" in status_text(app)
        assert any("vanilla RNN" in text for text in notifications(app, "warning"))


async def test_step_while_running_shows_the_engines_answer():
    source = FakeSource(paused=False)
    async with running_app(source) as (app, pilot):
        await after_command(pilot, source, "n")
        assert commands.Step() in source.received
        assert any("while paused" in text for text in notifications(app, "warning"))


TEMPERATURE_KEYS = [("g", commands.NewSample(), 1.0), ("t", commands.ScaleTemperature(0.8), 0.8),
                    ("T", commands.ScaleTemperature(1.25), 1.25)]


@pytest.mark.slow
@pytest.mark.parametrize(("key", "command", "temperature"), TEMPERATURE_KEYS, ids=[k for k, _, _ in TEMPERATURE_KEYS])
async def test_sample_keys_ask_the_engine_which_owns_the_temperature(key, command, temperature):
    source = FakeSource()
    async with running_app(source) as (app, pilot):
        await after_command(pilot, source, key)
        assert source.received == [command]
        assert app.latest.status.temperature == pytest.approx(temperature)
        assert app.painted[0].sample.temperature == pytest.approx(temperature)


async def test_export_sends_the_screen_and_shows_the_engine_notice_once():
    source = FakeSource(step=100)
    async with running_app(source) as (app, pilot):
        await after_command(pilot, source, "e")
        assert isinstance(source.received[0], commands.Export)
        assert source.export_svgs[0].lstrip().startswith('<svg xml:space="preserve" ')  # 'train 1.899 val' keeps its spaces
        assert notifications(app) == ["snapshot saved: rnnscope-runs/fake/step-000100"]
        await after_command(pilot, source, "c")  # a later frame still carries the same notice
        assert notifications(app) == ["snapshot saved: rnnscope-runs/fake/step-000100"]


async def test_failed_export_is_shown_as_an_error():
    source = FakeSource(export_fails=True)
    async with running_app(source) as (app, pilot):
        await after_command(pilot, source, "e")
        assert notifications(app, "error") == ["export failed: rnnscope-runs/fake is not writable"]


async def test_diverged_run_shows_why_and_goes_on_after_a_setting_change():
    source = FakeSource(diverged=True)
    async with running_app(source) as (app, pilot):
        assert "DIVERGED" in status_text(app)
        assert "diverged at step 100, largest gradient" in status_text(app)
        await after_command(pilot, source, "c")
        assert "clip off" in status_text(app)
        await after_command(pilot, source, "space")
        assert "RUNNING" in status_text(app)
        assert "diverged at" not in status_text(app)


async def test_layer_key_on_a_one_layer_model_says_there_is_one_layer():
    source = FakeSource(layers=1)
    async with running_app(source) as (app, pilot):
        await pilot.press("l")
        await pilot.pause()
        assert any("has one" in text for text in notifications(app))
        assert app.view.layer == 0
