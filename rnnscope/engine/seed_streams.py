"""A run's two random streams from one seed: its training batches and its samples' draws, and their checkpoint part."""

from __future__ import annotations

import json

import torch

from rnnscope.training.checkpoint import malformed
from rnnscope.training.data import BatchSampler, Corpus


class SeedStreams:
    """The batches (`sampler`) and the sampling generator (`rng`) of `seed`, from their start."""

    def __init__(self, corpus: Corpus, seq_len: int, batch: int, seed: int):
        self.sampler = BatchSampler(corpus.train, seq_len, batch, seed)
        self.rng = torch.Generator().manual_seed(seed)

    def state(self) -> dict:
        return {"sampler_state": json.dumps(self.sampler.state()), "sample_rng": self.rng.get_state()}

    def restore(self, data: dict) -> None:
        """From a checkpoint; a field that does not fit is a CheckpointError naming it."""
        with malformed("sampler state"):
            self.sampler.set_state(json.loads(data["sampler_state"]))
        with malformed("sampling RNG state"):
            self.rng.set_state(data["sample_rng"])
