"""The character model: embedding -> fused nn.LSTM / nn.RNN / nn.GRU -> linear head over the vocabulary."""

from __future__ import annotations

import torch
from torch import nn

from rnnscope.contracts.config import RunConfig
from rnnscope.training.init_schemes import init_recurrent, set_forget_bias

RNN_MODES = {"tanh": "RNN_TANH", "relu": "RNN_RELU"}


def _recurrent_module(kind: str, input_size: int, hidden_size: int, num_layers: int) -> nn.RNNBase:
    """The fused PyTorch module for `kind` (batch_first, no dropout)."""
    sizes = dict(input_size=input_size, hidden_size=hidden_size, num_layers=num_layers, batch_first=True)
    if kind == "lstm":
        return nn.LSTM(**sizes)
    if kind == "gru":
        return nn.GRU(**sizes)
    if kind in ("rnn-tanh", "rnn-relu"):
        return nn.RNN(nonlinearity=kind.removeprefix("rnn-"), **sizes)
    raise ValueError(f"unknown model kind {kind!r}: choose lstm, rnn-tanh, rnn-relu or gru")


class CharModel(nn.Module):
    """Reads character ids, predicts the next character's logits at every position."""

    def __init__(self, kind: str, vocab_size: int, embed_size: int, hidden_size: int, num_layers: int):
        super().__init__()
        self.kind = kind  # "lstm" | "rnn-tanh" | "rnn-relu" | "gru"
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
    CPU RNG state is exactly what it was before the call. An LSTM then gets config.forget_bias, if set.
    """
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(config.seed)
        model = CharModel(config.model, vocab_size, config.embed, config.hidden, config.layers)
        init_recurrent(model, config.init, config.init_gain)
    if config.forget_bias is not None and config.model == "lstm":  # kept through re-inits while an LSTM
        set_forget_bias(model, config.forget_bias)
    return model


def set_activation(model: CharModel, activation: str) -> None:
    """Switch a vanilla RNN's nonlinearity ("tanh" | "relu") in place, keeping its weights."""
    if not model.kind.startswith("rnn-"):
        raise ValueError(f"only a vanilla RNN has a switchable activation, not {model.kind}")
    if activation not in RNN_MODES:
        raise ValueError(f"unknown activation {activation!r}: choose tanh or relu")
    model.rnn.nonlinearity = activation
    model.rnn.mode = RNN_MODES[activation]
    model.kind = f"rnn-{activation}"


def count_parameters(model: nn.Module) -> int:
    """Number of trainable scalars."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
