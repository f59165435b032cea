"""`--attach RUN_DIR`: the dashboard on a timeline another process is writing (polls its index; no torch)."""

from __future__ import annotations

import os
import queue
import time
from pathlib import Path

import numpy as np

from rnnscope.contracts import commands
from rnnscope.contracts.frames import Notice, RunStatus
from rnnscope.contracts.source import Publish
from rnnscope.contracts.states import WAITING, WATCHING
from rnnscope.storage.atomic_file import replace_atomically, write_synced
from rnnscope.storage.regular_file import NotReadable, read_regular
from rnnscope.storage.timeline import TIMELINE, TimelineError, TimelineFrame, TimelineReader
from rnnscope.storage.timeline.facts import last_step, named_layers, recorded_units, sample, timeline_status, vocab
from rnnscope.storage.timeline.heartbeat import HeartbeatError, read_heartbeat, writer_state
from rnnscope.storage.timeline.index import frame_name
from rnnscope.storage.timeline.reader import MAX_FRAME_BYTES

POLL_S = 0.25  # how often the index and the heartbeat are read
LOAD_S = 0.1  # the longest one poll spends trying frames (an index of 100,000 unloadable rows: the rest next poll)
UNAVAILABLE = "attached to another process's run: keys that steer training are unavailable here"


class AttachSource:
    """A FrameSource over RUN_DIR's timeline: shows its newest frame; a frame it cannot read is a notice, skipped."""

    def __init__(self, run_dir: Path) -> None:
        self.run_dir = Path(run_dir)
        self.reader = TimelineReader(self.run_dir)
        self.shown_id: int | None = None  # the id of the frame on screen
        self.skipped: set[int] = set()  # frames that failed to load: not tried again
        self._history_key: tuple | None = None  # which index loss_history was built from
        self.frame: TimelineFrame | None = None  # the frame on screen
        self.beat = None  # the writer's last heartbeat
        self.loss_history = np.zeros((0, 2))  # [N, 2] (step, train loss) of the indexed frames
        self.notice: Notice | None = None
        self._said: set[str] = set()  # problems already told (each once)
        self._skip_reason = ""  # why the latest skipped frame could not be loaded

    def run(self, publish: Publish, inbox: queue.Queue) -> None:
        while True:
            self.poll()
            publish(self.parts())
            try:
                command = inbox.get(timeout=POLL_S)
            except queue.Empty:
                continue
            if isinstance(command, commands.Quit):
                return
            if isinstance(command, commands.Export):
                self.export(command.screen_svg)
            else:
                self.say("information", UNAVAILABLE, once=False)

    def export(self, screen_svg: str | None) -> None:
        """What is shown: RUN_DIR/attached/step-N/ with the screen (screen.svg) and the frame's file (frame.npz)."""
        if self.frame is None:
            self.say("warning", "nothing to export before the first frame", once=False)
            return
        target = self.run_dir / "attached" / f"step-{self.frame.entry.step:06d}"
        try:
            data = read_regular(self.reader.folder / frame_name(self.shown_id), max_bytes=MAX_FRAME_BYTES,
                                within=self.run_dir)
            for folder in (target.parent, target):  # the writer's folder: a link planted there is not followed
                if os.path.islink(folder) or (os.path.lexists(folder) and not folder.is_dir()):
                    raise NotReadable(f"{folder} is a link or a file, not a folder of the run: not written through")
            target.mkdir(parents=True, exist_ok=True)
            replace_atomically(target / "frame.npz", lambda temp: write_synced(temp, data))
            if screen_svg is not None:
                replace_atomically(target / "screen.svg", lambda temp: write_synced(temp, screen_svg.encode()))
        except NotReadable as err:
            self.say("error", f"export failed: {err}", once=False)
            return
        except OSError as err:
            self.say("error", f"export failed: {err.strerror or err} ({target})", once=False)
            return
        self.say("information", f"exported {target} (screen.svg, frame.npz)", once=False)

    def say(self, level: str, text: str, once: bool = True) -> None:
        if once and text in self._said:
            return
        self._said.add(text)
        self.notice = Notice((self.notice.seq if self.notice else 0) + 1, level, text)

    def poll(self) -> None:
        """Read the heartbeat and the index; load the newest frame not yet shown (one that cannot be loaded is
        skipped and counted in one notice). Linear in the index's rows, and at most LOAD_S spent loading."""
        try:
            self.beat = read_heartbeat(self.run_dir) or self.beat
        except HeartbeatError as err:
            self.say("warning", str(err))
        if not self.reader.exists():
            self._hint_compare()
            return
        try:
            entries = self.reader.index()
        except TimelineError as err:
            self.say("warning", f"cannot read the timeline's index: {err}")
            return
        key = (len(entries), entries[0].id, entries[-1].id) if entries else ()
        if key != self._history_key:
            rows = [(e.step, e.train_loss) for e in entries if e.train_loss is not None]
            self.loss_history = np.array(rows, dtype=np.float64).reshape(-1, 2)  # [N, 2]
            self._history_key = key
        skipped, deadline = len(self.skipped), time.monotonic() + LOAD_S
        for entry in reversed(entries):
            if self.shown_id is not None and entry.id <= self.shown_id:
                break
            if entry.id in self.skipped:
                continue
            try:
                frame = self.reader.load(entry.id)
            except TimelineError as err:
                self.skipped.add(entry.id)
                self._skip_reason = f"step {entry.step}: {err}"
                if time.monotonic() > deadline:
                    break  # the rest at the next poll: the status keeps moving
                continue
            self.frame, self.shown_id = frame, entry.id
            break
        if len(self.skipped) > skipped:
            count = len(self.skipped)
            self.say("warning", f"{count:,} frame{'s' if count > 1 else ''} of the timeline could not be loaded and "
                                f"{'are' if count > 1 else 'is'} skipped (the latest: {self._skip_reason})", once=False)

    def _hint_compare(self) -> None:
        """A compare's (a two-run lesson's) folder has no timeline of its own: say which to attach to."""
        if any(TimelineReader(self.run_dir / side).exists() for side in "ab"):
            self.say("warning", f"{self.run_dir} is a compare's folder: its runs write {self.run_dir / 'a'} and "
                                f"{self.run_dir / 'b'}; attach to one of them (rnnscope --attach {self.run_dir / 'a'})")

    def parts(self) -> dict[str, object]:
        parts = {"status": self.status(), "notice": self.notice, "loss_history": self.loss_history}
        if self.frame is not None:
            parts.update(probe=named_layers(self.frame), last_step=last_step(self.frame),
                         vocab=vocab(self.frame.meta, self.frame.probe),
                         memory=self.frame.memory, sample=sample(self.frame), units=recorded_units(self.frame))
        return parts

    def status(self) -> RunStatus:
        frame, beat = self.frame, self.beat
        state = WAITING if frame is None else (writer_state(beat) if beat else WATCHING)
        return timeline_status(frame, state, self.run_dir, beat)


