"""Every measured panel says which step it shows: `probe @ step N` on the probe's panels, the memory and
sample panels their own step; the screenshot an export carries shows the same."""

from __future__ import annotations

from rnnscope.ui.panels import FlowPanel, FramePanel, GradNormsPanel, LossPanel, MemoryPanel, SamplePanel
from tests.ui.app_harness import after_command, running_app
from tests.ui.fake_source import FakeSource


def titles(app) -> dict[type, str]:
    return {type(panel): str(panel.border_title) for panel in app.query(FramePanel)}


async def test_probe_memory_and_sample_panels_title_their_step():
    source = FakeSource(step=250)
    async with running_app(source) as (app, pilot):
        frame = app.latest
        shown = titles(app)
        for panel in app.query(FramePanel):
            if panel.needs_probe:
                assert shown[type(panel)].endswith(f"probe @ step {frame.probe.step}"), shown[type(panel)]
        assert shown[MemoryPanel] == f"memory · step {frame.memory.step}"
        assert shown[SamplePanel] == f"sample · step {frame.sample.step}"
        assert shown[LossPanel] == "loss" and shown[GradNormsPanel] == "gradient norms"  # live: no step
        await after_command(pilot, source, "n")
        assert app.latest.probe.step == 251
        assert titles(app)[FlowPanel] == "gradient flow · probe @ step 251"


async def test_the_screenshot_shows_the_probe_step():
    async with running_app(FakeSource(step=250)) as (app, pilot):
        svg = app.export_screenshot()
        assert "probe&#160;@&#160;step&#160;250" in svg or "probe @ step 250" in svg


async def test_a_narrow_panel_keeps_its_step_in_a_shorter_title():
    from tests.ui.compare_harness import running_compare

    async with running_compare(FakeSource(step=1190), FakeSource(step=1190)) as (app, pilot):
        for panel in app.dashboard.side_panels("a"):
            title = str(panel.border_title)
            assert len(title) + 4 <= panel.outer_size.width, title  # border corners and a blank either side
            if panel.needs_probe:
                assert title.endswith(f"@ {app.frames['a'].probe.step}") or title.endswith(
                    f"probe @ step {app.frames['a'].probe.step}"), title


async def test_a_cell_without_a_cell_state_titles_its_panel_hidden_state():
    from rnnscope.ui.panels import StatePanel

    async with running_app(FakeSource(step=250, model="rnn-tanh")) as (app, pilot):
        assert titles(app)[StatePanel].startswith("hidden state · probe @ step 250")
    async with running_app(FakeSource(step=250)) as (app, pilot):
        assert titles(app)[StatePanel].startswith("cell & hidden state")


def test_the_sample_panel_is_titled_tunes_when_it_shows_a_text_of_tunes():
    import dataclasses

    import numpy as np

    from rnnscope.contracts.tunes import Tune, TunesReading
    from tests.fake_frames import make_frame

    tune = Tune(120, "X:1\nK:D\nabc|", "valid", "", 25, 0.3)
    tunes = TunesReading(start="X:", recent=(tune,), valid=1, checked=1, valid_total=1, checked_total=1, samples=1,
                         training_valid=746, training_total=806, copied_share=0.0, newest_valid=tune,
                         notes=np.zeros((0, 3)), first_valid_step=120, note="")
    frame = make_frame()
    panel = SamplePanel()
    assert panel.shown_title(frame) == "sample"
    assert panel.shown_title(dataclasses.replace(frame, tunes=tunes)) == "tunes"
