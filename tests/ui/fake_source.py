"""A FrameSource for UI tests: replays fake frames, records every command and reacts like the engine."""

from __future__ import annotations

import dataclasses
import queue
import threading

from rnnscope import commands
from rnnscope.config import INITS, MODELS
from rnnscope.frames import DIVERGED, PAUSED, RUNNING, Frame, Notice, Sample
from rnnscope.source import Publish
from tests.fake_frames import make_frame

RUN_DIR = "rnnscope-runs/fake"
TICK_S = 0.05  # how often a running fake source trains one step


def _next(options: tuple[str, ...], current: str) -> str:
    return options[(options.index(current) + 1) % len(options)]


class FakeSource:
    """Publishes make_frame() frames; the state (step, pause, clip, init, model, sample, notice) follows the commands."""

    def __init__(
        self,
        *,
        model: str = "lstm",
        paused: bool = True,
        step: int = 100,
        layers: int = 1,
        T: int = 24,
        H: int = 16,
        V: int = 12,
        diverged: bool = False,
        export_fails: bool = False,
    ) -> None:
        self.received: list[commands.Command] = []  # every command, in order of arrival
        self.export_svgs: list[str | None] = []  # the screenshots that Export commands carried
        self.published = 0  # frames published so far
        self.finished = threading.Event()  # set when run() has returned
        self.model = model
        self.state = DIVERGED if diverged else PAUSED if paused else RUNNING
        self.step = step
        self.clip: float | None = 1.0
        self.last_clip = 1.0
        self.init = "default"
        self.sample_temperature = 1.0
        self.notice: Notice | None = None
        self._sizes = {"layers": layers, "T": T, "H": H, "V": V}
        self._export_fails = export_fails

    def run(self, publish: Publish, commands_queue: queue.Queue, stop: threading.Event) -> None:
        try:
            self._loop(publish, commands_queue, stop)
        finally:
            self.finished.set()

    def _loop(self, publish: Publish, commands_queue: queue.Queue, stop: threading.Event) -> None:
        self._publish(publish)
        while not stop.is_set():
            try:
                command = commands_queue.get(timeout=TICK_S)
            except queue.Empty:
                if self.state == RUNNING:
                    self.step += 1
                    self._publish(publish)
                continue
            self.received.append(command)
            if isinstance(command, commands.Quit):
                return
            self._react(command)
            self._publish(publish)

    def _react(self, command: commands.Command) -> None:
        """Change the fake run the way the engine would."""
        match command:
            case commands.TogglePause():
                self.state = RUNNING if self.state != RUNNING else PAUSED
            case commands.Step() if self.state != RUNNING:
                self.step += 1
            case commands.ToggleClip():
                self.clip = None if self.clip is not None else self.last_clip
            case commands.ScaleClip(factor=factor):
                self.clip = self.last_clip = (self.clip or self.last_clip) * factor
            case commands.NextInit():
                self.init, self.step = _next(INITS, self.init), 1
            case commands.NextModel():
                self.model, self.step = _next(MODELS, self.model), 1
            case commands.ToggleActivation() if self.model.startswith("rnn-"):
                self.model = "rnn-relu" if self.model == "rnn-tanh" else "rnn-tanh"
            case commands.Reset():
                self.step = 1
            case commands.NewSample(temperature=temperature):
                self.sample_temperature = temperature
            case commands.Export(screen_svg=svg):
                self.export_svgs.append(svg)
                self.notice = self._export_notice()

    def _export_notice(self) -> Notice:
        seq = self.notice.seq + 1 if self.notice else 1
        if self._export_fails:
            return Notice(seq, "error", f"export failed: {RUN_DIR} is not writable")
        return Notice(seq, "information", f"snapshot written to {RUN_DIR}/step-{self.step:06d}")

    def frame(self) -> Frame:
        """The frame for the current fake state."""
        base = make_frame(model=self.model, step=self.step, seed=self.step, **self._sizes)
        diverged = f"step {self.step}, largest gradient 3.2e+08 (rnn.weight_hh_l0)" if self.state == DIVERGED else None
        status = dataclasses.replace(
            base.status, state=self.state, clip=self.clip, init=self.init, diverged=diverged
        )
        sample = Sample(self.step, base.sample.prime, base.sample.text, self.sample_temperature)
        return dataclasses.replace(base, seq=self.published + 1, status=status, sample=sample, notice=self.notice)

    def _publish(self, publish: Publish) -> None:
        frame = self.frame()
        self.published += 1
        publish(frame)
