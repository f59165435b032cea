"""The engine's checkpoint: everything needed to resume a run exactly, and resuming from one. A part of Engine
(rnnscope.engine.engine), kept in its own file."""

from __future__ import annotations

import json

import torch

from rnnscope import __version__
from rnnscope.contracts.errors import CheckpointError
from rnnscope.contracts.frames import Event
from rnnscope.training.checkpoint import FORMAT, check_vocab, malformed
from rnnscope.training.history import DecimatingHistory


class EngineCheckpoint:
    """Engine's checkpoint methods (they use its model, optimiser, sampler, RNG and histories)."""

    def checkpoint(self) -> dict:
        histories = {name: h.state() for name, h in self._histories().items()}
        for state in histories.values():
            state["rows"] = torch.from_numpy(state["rows"])  # [N, columns]
        return {
            "format": FORMAT, "version": __version__, "config": self.config.to_dict(),
            "vocab": list(self.corpus.vocab), "corpus_sha256": self.corpus.sha256, "step": self.step,
            "model": self.model.state_dict(), "optimizer": self.optimizer.state_dict(),
            "sampler_state": json.dumps(self.sampler.state()), "sample_rng": self.sample_rng.get_state(),
            "histories": histories, "last_clip": self.last_clip,
            "events": [[e.step, e.label] for e in self.events], "temperature": self.temperature,
        }

    def restore(self, data: dict) -> None:
        """Continue from a checkpoint (see checkpoint.load_checkpoint); the config must already match. A field
        that does not fit is refused as a CheckpointError naming it."""
        check_vocab(data, self.corpus.vocab)
        try:
            self.model.load_state_dict(data["model"])
            self.optimizer.load_state_dict(data["optimizer"])
            _check_optimizer_shapes(self.optimizer)
            for group in self.optimizer.param_groups:  # the checkpoint's state, the run's --lr (it may change)
                group["lr"] = self.config.lr
        except (RuntimeError, ValueError, KeyError, TypeError, IndexError) as err:
            raise CheckpointError(f"the checkpoint does not fit this model ({str(err).splitlines()[0][:120]}): "
                                  "resume without changing --model/--hidden/--embed/--layers") from None
        self.step = int(data["step"])
        with malformed("sampler state"):
            self.sampler.set_state(json.loads(data["sampler_state"]))
        with malformed("sampling RNG state"):
            self.sample_rng.set_state(data["sample_rng"])
        self.last_clip = float(data["last_clip"])
        self.temperature = float(data.get("temperature", 1.0))
        self.events = [Event(int(s), str(label)) for s, label in data["events"]]
        with malformed("histories"):
            for name, history in self._histories().items():
                state = data["histories"][name]
                history.set_state(state["rows"].double().numpy(), int(state["stride"]), int(state["seen"]))
        for _, loss in self.loss_history.array()[-100:]:
            self.recent_loss.add(loss)
        val = self.val_history.array()  # [M, 2]
        self.last_val = float(val[-1, 1]) if len(val) else float("nan")
        for _, pre, post in self.grad_history.array()[-100:]:
            self.recent_clip.add(float(post < pre))
        self._mark("resumed")

    def _histories(self) -> dict[str, DecimatingHistory]:
        return {"loss": self.loss_history, "val": self.val_history, "grad": self.grad_history}


def _check_optimizer_shapes(optimizer: torch.optim.Optimizer) -> None:
    """load_state_dict does not compare the moments' shapes with the weights'; a mismatch would fail mid-step."""
    for group in optimizer.param_groups:
        for param in group["params"]:
            for name, value in optimizer.state.get(param, {}).items():
                if isinstance(value, torch.Tensor) and value.dim() > 0 and value.shape != param.shape:
                    raise ValueError(f"optimizer {name} of shape {tuple(value.shape)} for weights {tuple(param.shape)}")