def check_attach_dir(run_dir: Path) -> None:
    """A folder it may read, or one not made yet in a folder it may read (the dashboard waits for the writer to make
    it); InputError, saying what to give, for anything else."""
    from rnnscope.contracts.errors import InputError

    what = "give the RUN_DIR a Scope or an rnnscope run writes to"
    if run_dir.exists():
        if not run_dir.is_dir():
            raise InputError(f"--attach {run_dir}: not a folder; {what}")
        if not os.path.lexists(run_dir / TIMELINE) and any(os.path.lexists(run_dir / s / TIMELINE) for s in "ab"):
            raise InputError(f"--attach {run_dir}: a compare's folder (its runs write {run_dir / 'a'} and "
                             f"{run_dir / 'b'}); attach to one of them: rnnscope --attach {run_dir / 'a'}")
        folder = run_dir
    else:
        folder = run_dir.absolute().parent
        if not folder.exists():
            raise InputError(f"--attach {run_dir}: neither it nor {folder} exists; {what} (the dashboard waits "
                             "for a folder that is about to be made)")
        if not folder.is_dir():
            raise InputError(f"--attach {run_dir}: {folder} is not a folder; {what}")
    if not os.access(folder, os.R_OK | os.X_OK):
        raise InputError(f"--attach {run_dir}: cannot read {folder} (permission denied); attach as a user who may")


def run_attach(run_dir: Path) -> int:
    """Check the folder, then open the dashboard on it (it waits for the first frame)."""
    from rnnscope.contracts.errors import InputError
    from rnnscope.runner.streams import terminal_problem

    check_attach_dir(run_dir)
    problem = terminal_problem()
    if problem is not None:
        raise InputError(f"{problem}: run rnnscope --attach in a terminal")
    from rnnscope.ui.app import make_app

    app = make_app(lambda: AttachSource(run_dir), run_label=f"attached to {run_dir}", steering=False)
    app.run()
    return app.return_code or 0
