"""A run's checkpoint: everything needed to resume it exactly, gathered from the engine's collaborators, and put back
into them (rnnscope.training.checkpoint reads and checks the file)."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from rnnscope import __version__
from rnnscope.contracts.config import RunConfig
from rnnscope.contracts.errors import CheckpointError
from rnnscope.contracts.frames import Event
from rnnscope.engine.model_weights import ModelWeights
from rnnscope.engine.run_record import RunRecord
from rnnscope.engine.seed_streams import SeedStreams
from rnnscope.training.checkpoint import FORMAT, check_vocab, malformed
from rnnscope.training.data import Corpus


@dataclass(frozen=True)
class Controls:
    """The settings a checkpoint keeps beside the config: the clip threshold c turns back on, the temperature."""

    last_clip: float
    temperature: float


def checkpoint_of(config: RunConfig, corpus: Corpus, step: int, weights: ModelWeights, streams: SeedStreams,
                  record: RunRecord, controls: Controls) -> dict:
    histories = {name: h.state() for name, h in record.histories().items()}
    for state in histories.values():
        state["rows"] = torch.from_numpy(state["rows"])  # [N, columns]
    return {
        "format": FORMAT, "version": __version__, "config": config.to_dict(),
        "vocab": list(corpus.vocab), "corpus_sha256": corpus.sha256, "step": step,
        "model": weights.model.state_dict(), "optimizer": weights.optimizer.state_dict(),
        **streams.state(), "histories": histories, "last_clip": controls.last_clip,
        "events": [[e.step, e.label] for e in record.events], "temperature": controls.temperature,
    }


def restore_from(data: dict, corpus: Corpus, weights: ModelWeights, streams: SeedStreams,
                 record: RunRecord) -> tuple[int, Controls]:
    """Continue from a checkpoint (see checkpoint.load_checkpoint; the config must already match): the step and the
    controls. A field that does not fit is refused as a CheckpointError naming it."""
    check_vocab(data, corpus.vocab)
    optimizer = weights.optimizer
    try:
        weights.model.load_state_dict(data["model"])
        optimizer.load_state_dict(data["optimizer"])
        _check_optimizer_shapes(optimizer)
        for group in optimizer.param_groups:  # the checkpoint's state, the run's --lr (it may change)
            group["lr"] = weights.config.lr
    except (RuntimeError, ValueError, KeyError, TypeError, IndexError) as err:
        raise CheckpointError(f"the checkpoint does not fit this model ({str(err).splitlines()[0][:120]}): "
                              "resume without changing --model/--hidden/--embed/--layers") from None
    step = int(data["step"])
    streams.restore(data)
    controls = Controls(float(data["last_clip"]), float(data.get("temperature", 1.0)))
    events = [Event(int(s), str(label)) for s, label in data["events"]]
    with malformed("histories"):
        states = {name: (state["rows"].double().numpy(), int(state["stride"]), int(state["seen"]))
                  for name, state in ((name, data["histories"][name]) for name in record.histories())}
        record.restore(states, events)
    return step, controls


def _check_optimizer_shapes(optimizer: torch.optim.Optimizer) -> None:
    """load_state_dict does not compare the moments' shapes with the weights'; a mismatch would fail mid-step."""
    for group in optimizer.param_groups:
        for param in group["params"]:
            for name, value in optimizer.state.get(param, {}).items():
                if isinstance(value, torch.Tensor) and value.dim() > 0 and value.shape != param.shape:
                    raise ValueError(f"optimizer {name} of shape {tuple(value.shape)} for weights {tuple(param.shape)}")
