"""The dashboard app: wires one run's client (its parts in, commands out), the keys, the view state and the panels.

The first paint is the status bar's "loading…" alone. After it, start_run starts the run's client
(the engine process imports torch meanwhile) and loads numpy, the parts and the panels: methods that run only
after start_run import those where they use them, so nothing heavy is on the first paint's path.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import io
import os
import signal
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from textual import events
from textual.app import App, ComposeResult
from textual.css.query import NoMatches
from textual.message import Message
from textual.widget import Widget

from rnnscope import startup
from rnnscope.contracts import commands
from rnnscope.contracts.visible import safe_text
from rnnscope.ui import keymap
from rnnscope.ui.command_palette import DashboardCommands
from rnnscope.ui.key_bar import KeyBar
from rnnscope.ui.status_bar import LOADING, StatusBar
from rnnscope.ui.too_small import TooSmall, is_too_small
from rnnscope.ui.view_keys import ViewKeys, frame_sizes
from rnnscope.ui.view_state import ViewState

if TYPE_CHECKING:
    from rnnscope.contracts.frames import Frame
    from rnnscope.contracts.parts import Update
    from rnnscope.contracts.source import SourceFactory
    from rnnscope.lessons import Lesson

HERE = Path(__file__).parent
SIGNAL_EXIT_S = 3.0  # after SIGTERM / SIGHUP the process is gone within this, even if the terminal hangs the exit
SERVED_NOTICE_S = 60.0  # how long the served address stays in the corner (it is also on stderr after the run)
WEB_EXPORT = "rnnscope-screen.svg"  # what `e` sends a browser tab (--serve)


class Client(Protocol):
    """One run's link (rnnscope.runner.engine_client.EngineClient, rnnscope.ui.source_link.SourceLink)."""

    def start(self): ...
    def connect(self, deliver, fail) -> None: ...
    def send(self, command: commands.Command) -> None: ...
    def stop(self) -> None: ...


class RunParts(Message):
    """A batch of one run's updates, as its client delivers them: `side` "" alone, "a" or "b" in a compare."""

    def __init__(self, updates: list[Update], side: str = "") -> None:
        super().__init__()
        self.updates, self.side = updates, side


