"""A run's model and its optimiser: built from the config, the optimiser when first needed, weights read and written
as name -> array, and their part of a checkpoint."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import torch

from rnnscope.contracts.config import RunConfig
from rnnscope.training.model import build_model, count_parameters, set_activation
from rnnscope.training.trainer import make_optimizer


class ModelWeights:
    """The engine's weights (a collaborator of rnnscope.engine.engine.Engine); `build` makes them anew."""

    def __init__(self, config: RunConfig, vocab_size: int, device: torch.device):
        self.vocab_size, self.device = vocab_size, device
        self.build(config)

    def build(self, config: RunConfig) -> None:
        """New weights for `config` (its model, sizes, init and seed); the optimiser is made again when first used."""
        self.config = config
        self.model = build_model(config, self.vocab_size).to(self.device)
        self.model.train()
        self._optimizer: torch.optim.Optimizer | None = None  # torch._dynamo on first use (benchmarks/README.md, by hand)
        self.cold = True  # the first step of new weights warms torch up: not counted in chars/s
        self.n_params = count_parameters(self.model)

    @property
    def optimizer(self) -> torch.optim.Optimizer:
        """Built when first needed, so the dashboard's first picture does not wait for it."""
        if self._optimizer is None:
            self._optimizer = make_optimizer(self.config.optimizer, self.model.parameters(), self.config.lr)
        return self._optimizer

    def arrays(self) -> dict[str, np.ndarray]:
        """Every weight, name -> a numpy copy (a snapshot's weights.npz, a lesson's evidence)."""
        return {name: value.detach().cpu().numpy() for name, value in self.model.state_dict().items()}

    def load(self, values: Mapping[str, torch.Tensor | np.ndarray]) -> None:
        """Overwrite the named parameters (a compare's B taking A's initial weights); shapes must agree."""
        params = dict(self.model.named_parameters())
        with torch.no_grad():
            for name, value in values.items():
                params[name].copy_(torch.as_tensor(value))

    def shapes(self) -> dict[str, tuple[int, ...]]:
        """Each parameter's shape, by name."""
        return {name: tuple(p.shape) for name, p in self.model.named_parameters()}

    def set_activation(self, activation: str) -> None:
        set_activation(self.model, activation)
