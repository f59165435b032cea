"""CharModel: fused forward shapes, seeded construction, activation switch, parameter count."""

import pytest
import torch
from torch import nn

from rnnscope.contracts.config import MODELS, RunConfig
from rnnscope.training.model import CharModel, build_model, count_parameters, set_activation

torch.set_num_threads(1)
VOCAB = 11
SMALL = RunConfig(hidden=6, embed=4, layers=2, seed=3)


@pytest.mark.parametrize("kind", MODELS)
def test_forward_shapes_and_submodules(kind):
    model = build_model(SMALL.with_(model=kind), VOCAB)
    assert isinstance(model.embedding, nn.Embedding) and isinstance(model.head, nn.Linear)
    assert model.rnn.batch_first and model.rnn.num_layers == 2 and model.rnn.dropout == 0
    ids = torch.randint(0, VOCAB, (3, 5))  # [B, T]
    logits, state = model(ids)
    assert logits.shape == (3, 5, VOCAB)
    logits_again, _ = model(ids[:, 2:], state)  # state carries on
    assert logits_again.shape == (3, 3, VOCAB)
    assert (model.kind, model.vocab_size, model.hidden_size, model.num_layers) == (kind, VOCAB, 6, 2)


def test_build_model_is_seeded_and_leaves_global_rng_alone():
    torch.manual_seed(123)
    before = torch.get_rng_state()
    first = build_model(SMALL.with_(init="orthogonal"), VOCAB)
    assert torch.equal(torch.get_rng_state(), before)
    second = build_model(SMALL.with_(init="orthogonal"), VOCAB)
    other_seed = build_model(SMALL.with_(init="orthogonal", seed=4), VOCAB)
    for name, value in first.state_dict().items():
        assert torch.equal(value, second.state_dict()[name]), name
    assert not torch.equal(first.rnn.weight_hh_l0, other_seed.rnn.weight_hh_l0)


@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_set_activation_matches_a_fresh_rnn_with_same_weights(activation):
    start = "tanh" if activation == "relu" else "relu"
    model = build_model(SMALL.with_(model=f"rnn-{start}"), VOCAB)
    weights_before = {k: v.clone() for k, v in model.state_dict().items()}
    set_activation(model, activation)
    assert model.kind == f"rnn-{activation}"
    for name, value in model.state_dict().items():
        assert torch.equal(value, weights_before[name]), name
    fresh = nn.RNN(4, 6, num_layers=2, nonlinearity=activation, batch_first=True)
    fresh.load_state_dict(model.rnn.state_dict())
    inputs = torch.randn(2, 7, 4) * 3  # [B, T, E], large enough that relu and tanh differ
    expected, _ = fresh(inputs)
    got, _ = model.rnn(inputs)
    unswitched = nn.RNN(4, 6, num_layers=2, nonlinearity=start, batch_first=True)
    unswitched.load_state_dict(model.rnn.state_dict())
    assert torch.allclose(got, expected, atol=1e-6)
    assert not torch.allclose(got, unswitched(inputs)[0], atol=1e-3)


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_set_activation_refuses_gated_cells(kind):
    with pytest.raises(ValueError):
        set_activation(build_model(SMALL.with_(model=kind), VOCAB), "relu")


def test_count_parameters_matches_the_formula():
    embed, hidden, layers = 4, 6, 2
    model = CharModel("lstm", VOCAB, embed, hidden, layers)
    gates = 4
    first = gates * hidden * (embed + hidden) + 2 * gates * hidden
    deeper = gates * hidden * (hidden + hidden) + 2 * gates * hidden
    expected = VOCAB * embed + first + (layers - 1) * deeper + hidden * VOCAB + VOCAB
    assert count_parameters(model) == expected
