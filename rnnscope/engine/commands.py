"""The engine's answers to the screen's commands (between steps): pause, step, clip, init, model, activation,
reset, export, samples. A part of Engine (rnnscope.engine.engine), kept in its own file."""

from __future__ import annotations

from rnnscope.contracts import commands
from rnnscope.contracts.config import INITS, MODELS
from rnnscope.contracts.frames import DIVERGED, PAUSED, RUNNING
from rnnscope.training.model import set_activation

MIN_TEMPERATURE, MAX_TEMPERATURE = 0.05, 5.0  # t / T keep the sampling temperature within this range


class EngineCommands:
    """Engine's command methods (they use its state: config, model, events, notices)."""

    def apply(self, command) -> None:
        """Carry out one command from the screen (between steps)."""
        match command:
            case commands.TogglePause():
                self.state = RUNNING if self.state in (PAUSED, DIVERGED) else PAUSED
                if self.state == PAUSED:
                    self.current_probe()  # paused: the probe's panels show the weights the status line does
            case commands.Step():
                if self.state == RUNNING:
                    self.notify("warning", "n runs one step while paused: press space to pause first")
                    return
                self.train_step()
                self.refresh_probe()
            case commands.ToggleClip():
                clip = None if self.config.clip is not None else self.last_clip
                self._set_clip(clip)
            case commands.ScaleClip(factor=factor):
                self._scale_clip(factor)
            case commands.NextInit():
                init = INITS[(INITS.index(self.config.init) + 1) % len(INITS)]
                self._reinitialise(f"init {init}", init=init)
            case commands.NextModel():
                model = MODELS[(MODELS.index(self.config.model) + 1) % len(MODELS)]
                self._reinitialise(model, model=model)
            case commands.ToggleActivation():
                self._toggle_activation()
            case commands.Reset():
                self._reinitialise("reset")
            case commands.Export(screen_svg=svg):
                self.export(svg)
            case commands.NewSample(temperature=temperature):
                self.new_sample(temperature)
            case commands.ScaleTemperature(factor=factor):
                self.new_sample(min(max(self.temperature * factor, MIN_TEMPERATURE), MAX_TEMPERATURE))

    def _set_clip(self, clip: float | None) -> None:
        if clip is not None:
            self.last_clip = clip
        self.config = self.config.with_(clip=clip)
        self._mark("clip off" if clip is None else f"clip {clip:g}")

    def _scale_clip(self, factor: float) -> None:
        """[ ] scale the threshold; while clipping is off only the remembered one (c turns it on), said so."""
        threshold = min(max((self.config.clip or self.last_clip) * factor, 1e-4), 1e4)
        if self.config.clip is not None:
            self._set_clip(threshold)
            return
        self.last_clip = threshold
        self.notify("information", f"clipping stays off: threshold {threshold:g} kept for when c turns it on")

    def _toggle_activation(self) -> None:
        if self.config.model not in ("rnn-tanh", "rnn-relu"):
            self.notify("warning", "a switches tanh ↔ ReLU of a vanilla RNN: press m for rnn-tanh first")
            return
        model = "rnn-relu" if self.config.model == "rnn-tanh" else "rnn-tanh"
        set_activation(self.model, model.removeprefix("rnn-"))
        self.config = self.config.with_(model=model)
        self._mark(model)
        self.refresh_probe()
