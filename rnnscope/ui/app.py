"""The dashboard app: wires the source thread, the keys, the view state and the panels together."""

from __future__ import annotations

import gc
import time
from functools import partial
from pathlib import Path

from textual import events
from textual.app import App, ComposeResult
from textual.widgets import Footer

from rnnscope import commands
from rnnscope.frames import RUNNING, Frame
from rnnscope.source import SourceFactory
from rnnscope.ui import keymap
from rnnscope.ui.command_palette import DashboardCommands
from rnnscope.ui.dashboard import Dashboard
from rnnscope.ui.messages import FrameArrived, SourceFailed
from rnnscope.ui.render.visible_chars import safe_text
from rnnscope.ui.safe_frame import safe_frame
from rnnscope.ui.source_link import SourceLink
from rnnscope.ui.status_bar import LOADING, StatusBar
from rnnscope.ui.too_small import TooSmall, is_too_small
from rnnscope.ui.view_state import ViewState

HERE = Path(__file__).parent
REPAINT_S = 0.1  # the panels are repainted at most this often (and only when something changed)
VANILLA_MODELS = ("rnn-tanh", "rnn-relu")


class RnnscopeApp(App[int]):
    """Shows the latest frame of a FrameSource and sends it the user's commands."""

    CSS_PATH = [HERE / "app.tcss", HERE / "panels.tcss"]  # absolute: subclasses may live elsewhere
    TITLE = "rnnscope"
    BINDINGS = keymap.bindings()
    COMMANDS = App.COMMANDS | {DashboardCommands}
    AUTO_FOCUS = None  # no panel is highlighted until the user tabs to one

    def __init__(self, source_factory: SourceFactory, *, run_label: str = "", start_paused: bool = False) -> None:
        super().__init__()
        self.sub_title = safe_text(run_label)
        self.link = SourceLink(source_factory)
        self.view = ViewState()
        self.latest: Frame | None = None  # newest frame received
        self.painted: tuple[Frame | None, ViewState] = (None, self.view)  # what the panels show now
        self._last_paint = 0.0
        self._notice_seq = 0
        self.status_bar = StatusBar(id="status", loading=LOADING + (" (starts paused)" if start_paused else ""))
        self.dashboard = Dashboard(id="dashboard")

    def compose(self) -> ComposeResult:
        yield self.status_bar
        yield self.dashboard
        yield TooSmall(id="too-small")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.run_worker(
            partial(self.link.run, self._publish, self._fail), thread=True, name="source", exit_on_error=False
        )
        self.set_interval(REPAINT_S, self._repaint)
        self.call_after_refresh(gc.freeze)  # start-up objects never need collecting again

    def on_unmount(self) -> None:
        """However the app ends, the source thread is told to stop (the process waits for it)."""
        self.link.stop()

    # --- frames in -------------------------------------------------------------------------------

    def _publish(self, frame: Frame) -> None:
        """Called on the source thread: post_message is thread-safe and coalesces queued frames."""
        self.post_message(FrameArrived(safe_frame(frame)))

    def _fail(self, reason: str) -> None:
        self.post_message(SourceFailed(reason))

    def on_frame_arrived(self, message: FrameArrived) -> None:
        """The status line (one line, cheap) answers at once; the panels wait for the repaint cadence."""
        self.latest = message.frame
        self.status_bar.show_status(message.frame.status)
        self._show_notice(message.frame)
        if time.monotonic() - self._last_paint >= REPAINT_S:
            self._repaint()

    def on_source_failed(self, message: SourceFailed) -> None:
        self.link.stop()
        self.exit(return_code=1, message=f"rnnscope: {safe_text(message.reason)}")

    def _repaint(self) -> None:
        """Push the newest frame and view to the status bar and panels, if either changed."""
        frame = self.latest
        if frame is None or self.painted == (frame, self.view):
            return
        if self.painted[0] is not frame:
            self.view = self.view.clamp(*_frame_sizes(frame))
        self.dashboard.show(frame, self.view)
        self.painted = (frame, self.view)
        self._last_paint = time.monotonic()

    def _show_notice(self, frame: Frame) -> None:
        notice = frame.notice
        if notice is not None and notice.seq > self._notice_seq:
            self._notice_seq = notice.seq
            self.notify(notice.text, severity=notice.level if notice.level in ("warning", "error") else "information")

    def notify(self, message: str, *, title: str = "", severity="information", timeout: float | None = None,
               markup: bool = False) -> None:
        """Every toast goes through here: plain text (a file name's [brackets] are not markup), made visible-safe."""
        super().notify(safe_text(message), title=safe_text(title), severity=severity, timeout=timeout, markup=markup)

    def on_resize(self, event: events.Resize) -> None:
        self.screen.set_class(is_too_small(event.size.width, event.size.height), "-too-small")
        self.dashboard.fit(event.size.width, event.size.height)

    # --- commands to the source --------------------------------------------------------------------

    def action_toggle_pause(self) -> None:
        self.link.send(commands.TogglePause())

    def action_step(self) -> None:
        if self.latest is not None and self.latest.status.state == RUNNING:
            self.notify("n runs one step while paused: press space to pause first", severity="warning")
            return
        self.link.send(commands.Step())

    def action_toggle_clip(self) -> None:
        self.link.send(commands.ToggleClip())

    def action_scale_clip(self, factor: float) -> None:
        self.link.send(commands.ScaleClip(factor))

    def action_next_init(self) -> None:
        self.link.send(commands.NextInit())

    def action_toggle_activation(self) -> None:
        if self.latest is not None and self.latest.status.model not in VANILLA_MODELS:
            self.notify("a switches tanh ↔ ReLU of a vanilla RNN: press m for rnn-tanh first", severity="warning")
            return
        self.link.send(commands.ToggleActivation())

    def action_next_model(self) -> None:
        self.link.send(commands.NextModel())

    def action_reset(self) -> None:
        self.link.send(commands.Reset())

    def action_export(self) -> None:
        self.link.send(commands.Export(screen_svg=self.export_screenshot()))

    def action_new_sample(self) -> None:
        self.link.send(commands.NewSample(self.view.temperature))

    def action_temperature(self, factor: float) -> None:
        self.view = self.view.scale_temperature(factor)
        self.action_new_sample()
        self._repaint()

    def action_quit(self) -> None:
        self.link.stop()
        self.exit(0)

    # --- the view --------------------------------------------------------------------------------

    def _change_view(self, change) -> None:
        """Apply a ViewState method that needs the frame's sizes; nothing to move before a probe arrives."""
        if self.latest is None or self.latest.probe is None:
            return
        self.view = change(self.view, *_frame_sizes(self.latest))
        self._repaint()

    def action_move_cursor(self, delta: int) -> None:
        self._change_view(lambda view, T, H, layers: view.move_cursor(delta, T))

    def action_move_unit(self, delta: int) -> None:
        self._change_view(lambda view, T, H, layers: view.move_unit(delta, H))

    def action_scroll_units(self, pages: int) -> None:
        self._change_view(lambda view, T, H, layers: view.scroll_units(pages, H))

    def action_next_layer(self) -> None:
        self._change_view(lambda view, T, H, layers: view.next_layer(layers))

    def action_toggle_unit_order(self) -> None:
        self.view = self.view.toggle_unit_order()
        self._repaint()

    def action_zoom(self) -> None:
        self.dashboard.toggle_zoom()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Page keys only exist while the panels are paged (small terminal)."""
        if action == "page":
            return self.dashboard.paged
        return True

    def action_page(self, index: int) -> None:
        self.dashboard.select_page(index)

    def action_help(self) -> None:
        from rnnscope.ui.help_screen import HelpScreen  # Markdown is slow to import: not on the first paint's path

        self.push_screen(HelpScreen())


def _frame_sizes(frame: Frame) -> tuple[int, int, int]:
    """(T, H, layers) of the frame's probe; zeros before the first probe."""
    if frame.probe is None or not frame.probe.layers:
        return 0, 0, 0
    layer = frame.probe.layers[0]
    return layer.hidden.shape[0], layer.hidden.shape[1], len(frame.probe.layers)


def make_app(source_factory: SourceFactory, *, run_label: str = "", start_paused: bool = False) -> RnnscopeApp:
    """The app the CLI runs and the tests drive; source_factory runs on the worker thread (it may import torch)."""
    return RnnscopeApp(source_factory, run_label=run_label, start_paused=start_paused)
