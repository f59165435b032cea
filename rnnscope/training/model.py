"""The character model: embedding -> the cell kind's recurrent module (rnnscope.cells) -> linear head over the vocabulary."""

from __future__ import annotations

import torch
from torch import nn

from rnnscope import cells
from rnnscope.cells.rnn import switch_activation
from rnnscope.contracts.config import RunConfig
from rnnscope.training.init_schemes import init_recurrent


def _recurrent_module(kind: str, input_size: int, hidden_size: int, num_layers: int) -> nn.Module:
    """The recurrent module of `kind` (batch_first, no dropout)."""
    if kind not in cells.KINDS:
        raise ValueError(f"unknown model kind {kind!r}: choose one of {', '.join(cells.KINDS)}")
    return cells.cell(kind).module(input_size, hidden_size, num_layers)


class CharModel(nn.Module):
    """Reads character ids, predicts the next character's logits at every position."""

    def __init__(self, kind: str, vocab_size: int, embed_size: int, hidden_size: int, num_layers: int):
        super().__init__()
        self.kind = kind  # one of rnnscope.cells.KINDS
        self.vocab_size = vocab_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.embedding = nn.Embedding(vocab_size, embed_size)
        self.rnn = _recurrent_module(kind, embed_size, hidden_size, num_layers)
        self.head = nn.Linear(hidden_size, vocab_size)

    def forward(self, ids: torch.Tensor, state=None):
        """ids [B, T] long -> (logits [B, T, V], state) through the fused recurrent module."""
        embedded = self.embedding(ids)  # [B, T, E]
        outputs, state = self.rnn(embedded, state)  # [B, T, H]
        return self.head(outputs), state  # [B, T, V]


def build_model(config: RunConfig, vocab_size: int) -> CharModel:
    """A CharModel for `config`, on CPU, deterministic for config.seed.

    Construction and init run inside torch.random.fork_rng seeded with config.seed, so the global
    CPU RNG state is exactly what it was before the call. A kind with a forget gate then gets config.forget_bias,
    if set.
    """
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(config.seed)
        model = CharModel(config.model, vocab_size, config.embed, config.hidden, config.layers)
        init_recurrent(model, config.init, config.init_gain)
    if config.forget_bias is not None and cells.facts_of(config.model).forget_bias:  # kept through re-inits
        cells.cell(config.model).set_forget_bias(model.rnn, config.forget_bias)
    return model


def set_activation(model: CharModel, activation: str) -> None:
    """Switch a vanilla RNN's nonlinearity ("tanh" | "relu") in place, keeping its weights."""
    if not model.kind.startswith("rnn-"):
        raise ValueError(f"only a vanilla RNN has a switchable activation, not {model.kind}")
    switch_activation(model.rnn, activation)
    model.kind = f"rnn-{activation}"


def count_parameters(model: nn.Module) -> int:
    """Number of trainable scalars."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
