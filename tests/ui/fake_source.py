"""A FrameSource for UI tests: replays fake frames, records every command and reacts like the engine."""

from __future__ import annotations

import dataclasses
import queue
import threading
from pathlib import Path

from rnnscope.contracts import commands
from rnnscope.contracts.config import INITS, MODELS
from rnnscope.contracts.frames import DIVERGED, PAUSED, RUNNING, Frame, Notice, Sample
from rnnscope.contracts.parts import frame_parts
from rnnscope.contracts.source import Publish
from rnnscope.storage.timeline import TimelineWriter
from rnnscope.storage.timeline.units_meta import units_meta
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
        run_dir: Path | None = None,
    ) -> None:
        self.received: list[commands.Command] = []  # every command, in order of arrival
        self.export_svgs: list[str | None] = []  # the screenshots that Export commands carried
        self.published = 0  # frames published so far (the link sends on only the parts that changed)
        self.finished = threading.Event()  # set when run() has returned
        self.model = model
        self.state = DIVERGED if diverged else PAUSED if paused else RUNNING
        self.step = step
        self.clip: float | None = 1.0
        self.last_clip = 1.0
        self.init = "default"
        self.temperature = 1.0
        self.sample_step = step  # the step the sample was drawn at
        self.notice: Notice | None = None
        self._sizes = {"layers": layers, "T": T, "H": H, "V": V}
        self._export_fails = export_fails
        self._base: tuple[tuple[str, int], Frame] | None = None
        self.run_dir = run_dir  # given: each new step's probe goes to run_dir/timeline/, as the engine's does
        self._timeline = None if run_dir is None else TimelineWriter(run_dir)

    def run(self, publish: Publish, inbox: queue.Queue) -> None:
        try:
            self._loop(publish, inbox)
        finally:
            self.finished.set()

    def _loop(self, publish: Publish, inbox: queue.Queue) -> None:
        self._publish(publish)
        while True:
            try:
                command = inbox.get(timeout=TICK_S)
            except queue.Empty:
                if self.state == RUNNING:
                    self.step += 1
                    self._publish(publish)
                continue
            self.received.append(command)
            if isinstance(command, commands.Quit):
                return
            self.apply(command)
            self._publish(publish)

    def apply(self, command: commands.Command) -> None:
        """Change the fake run the way Engine.apply does (tests/ui/test_fake_source.py checks it command by command)."""
        match command:
            case commands.TogglePause():
                self.state = RUNNING if self.state != RUNNING else PAUSED
            case commands.Step() if self.state == RUNNING:
                self._notify("warning", "n runs one step while paused: press space to pause first")
            case commands.Step():
                self.step += 1
            case commands.ToggleClip():
                self.clip = None if self.clip is not None else self.last_clip
            case commands.ScaleClip(factor=factor):
                self.last_clip = min(max((self.clip or self.last_clip) * factor, 1e-4), 1e4)
                self.clip = self.clip and self.last_clip  # while off only the remembered threshold (the engine's rule)
            case commands.NextInit():
                self.init = _next(INITS, self.init)
                self._reinitialised()
            case commands.NextModel():
                self.model = _next(MODELS, self.model)
                self._reinitialised()
            case commands.ToggleActivation() if self.model.startswith("rnn-"):
                self.model = "rnn-relu" if self.model == "rnn-tanh" else "rnn-tanh"
            case commands.ToggleActivation():
                self._notify("warning", "a switches tanh ↔ ReLU of a vanilla RNN: press m for rnn-tanh first")
            case commands.Reset():
                self._reinitialised()
            case commands.NewSample(temperature=temperature):
                self.temperature = self.temperature if temperature is None else temperature
                self.sample_step = self.step
            case commands.ScaleTemperature(factor=factor):
                self.temperature = min(max(self.temperature * factor, 0.05), 5.0)
                self.sample_step = self.step
            case commands.Export(screen_svg=svg):
                self.export_svgs.append(svg)
                self.notice = self._export_notice()

    def _reinitialised(self) -> None:
        self.sample_step = self.step  # the engine draws a sample of the new weights at once
        if self.state == DIVERGED:
            self.state = PAUSED

    def _notify(self, level: str, text: str) -> None:
        self.notice = Notice(self.notice.seq + 1 if self.notice else 1, level, text)

    def _export_notice(self) -> Notice:
        seq = self.notice.seq + 1 if self.notice else 1
        if self._export_fails:
            return Notice(seq, "error", f"export failed: {RUN_DIR} is not writable")
        return Notice(seq, "information", f"snapshot saved: {RUN_DIR}/step-{self.step:06d}")

    def frame(self) -> Frame:
        """The frame for the current fake state."""
        key = (self.model, self.step)
        if self._base is None or self._base[0] != key:  # the same step keeps the same probe, as in the engine
            self._base = (key, make_frame(model=self.model, step=self.step, seed=self.step, **self._sizes))
        base = self._base[1]
        diverged = f"step {self.step}, largest gradient 3.2e+08 (rnn.weight_hh_l0)" if self.state == DIVERGED else None
        config = base.status.config.with_(clip=self.clip, init=self.init)
        status = dataclasses.replace(
            base.status, config=config, state=self.state, diverged=diverged, temperature=self.temperature,
            run_dir=base.status.run_dir if self.run_dir is None else str(self.run_dir),
        )
        sample = Sample(self.sample_step, base.sample.prime, base.sample.text, self.temperature)
        return dataclasses.replace(base, seq=self.published + 1, status=status, sample=sample, notice=self.notice)

    def _publish(self, publish: Publish) -> None:
        frame = self.frame()
        recorded = self._timeline is not None and self._timeline.entries
        if self._timeline is not None and not (recorded and recorded[-1].step == frame.probe.step):
            stats = frame.last_step  # recorded as the engine's timeline recorder does
            self._timeline.append(frame.probe, wall_time=float(self.step), train_loss=frame.status.train_loss,
                                  val_loss=None, memory=frame.memory,
                                  meta={"grad_step": stats.step, "grad_norms": stats.grad_norms,
                                        "grad_total": stats.total_pre, "grad_norms_post": stats.grad_norms_post,
                                        "grad_total_post": stats.total_post, "clipped": stats.clipped,
                                        **({} if frame.units is None else {"units": units_meta(frame.units)})})
        publish(frame_parts(frame))
        self.published += 1
