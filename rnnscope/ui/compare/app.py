"""The compare dashboard: two runs' clients (A and B), one PartStore each, one shared view, a selected run.

space, n, e and g act on both runs (e through A, which leads the paired export); the setting keys act on the
selected run; `s` switches the selection. As in rnnscope.ui.app, numpy, the parts and the panels load after
the first paint (start_run).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual.reactive import reactive
from textual.widget import Widget

from rnnscope.compare.options import SIDES
from rnnscope.contracts import commands
from rnnscope.contracts.states import RUNNING
from rnnscope.ui import keymap
from rnnscope.ui.app import Client, RnnscopeApp
from rnnscope.ui.compare.bar import LIVE_HINT, REPLAY_HINT, CompareBar
from rnnscope.ui.view_keys import frame_sizes, unit_order_of

if TYPE_CHECKING:
    from rnnscope.contracts.frames import Frame
    from rnnscope.lessons import Lesson

HERE = Path(__file__).parent


class PairClient:
    """Both runs' clients as one: commands to both, stop both; updates are delivered with their side."""

    def __init__(self, clients: dict[str, Client]) -> None:
        self.clients = clients

    def start(self) -> PairClient:
        for client in self.clients.values():
            client.start()
        return self

    def connect(self, deliver, fail) -> None:
        for side, client in self.clients.items():
            client.connect(lambda updates, side=side: deliver(updates, side),
                           lambda reason, side=side: fail(f"run {side.upper()}: {reason}"))  # which run it was

    def send(self, command: commands.Command) -> None:
        for client in self.clients.values():
            client.send(command)

    def stop(self) -> None:
        for client in self.clients.values():
            client.stop()


class CompareApp(RnnscopeApp):
    """Shows runs A and B side by side; `differs` is compare.what_differs (`B: clip off`)."""

    CSS_PATH = [*RnnscopeApp.CSS_PATH, HERE / "compare.tcss"]
    BINDINGS = keymap.bindings(keymap.COMPARE_KEYS)  # after the dashboard's (Textual merges the classes' bindings)
    selected = reactive("a")  # the run the setting keys act on: the one owner; the bar and the columns follow it

    def __init__(self, clients: dict[str, Client], *, differs: str, run_label: str = "",
                 start_paused: bool = False, lesson: Lesson | None = None, replay: bool = False) -> None:
        super().__init__(PairClient(clients), run_label=run_label, start_paused=start_paused, lesson=lesson,
                         replay=replay)
        self.clients = clients
        self.status_bar = CompareBar(differs, hint=REPLAY_HINT if replay else LIVE_HINT, id="status")
        self.differs = differs

    def run_widgets(self) -> list[Widget]:
        from rnnscope.ui.compare.dashboard import CompareDashboard

        self.dashboard = CompareDashboard({"a": "A", "b": self.differs}, id="dashboard")
        return super().run_widgets()

    async def start_run(self) -> None:
        await super().start_run()
        self.watch_selected(self.selected)

    def watch_selected(self, selected: str) -> None:
        if self.dashboard is not None:
            self.dashboard.select(selected)
        self.status_bar.show(selected, all(self.frames.values()))
        if hasattr(self.screen, "show_frame"):  # the Units page follows the selected run (s)
            self.screen.show_frame(self.units_frame(), self.view)

    # --- parts in --------------------------------------------------------------------------------

    @staticmethod
    def sides() -> tuple[str, ...]:
        return SIDES

    def received(self, side: str) -> None:
        self.status_bar.show(self.selected, all(self.frames.values()))

    def _repaint(self) -> None:
        shown = {side: self.frames[side] if self.review is None else self.review.overlay(self.frames[side], side)
                 for side in SIDES}  # under review: each run's recorded frame of the same step
        frames = tuple(shown.values())
        if not any(frames) or self.painted == (frames, self.view):
            return
        sizes = self.view_sizes()
        if self.painted[0] != frames and sizes is not None:
            self.view = self.view.clamp(*sizes)
        self.dashboard.show(shown, self.view)
        if hasattr(self.screen, "show_frame"):  # the Units page: the selected run's
            self.screen.show_frame(self.units_frame(), self.view)
        self.painted = (frames, self.view)

    def units_run(self) -> str:
        return f"run {self.selected.upper()} (s switches)"

    def units_frame(self) -> Frame | None:
        frame = self.frames[self.selected]
        return frame if self.review is None or frame is None else self.review.overlay(frame, self.selected)

    def view_sizes(self) -> tuple[int, int, int] | None:
        """The cursor, unit and layer move together on both sides: within the smaller run's sizes."""
        sizes = [frame_sizes(f) for f in self.frames.values() if f is not None and f.probe is not None]
        return tuple(min(values) for values in zip(*sizes)) if sizes else None

    # --- commands --------------------------------------------------------------------------------

    def shown_unit_order(self) -> list[int] | None:
        """The selected run's order (most active first differs between the runs)."""
        return unit_order_of(self.frames[self.selected], self.view)

    def send_setting(self, command: commands.Command) -> None:
        self.clients[self.selected].send(command)

    def action_toggle_pause(self) -> None:
        """Pause every run that is running; when none is, resume both (a diverged run tries again)."""
        states = {side: frame.status.state for side, frame in self.frames.items() if frame is not None}
        running = [side for side, state in states.items() if state == RUNNING]
        for side in running or SIDES:
            self.clients[side].send(commands.TogglePause())

    def action_export(self) -> None:
        """A leads the paired export: it picks the step, B follows, A draws the compare figure."""
        self.clients["a"].send(commands.Export(screen_svg=self.export_screenshot()))

    def action_switch_side(self) -> None:
        self.selected = "b" if self.selected == "a" else "a"
