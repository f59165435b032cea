"""`--replay DIR`: browse a finished run in the dashboard, without the training core: its exported snapshots and the
frames of its timeline, in step order (a compare's two runs side by side, B at A's step)."""

from __future__ import annotations

import dataclasses
import queue
from pathlib import Path

from rnnscope.contracts import commands
from rnnscope.contracts.errors import InputError
from rnnscope.contracts.frames import Frame, Notice
from rnnscope.contracts.parts import frame_parts
from rnnscope.contracts.source import Publish
from rnnscope.contracts.states import REPLAY
from rnnscope.runner.replay_stops import StepClock, Stop, replay_stops, timeline_parts
from rnnscope.runner.streams import terminal_problem
from rnnscope.storage.snapshot_io import SnapshotError, list_snapshots
from rnnscope.storage.snapshot_load import load_snapshot_frame
from rnnscope.storage.timeline import TimelineError, TimelineReader

PLAY_INTERVAL_S = 1.0  # one snapshot a second
PLAY_FRAMES_S = 0.25  # with a timeline's frames: four a second
PLAYING, STOPPED = "▶", "‖"  # beside REPLAY on the status line: space plays / stops
HELP = "n: next, r: first, space: play"


class ReplaySource:
    """A FrameSource over a run's stops (snapshot folders and timeline frames): n next, r first, space plays.

    With a `clock` shared by two sources (a compare), the leader ("a") moves and publishes its step on it; the
    follower shows its own stop at or before that step and ignores the navigation keys."""

    def __init__(self, snapshots: list[Path], timeline: TimelineReader | None = None,
                 clock: StepClock | None = None, follower: bool = False):
        self.reader = timeline
        self.stops = replay_stops(snapshots, timeline)
        self.index = 0
        self.playing = False
        self.notice_seq = 0
        self.clock, self.follower = clock, follower
        self._snapshots: dict[Path, Frame] = {}
        self._last: Frame | dict | None = None  # shown again, with the error, when a stop cannot be read
        self.first_config = None  # the first stop's settings (RunConfig), read by check()
        self.interval = PLAY_FRAMES_S if any(stop.entry is not None for stop in self.stops) else PLAY_INTERVAL_S

    def run(self, publish: Publish, inbox: queue.Queue) -> None:
        if self.follower:
            self._follow(publish, inbox)
            return
        publish(self._show(HELP))
        while True:
            try:
                command = inbox.get(timeout=self.interval if self.playing else 0.1)
            except queue.Empty:
                if self.playing:
                    self._advance(publish)
                continue
            match command:
                case commands.Quit():
                    return
                case commands.Step():
                    self._advance(publish)
                case commands.TogglePause():
                    self.playing = not self.playing
                    publish(self._show("playing" if self.playing else "paused"))
                case commands.Reset():
                    self.index = 0
                    publish(self._show("first"))
                case _:
                    publish(self._show("replay: training controls are off; rerun with --resume to train"))

    def _follow(self, publish: Publish, inbox: queue.Queue) -> None:
        """Show the stop at or before the leader's step whenever it moves; quit with the leader."""
        shown = None
        while True:
            step, playing = self.clock.now()
            if (step, playing) != shown and step is not None:
                self.index = max([i for i, stop in enumerate(self.stops) if stop.step <= step] or [0])
                self.playing, shown = playing, (step, playing)
                publish(self._show(""))
            try:
                if isinstance(inbox.get(timeout=0.05), commands.Quit):
                    return
            except queue.Empty:
                continue

    def _advance(self, publish: Publish) -> None:
        self.index = (self.index + 1) % len(self.stops)
        publish(self._show(""))

    def _show(self, message: str) -> dict[str, object]:
        stop = self.stops[self.index]
        try:
            parts = self._parts(stop)
        except (SnapshotError, TimelineError) as err:
            if self._last is None:
                raise
            self.notice_seq += 1
            return {**self._last, "notice": Notice(self.notice_seq, "error", str(err))}
        if self.clock is not None and not self.follower:
            self.clock.set(stop.step, self.playing)
        self.notice_seq += 1
        parts["status"] = dataclasses.replace(parts["status"],
                                              state=f"{REPLAY} {PLAYING if self.playing else STOPPED}")
        parts["notice"] = Notice(self.notice_seq, "information",
                                 f"{stop.describe()} {self.index + 1}/{len(self.stops)}. {message}".strip())
        self._last = parts
        return parts

    def _parts(self, stop: Stop) -> dict[str, object]:
        """The parts of a stop: a snapshot's whole frame; a timeline frame over the snapshot before it (its settings
        and histories up to the frame's step), or on its own when the run exported none."""
        if stop.folder is not None:
            return frame_parts(self._snapshot(stop.folder))
        frame = self.reader.load(stop.entry.id)
        base_folder = next((s.folder for s in reversed(self.stops[: self.index + 1]) if s.folder is not None),
                           next((s.folder for s in self.stops if s.folder is not None), None))
        base = self._snapshot(base_folder) if base_folder is not None else None
        return timeline_parts(frame, base, self.reader.index(), self.reader.run_dir)

    def check(self) -> None:
        """Read the first stop now (SnapshotError or TimelineError when it cannot be), before a screen opens; its
        settings are `first_config` (a compare's header names what B changed)."""
        self.first_config = self._parts(self.stops[0])["status"].config

    def _snapshot(self, folder: Path) -> Frame:
        if folder not in self._snapshots:
            self._snapshots[folder] = load_snapshot_frame(folder)
        return self._snapshots[folder]


