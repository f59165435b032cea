"""Panels hosted in a minimal App, fed fake frames: what they show, when they redraw, and safety."""

from dataclasses import replace

import pytest
from textual.app import App, ComposeResult
from textual.containers import Container

from rnnscope.ui.panels import (
    ALL_PANELS,
    ConnectivityPanel,
    EncodingPanel,
    FlowPanel,
    FramePanel,
    GatesPanel,
    GradNormsPanel,
    HealthPanel,
    LossPanel,
    MemoryPanel,
    ProbeTextPanel,
    SamplePanel,
    StatePanel,
)
from rnnscope.ui.render.lines import WAITING
from rnnscope.ui.view_state import ViewState
from tests.fake_frames import make_frame

NASTY = "\x1b[31m[bold]\t\n\x07界e\u0301"


class PanelHost(App):
    """Every panel in the dashboard's 3-column grid, as the shell lays them out at 160x48."""

    CSS_PATH = "../../rnnscope/ui/panels.tcss"
    CSS = "#panel-grid { layout: grid; }"

    def compose(self) -> ComposeResult:
        with Container(id="dashboard"), Container(id="panel-grid"):
            for panel_class in ALL_PANELS:
                yield panel_class()


def panel_text(panel: FramePanel) -> str:
    return "\n".join(panel.render_line(y).text for y in range(panel.size.height))


async def show_all(app, pilot, frame, view=None, color_system="truecolor"):
    view = view if view is not None else ViewState()
    for panel in app.query(FramePanel):
        panel.color_system_override = color_system
        panel.show(frame, view)
    await pilot.pause()


def test_every_panel_has_a_title_and_is_listed_once():
    assert len(set(ALL_PANELS)) == len(ALL_PANELS) == 11
    assert all(cls.title for cls in ALL_PANELS)


async def test_all_panels_fit_at_160x48_and_wait_for_the_probe():
    app = PanelHost()
    async with app.run_test(size=(160, 46)) as pilot:
        frame = replace(make_frame(), probe=None)
        await show_all(app, pilot, frame)
        for panel in app.query(FramePanel):
            assert panel.region.height >= 4 and panel.region.width >= 50
        for cls in (GatesPanel, StatePanel, FlowPanel, ProbeTextPanel, EncodingPanel, HealthPanel, ConnectivityPanel):
            assert WAITING in panel_text(app.query_one(cls))
        assert "train" in panel_text(app.query_one(LossPanel))
        assert "context curve" in panel_text(app.query_one(MemoryPanel))  # memory needs no probe
        assert "CLIPPED" in panel_text(app.query_one(GradNormsPanel)) or "not clipped" in panel_text(
            app.query_one(GradNormsPanel))


async def test_panels_show_verdict_horizon_units_and_guesses():
    app = PanelHost()
    async with app.run_test(size=(160, 46)) as pilot:
        frame = make_frame(model="rnn-tanh", T=64, H=128, V=30)
        await show_all(app, pilot, frame, ViewState(cursor_t=10, unit_offset=32))
        flow = panel_text(app.query_one(FlowPanel))
        metrics = frame.probe.layers[0].metrics
        assert "VANISHING" in flow and f"horizon {metrics.memory_horizon:.0f} steps" in flow
        gates = panel_text(app.query_one(GatesPanel))
        assert "pre-activation" in gates and "units 32-" in gates and "of 128" in gates
        state = panel_text(app.query_one(StatePanel))
        assert "hidden h_t" in state and "cell c_t" not in state
        probs = frame.probe.probs[10]
        assert f"{probs.max():.3f}" in panel_text(app.query_one(ProbeTextPanel))
        assert "σmax" in panel_text(app.query_one(HealthPanel))


async def test_lstm_gates_and_state():
    app = PanelHost()
    async with app.run_test(size=(160, 46)) as pilot:
        await show_all(app, pilot, make_frame(model="lstm", T=64, H=128))
        gates = panel_text(app.query_one(GatesPanel))
        for label in ("input (store)", "forget", "cell g (update)", "output"):
            assert label in gates
        assert "cell c_t" in panel_text(app.query_one(StatePanel))
        assert "‖∂l/∂c‖" in panel_text(app.query_one(FlowPanel))


async def test_connectivity_marks_the_cursor_row_and_says_when_a_probe_has_none():
    app = PanelHost()
    async with app.run_test(size=(160, 46)) as pilot:
        frame = make_frame(model="lstm", T=64, H=16)
        await show_all(app, pilot, frame, ViewState(cursor_t=40))
        shown = panel_text(app.query_one(ConnectivityPanel)).splitlines()
        assert "target t ↓ input s →" in shown[0]
        marked = [line for line in shown if "▸" in line]
        assert len(marked) == 1 and int(marked[0].split("▸")[0]) <= 40
        assert shown[-1].startswith("t=40 ") and "s=0 5.0e-02 of it" in shown[-1]  # the fake's key column
        await show_all(app, pilot, replace(frame, probe=replace(frame.probe, connectivity=None)))
        assert "no connectivity in this probe" in panel_text(app.query_one(ConnectivityPanel))


@pytest.mark.parametrize("color_system, glyph", [("truecolor", "▀"), ("256", "▀"), ("standard", "░")])
async def test_heatmaps_follow_the_colour_system(color_system, glyph):
    app = PanelHost()
    async with app.run_test(size=(160, 46)) as pilot:
        await show_all(app, pilot, make_frame(T=64, H=32), color_system=color_system)
        assert glyph in panel_text(app.query_one(StatePanel))


async def test_no_raw_control_characters_reach_the_screen():
    app = PanelHost()
    async with app.run_test(size=(160, 46)) as pilot:
        frame = make_frame(T=len(NASTY) - 1, H=8)
        frame = replace(frame, probe=replace(frame.probe, text=NASTY),
                        sample=replace(frame.sample, prime=NASTY, text=NASTY))
        await show_all(app, pilot, frame, ViewState(cursor_t=1))
        for panel in app.query(FramePanel):
            shown = panel_text(panel)
            assert not any(ord(ch) < 0x20 and ch != "\n" for ch in shown), panel.title
            assert "界" not in shown and "\u0301" not in shown
        assert "␇□e◌" in panel_text(app.query_one(SamplePanel))  # the sample's last line


async def test_show_redraws_only_when_its_inputs_change():
    app = PanelHost()
    async with app.run_test(size=(160, 46)) as pilot:
        frame = make_frame(T=64, H=64)
        await show_all(app, pilot, frame)
        panel = app.query_one(EncodingPanel)
        before = panel_text(panel)
        strips = panel._strips
        panel.show(frame, ViewState(unit=5))  # the encoding does not depend on the unit
        await pilot.pause()
        assert panel_text(panel) == before and panel._strips is strips
        panel.show(frame, ViewState(cursor_t=7))
        await pilot.pause()
        assert "t=7" in panel_text(panel) and panel._strips is not strips


async def test_a_css_change_rereads_the_kept_styles():
    app = PanelHost()
    async with app.run_test(size=(160, 46)) as pilot:
        await show_all(app, pilot, make_frame(T=64, H=64))
        panel = app.query_one(HealthPanel)
        panel_text(panel)
        dim, strips = panel.looked_up_styles()[1].dim, panel._strips
        app.theme = "textual-light" if app.theme != "textual-light" else "textual-dark"
        await pilot.pause()
        panel_text(panel)
        assert panel.looked_up_styles()[1].dim != dim and panel._strips is not strips
