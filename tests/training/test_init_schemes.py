"""Init schemes produce what they say: identity blocks, orthogonal blocks, xavier bound, default, gain."""

import math

import pytest
import torch
from torch import nn

from rnnscope.contracts.config import RunConfig
from rnnscope.training.init_schemes import init_recurrent
from rnnscope.training.model import build_model

torch.set_num_threads(1)
VOCAB, EMBED, HIDDEN, LAYERS = 9, 5, 8, 2
GATES = {"lstm": 4, "gru": 3, "rnn-tanh": 1, "rnn-relu": 1}
KINDS = list(GATES)


def _model(kind, init, gain=1.0):
    return build_model(RunConfig(model=kind, init=init, init_gain=gain, hidden=HIDDEN, embed=EMBED, layers=LAYERS), VOCAB)


def _blocks(model):
    """Every layer's W_hh split into its H x H gate blocks."""
    for layer in range(LAYERS):
        yield from getattr(model.rnn, f"weight_hh_l{layer}").detach().split(HIDDEN, dim=0)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("gain", [1.0, 1.5])
def test_identity_blocks_and_zero_biases(kind, gain):
    model = _model(kind, "identity", gain)
    blocks = list(_blocks(model))
    assert len(blocks) == LAYERS * GATES[kind]
    for block in blocks:
        assert torch.equal(block, torch.eye(HIDDEN) * gain)
    for name, param in model.rnn.named_parameters():
        if name.startswith("bias"):
            assert torch.count_nonzero(param) == 0, name


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("gain", [1.0, 0.7])
def test_orthogonal_blocks(kind, gain):
    for block in _blocks(_model(kind, "orthogonal", gain)):
        assert torch.allclose(block @ block.T, gain**2 * torch.eye(HIDDEN), atol=1e-5)


@pytest.mark.parametrize("kind", KINDS)
def test_xavier_within_bound_times_gain(kind):
    gain = 2.0
    bound = math.sqrt(6.0 / (HIDDEN + HIDDEN))  # fan_in + fan_out of one H x H block
    for block in _blocks(_model(kind, "xavier", gain)):
        assert block.abs().max() <= bound * gain + 1e-6
        assert block.abs().max() > 0.5 * bound * gain  # actually spread over the range
        assert block.std() > 0.3 * bound * gain


@pytest.mark.parametrize("kind", KINDS)
def test_default_equals_a_fresh_module_with_the_same_seed(kind):
    model = _model(kind, "default")
    torch.manual_seed(0)
    nn.Embedding(VOCAB, EMBED)
    module = {"lstm": nn.LSTM, "gru": nn.GRU}.get(kind)
    sizes = dict(num_layers=LAYERS, batch_first=True)
    fresh = module(EMBED, HIDDEN, **sizes) if module else nn.RNN(EMBED, HIDDEN, nonlinearity=kind[4:], **sizes)
    for name, value in fresh.state_dict().items():
        assert torch.equal(value, model.rnn.state_dict()[name]), name


@pytest.mark.parametrize("scheme", ["default", "xavier", "orthogonal"])
def test_gain_scales_recurrent_weights_only(scheme):
    plain, scaled = _model("lstm", scheme, 1.0), _model("lstm", scheme, 3.0)
    for name, value in plain.rnn.state_dict().items():
        expected = value * 3.0 if name.startswith("weight_hh") else value
        assert torch.allclose(scaled.rnn.state_dict()[name], expected, atol=1e-6), name


def test_unknown_scheme_is_refused():
    with pytest.raises(ValueError):
        init_recurrent(_model("gru", "default"), "kaiming", 1.0)
