"""`--replay DIR`: browse a run's exported snapshots in the dashboard, without the training core."""

from __future__ import annotations

import dataclasses
import queue
from pathlib import Path

from rnnscope.contracts import commands
from rnnscope.contracts.errors import InputError
from rnnscope.contracts.frames import Frame, Notice
from rnnscope.contracts.parts import frame_parts
from rnnscope.contracts.source import Publish
from rnnscope.runner.streams import terminal_problem
from rnnscope.storage.snapshot_io import SnapshotError, list_snapshots, load_snapshot_frame

PLAY_INTERVAL_S = 1.0
REPLAY = "REPLAY"
PLAYING, STOPPED = "▶", "‖"  # beside REPLAY on the status line: space plays / stops


class ReplaySource:
    """A FrameSource over snapshot folders: n next, r first, space plays them one a second."""

    def __init__(self, snapshots: list[Path]):
        self.snapshots = snapshots
        self.index = 0
        self.playing = False
        self.notice_seq = 0
        self._last: Frame | None = None  # shown again, with the error, when a snapshot cannot be read

    def run(self, publish: Publish, inbox: queue.Queue) -> None:
        publish(self._frame("n: next snapshot, r: first, space: play"))
        while True:
            try:
                command = inbox.get(timeout=PLAY_INTERVAL_S if self.playing else 0.1)
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
                    publish(self._frame("playing" if self.playing else "paused"))
                case commands.Reset():
                    self.index = 0
                    publish(self._frame("first snapshot"))
                case _:
                    publish(self._frame("replay: training controls are off; rerun with --resume to train"))

    def _advance(self, publish: Publish) -> None:
        self.index = (self.index + 1) % len(self.snapshots)
        publish(self._frame(""))

    def _frame(self, message: str) -> dict[str, object]:
        folder = self.snapshots[self.index]
        try:
            frame = load_snapshot_frame(folder)
        except SnapshotError as err:
            if self._last is None:
                raise
            self.notice_seq += 1
            return frame_parts(dataclasses.replace(self._last, notice=Notice(self.notice_seq, "error", str(err))))
        position = f"snapshot {self.index + 1}/{len(self.snapshots)} ({folder.name})"
        self.notice_seq += 1
        self._last = dataclasses.replace(
            frame, status=dataclasses.replace(frame.status, state=f"{REPLAY} {PLAYING if self.playing else STOPPED}"),
            notice=Notice(self.notice_seq, "information", f"{position}. {message}".strip()))
        return frame_parts(self._last)


def run_replay(run_dir: Path) -> int:
    """Check the folder, then open the dashboard on its snapshots."""
    try:
        snapshots = list_snapshots(run_dir)
    except SnapshotError as err:
        raise InputError(f"{err}: give the --run-dir of an earlier run you can read") from None
    if not snapshots:
        raise InputError(f"{run_dir} is not an rnnscope run folder (no step-NNNNNN snapshots in it): "
                         "give the --run-dir of an earlier run")
    try:
        load_snapshot_frame(snapshots[0])
    except SnapshotError as err:
        raise InputError(f"cannot replay {run_dir}: {err}") from None
    problem = terminal_problem()
    if problem is not None:
        raise InputError(f"{problem}: run rnnscope --replay in a terminal")
    from rnnscope.ui.app import make_app

    app = make_app(lambda: ReplaySource(snapshots), run_label=f"replay {run_dir}", start_paused=True)
    app.run()
    return app.return_code or 0