class RnnscopeApp(ViewKeys, App[int]):
    """Shows the latest parts of one run's client and sends it the user's commands."""

    CSS_PATH = [HERE / "app.tcss", HERE / "panels.tcss", HERE / "lessons" / "lessons.tcss"]  # absolute paths:
    # subclasses may live elsewhere
    TITLE = "rnnscope"
    BINDINGS = keymap.bindings()
    COMMANDS = App.COMMANDS | {DashboardCommands}
    AUTO_FOCUS = None  # no panel is highlighted until the user tabs to one
    ALLOW_IN_MAXIMIZED_VIEW = "StatusBar, CompareBar, KeyBar"  # a zoomed panel (z) keeps the status line and keys

    def __init__(self, client: Client, *, run_label: str = "", start_paused: bool = False,
                 lesson: Lesson | None = None, steering: bool = True, replay: bool = False) -> None:
        super().__init__()
        self.steering = steering  # False: attached to another process's run, the training keys are unavailable
        self.replay = replay  # a finished run's recorded frames: space, n and r play them (keymap.REPLAY_KEYS)
        self.keys = keymap.own_keys(steering, replay)  # what the key bar and the help show
        self.own_actions = {keymap.action_name(entry) for entry in self.keys}
        self.lesson = lesson  # shown in a lesson panel, checked live on the run's lesson_evidence
        self.next_lesson: str | None = None  # chosen with L: the CLI starts it when the app has exited
        self.named_unit: int | None = None  # the unit the lesson's check named last (selected when it named it)
        self.sub_title = safe_text(run_label)
        self.client = client
        self.stores: dict = {}  # per run ("" alone, "a" / "b" in a compare): a PartStore, made by start_run
        self.frames: dict[str, Frame | None] = {side: None for side in self.sides()}  # the picture each run's parts make
        self.view = ViewState()
        self.painted: tuple[Frame | None, ViewState] = (None, self.view)  # what the panels show now
        self._notice_seqs: dict[str, int] = {}  # per run ("" alone, "a" / "b" in a compare): the last notice shown
        self.status_bar = StatusBar(id="status", loading=LOADING + (" (starts paused)" if start_paused else ""))
        self.dashboard = None  # the panels, mounted by start_run
        self.review = None  # the recorded frames shown instead of the live probe (rnnscope.ui.review), from , or .

    def compose(self) -> ComposeResult:
        yield self.status_bar

    def on_mount(self) -> None:
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGHUP):
            with contextlib.suppress(ValueError, RuntimeError):  # not the main thread (tests)
                loop.add_signal_handler(signum, self._signalled, signum)
        self.call_after_refresh(self.start_run)  # "loading…" is on the screen first

    async def start_run(self) -> None:
        """After the first paint: start the run, mount the panels, then take the run's updates."""
        if self.return_code is not None:  # quit before the first paint: nothing to start
            return
        try:
            self.client.start()  # the engine process imports torch while the panels load here
        except Exception as error:  # no process could be made (memory, process limits): one line, exit 1
            self._fail(f"cannot start the training process: {type(error).__name__}: {error}")
            return
        from rnnscope.contracts.parts import PartStore

        self.stores = {side: PartStore() for side in self.sides()}
        await self.mount_all(self.run_widgets())
        self.refresh_bindings()  # a footer mounted after the screen's start fills in when the bindings are published
        self.dashboard.fit(self.size.width, self.size.height)
        if self.lesson is not None:
            from rnnscope.ui.lessons.lesson_panel import LOOK_CLASS

            for panel in self.dashboard.panels:
                panel.set_class(panel.title in self.lesson.look_at, LOOK_CLASS)
        self.client.connect(lambda updates, side="": self.post_message(RunParts(updates, side)), self._fail)
        from rnnscope.serve.alongside import served_url

        if served_url() is not None:  # --serve on this training command: the address the room opens
            self.notify(f"served to browsers, read-only: {served_url()}", timeout=SERVED_NOTICE_S)
        self.call_after_refresh(startup.started)  # start-up objects never need collecting again

    def run_widgets(self) -> list[Widget]:
        """Below the status bar: the lesson panel (in a lesson), the panels, the too-small notice, the keys."""
        from rnnscope.ui.dashboard import Dashboard
        from rnnscope.ui.lessons.lesson_panel import LessonPanel

        self.dashboard = self.dashboard or Dashboard(id="dashboard")
        lesson = [] if self.lesson is None else [LessonPanel(self.lesson, id="lesson")]
        return [*lesson, self.dashboard, TooSmall(id="too-small"), KeyBar(id="keys")]

    def _signalled(self, signum: int) -> None:
        """SIGTERM / SIGHUP: tell the engine to quit, restore the terminal, exit 128 + signum. A terminal that has
        gone away can hang Textual's exit, so the process ends by itself SIGNAL_EXIT_S later whatever happens
        (the engine, told to quit, finishes an export on its own)."""
        self.client.stop()
        deadline = threading.Timer(SIGNAL_EXIT_S, os._exit, (128 + signum,))
        deadline.daemon = True
        deadline.start()
        self.exit(return_code=128 + signum)

    def on_unmount(self) -> None:
        """However the app ends, the source is told to quit."""
        self.client.stop()

    # --- parts in --------------------------------------------------------------------------------

    @staticmethod
    def sides() -> tuple[str, ...]:
        """The runs this dashboard shows: one, under the key "" (a compare: "a" and "b")."""
        return ("",)

    @property
    def latest(self) -> Frame | None:
        """The picture the (first) run's parts make."""
        return self.frames[self.sides()[0]]

    def on_run_parts(self, message: RunParts) -> None:
        """Keep the newest of each part of the message's run, then show them (the source sets the rate)."""
        from rnnscope.ui.lessons.lesson_panel import LessonPanel, live_check
        from rnnscope.ui.safe_frame import safe_frame

        updates, side = message.updates, message.side
        store = self.stores[side]
        for update in updates:
            store.receive(update)
            self._show_notice(update, side)
        frame = store.frame()
        if frame is None:
            return
        self.frames[side] = safe_frame(frame)  # the one gate for the free text the widgets print
        try:
            if self.lesson is not None and any("lesson_evidence" in update.parts for update in updates):
                evidence = {run: None if f is None else f.lesson_evidence for run, f in self.frames.items()}
                result = live_check(self.lesson, evidence)
                self.query_one(LessonPanel).show_check(result)
                self._select_named_unit(result.evidence)
            self.received(side)
            self._repaint()
        except NoMatches:  # an update that arrived while the app closes: its panels are already gone
            return

    def _select_named_unit(self, numbers: dict) -> None:
        """A check that names a unit (lstm-gates: the unit that stores the key) selects it with the cursor at the key
        (t = 0), once per unit it names: the arrows move on from there."""
        units = numbers.get("units") if isinstance(numbers, dict) else None
        if not units or units[0].get("unit") == self.named_unit:
            return
        self.named_unit = int(units[0]["unit"])
        page, order = self.dashboard.unit_page(), self.shown_unit_order()
        self._change_view(lambda view, T, H, layers: dataclasses.replace(
            view, unit=min(self.named_unit, H - 1), cursor_t=0).move_unit(0, H, page, order))

    def received(self, side: str) -> None:
        """After `side`'s new frame, before the repaint (a compare's top line follows both runs)."""

    def _fail(self, reason: str) -> None:
        self.client.stop()
        self.exit(return_code=1, message=f"rnnscope: {safe_text(reason)}")

    def _repaint(self) -> None:
        """Push the newest frame (or the reviewed one) and view to the panels, if either changed; each panel checks
        its own parts."""
        frame = self.latest if self.review is None else self.review.overlay(self.latest)
        if frame is None or self.painted == (frame, self.view):
            return
        if self.painted[0] is not frame:
            self.view = self.view.clamp(*frame_sizes(frame))
        if frame.status != self.status_bar.shown:  # a new status, or the review's label
            self.status_bar.show_status(frame.status)
        self.dashboard.show(frame, self.view)
        if hasattr(self.screen, "show_frame"):  # a page over the dashboard that follows the frame (the Units page)
            self.screen.show_frame(self.units_frame(), self.view)
        self.painted = (frame, self.view)

    def _show_notice(self, update: Update, side: str = "") -> None:
        """A run's new notice as a toast (a compared run's prefixed with its side: `A: …`)."""
        version_notice = update.parts.get("notice")
        notice = version_notice[1] if version_notice else None
        if notice is not None and notice.seq > self._notice_seqs.get(side, 0):
            self._notice_seqs[side] = notice.seq
            severity = notice.level if notice.level in ("warning", "error") else "information"
            self.notify(f"{side.upper()}: {notice.text}" if side else notice.text, severity=severity)

    def notify(self, message: str, *, title: str = "", severity="information", timeout: float | None = None,
               markup: bool = False) -> None:
        """Every toast goes through here: plain text (a file name's [brackets] are not markup), made visible-safe."""
        super().notify(safe_text(message), title=safe_text(title), severity=severity, timeout=timeout, markup=markup)

    def on_resize(self, event: events.Resize) -> None:
        self.screen.set_class(is_too_small(event.size.width, event.size.height), "-too-small")
        if self.dashboard is not None:
            self.dashboard.fit(event.size.width, event.size.height)

    # --- commands to the source --------------------------------------------------------------------

    def send_setting(self, command: commands.Command) -> None:
        """A setting key's command (c [ ] i a m r): to the run (a compare sends it to the selected run)."""
        self.client.send(command)

    def action_toggle_pause(self) -> None:
        self.client.send(commands.TogglePause())

    def action_step(self) -> None:
        self.client.send(commands.Step())

    def action_toggle_clip(self) -> None:
        self.send_setting(commands.ToggleClip())

    def action_scale_clip(self, factor: float) -> None:
        self.send_setting(commands.ScaleClip(factor))

    def action_next_init(self) -> None:
        self.send_setting(commands.NextInit())

    def action_toggle_activation(self) -> None:
        self.send_setting(commands.ToggleActivation())

    def action_next_model(self) -> None:
        self.send_setting(commands.NextModel())

    def action_reset(self) -> None:
        self.send_setting(commands.Reset())

    def export_screenshot(self, *, title: str | None = None, simplify: bool = False) -> str:
        """Textual's SVG with its spaces kept: each run of text is a <text> whose leading and trailing spaces an
        SVG renderer (librsvg, Inkscape) drops unless told to keep them ('train 1.899val   2.007nats')."""
        svg = super().export_screenshot(title=title, simplify=simplify)
        return svg.replace("<svg ", '<svg xml:space="preserve" ', 1)

    def action_export(self) -> None:
        if self.is_web:  # a browser tab (--serve): the screen comes to the browser as a download, nothing is written
            self.deliver_binary(io.BytesIO(self.export_screenshot().encode()), save_filename=WEB_EXPORT,
                                mime_type="image/svg+xml")
            self.notify(f"exported {WEB_EXPORT}: your browser downloads it")
            return
        self.client.send(commands.Export(screen_svg=self.export_screenshot()))

    def action_new_sample(self) -> None:
        self.client.send(commands.NewSample())

    def action_temperature(self, factor: float) -> None:
        self.client.send(commands.ScaleTemperature(factor))

    def action_lessons(self) -> None:
        from rnnscope.ui.lessons.lesson_list import LessonList

        self.push_screen(LessonList(), self._start_lesson)

    def _start_lesson(self, name: str | None) -> None:
        """A lesson chosen in the list: stop this run and let the CLI start the lesson's."""
        if name is not None:
            self.next_lesson = name
            self.client.stop()
            self.exit(0)

    def action_quit(self) -> None:
        self.client.stop()
        self.exit(0)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Page keys only exist while the panels are paged (small terminal); a dashboard attached to another
        process's run has no steering keys, a replay only its own (keymap.own_keys)."""
        if action in ("page", "zoom"):
            return self.dashboard is not None and (action == "zoom" or self.dashboard.paged)
        return action in self.own_actions or action not in keymap.ACTIONS  # Textual's own (Tab) stay

    def action_help(self) -> None:
        from rnnscope.ui.help_screen import HelpScreen  # Markdown is slow to import: not on the first paint's path

        self.push_screen(HelpScreen(self.keys))


def make_app(source: SourceFactory | Client, *, run_label: str = "", start_paused: bool = False,
             lesson: Lesson | None = None, steering: bool = True, replay: bool = False) -> RnnscopeApp:
    """The app the CLI runs and the tests drive: on a client (the app starts it), or on a factory of an in-thread
    source (called on that thread: it may be slow)."""
    if hasattr(source, "connect"):
        client = source
    else:
        from rnnscope.ui.source_link import SourceLink  # the tests' and replays' link: not on the CLI's path

        client = SourceLink(source)
    return RnnscopeApp(client, run_label=run_label, start_paused=start_paused, lesson=lesson, steering=steering,
                       replay=replay)