def checked_source(run_dir: Path, clock: StepClock | None = None, follower: bool = False) -> ReplaySource:
    """The replay of one run folder, its first stop read (InputError when the folder holds neither snapshots nor a
    timeline, or they cannot be read; the snapshots read stay cached for the dashboard)."""
    try:
        snapshots = list_snapshots(run_dir)
    except SnapshotError as err:
        raise InputError(f"{err}: give the --run-dir of an earlier run you can read") from None
    reader = TimelineReader(run_dir)
    try:
        timeline = reader if reader.exists() and reader.index() else None
    except TimelineError as err:
        raise InputError(f"cannot replay {run_dir}: its timeline: {err}") from None
    if not snapshots and timeline is None:
        raise InputError(f"{run_dir} is not an rnnscope run folder (no step-NNNNNN snapshots, no timeline in it): "
                         "give the --run-dir of an earlier run")
    source = ReplaySource(snapshots, timeline, clock, follower)
    try:
        source.check()
    except (SnapshotError, TimelineError) as err:
        raise InputError(f"cannot replay {run_dir}: {err}") from None
    return source


def run_replay(run_dir: Path) -> int:
    """Check the folder, then open the dashboard on its stops; a compare's folder (a/ and b/) on the compare screen."""
    sides = {side: run_dir / side for side in ("a", "b")}
    try:
        own = bool(list_snapshots(run_dir)) or TimelineReader(run_dir).exists()
    except SnapshotError:
        own = True  # checked_source says what is wrong with it
    paired = all(folder.is_dir() for folder in sides.values()) and not own
    lone = [side for side, folder in sides.items() if folder.is_dir()]
    if not own and len(lone) == 1:
        other = "b" if lone == ["a"] else "a"
        raise InputError(f"{run_dir} is a compare's folder without {other}/ (its run {other.upper()} recorded "
                         f"nothing): replay the run it holds with rnnscope --replay {sides[lone[0]]}")
    clock = StepClock() if paired else None
    sources = {side: checked_source(folder, clock, follower=side == "b") for side, folder in sides.items()} \
        if paired else {"": checked_source(run_dir)}
    problem = terminal_problem()
    if problem is not None:
        raise InputError(f"{problem}: run rnnscope --replay in a terminal")
    if not paired:
        from rnnscope.ui.app import make_app

        app = make_app(lambda: sources[""], run_label=f"replay {run_dir}", start_paused=True, replay=True)
    else:
        from rnnscope.ui.compare.app import CompareApp
        from rnnscope.ui.source_link import SourceLink

        links = {side: SourceLink(lambda side=side: sources[side]) for side in sources}
        app = CompareApp(links, differs=compare_header(sources), run_label=f"replay {run_dir}", start_paused=True, replay=True)
    app.run()
    return app.return_code or 0


def compare_header(sources: dict[str, ReplaySource]) -> str:
    """What B changed, as the live compare's header said it (`B: model lstm`), from each run's first stop."""
    from rnnscope.compare.options import what_differs

    return what_differs(sources["a"].first_config, sources["b"].first_config)
