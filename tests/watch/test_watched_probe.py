"""A watched module's probe against PyTorch's own module and torch.autograd, and the refusals at construction."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from rnnscope.watch.inputs import check_inputs
from rnnscope.watch.watched_probe import WatchedProbe

MODULES = {
    "lstm": lambda **kw: nn.LSTM(**kw),
    "gru": lambda **kw: nn.GRU(**kw),
    "rnn-tanh": lambda **kw: nn.RNN(nonlinearity="tanh", **kw),
    "rnn-relu": lambda **kw: nn.RNN(nonlinearity="relu", **kw),
}


def make(kind, layers=2, batch_first=True, bias=True, input_size=3, hidden=5, seed=0):
    torch.manual_seed(seed)
    return MODULES[kind](input_size=input_size, hidden_size=hidden, num_layers=layers, batch_first=batch_first,
                         bias=bias)


def single_layers(rnn):
    """One single-layer module per layer of `rnn`, holding copies of that layer's weights (sequence-first)."""
    singles = []
    for layer in range(rnn.num_layers):
        size = rnn.input_size if layer == 0 else rnn.hidden_size
        single = type(rnn)(size, rnn.hidden_size, bias=rnn.bias, **({"nonlinearity": rnn.nonlinearity}
                                                                   if isinstance(rnn, nn.RNN) else {}))
        with torch.no_grad():
            for name, _ in single.named_parameters():
                getattr(single, name).copy_(getattr(rnn, name.replace("_l0", f"_l{layer}")))
        singles.append(single)
    return singles


def oracle(rnn, probe, loss_of_top):
    """h_t per layer and ||dl_{T-1} / dh_t|| by autograd through PyTorch's own modules, one step at a time (each
    layer's state tensor is both its next step's state and the next layer's input)."""
    singles = single_layers(rnn)
    states = [None] * rnn.num_layers
    hs = []  # T x L x [1, 1, H]
    for t in range(probe.shape[0]):
        x, row = probe[t].reshape(1, 1, -1), []
        for layer, single in enumerate(singles):
            _, states[layer] = single(x, states[layer])
            x = states[layer][0] if isinstance(states[layer], tuple) else states[layer]  # [1, 1, H]
            row.append(x)
        hs.append(row)
    top = torch.stack([row[-1].reshape(-1) for row in hs])  # [T, H]
    flat = [h for row in hs for h in row]
    grads = torch.autograd.grad(loss_of_top(top)[-1], flat, retain_graph=True)
    layers = rnn.num_layers
    hidden_states = torch.stack([torch.stack([row[i].reshape(-1) for row in hs]) for i in range(layers)]).detach()
    grad_h = torch.stack([g.reshape(-1).norm() for g in grads]).reshape(-1, layers).T  # [L, T]
    return hidden_states, grad_h, loss_of_top(top).detach()


def unit_direction(hidden):
    g = torch.Generator().manual_seed(0)
    u = torch.randn(hidden, generator=g, dtype=torch.float64)
    return (u / u.norm()).float()


@pytest.mark.parametrize("kind", MODULES)
@pytest.mark.parametrize("batch_first", [True, False])
@pytest.mark.parametrize("bias", [True, False])
def test_states_and_flow_equal_the_module_and_autograd(kind, batch_first, bias):
    rnn = make(kind, batch_first=batch_first, bias=bias)
    probe = torch.randn(7, 3)
    watched = WatchedProbe(rnn, check_inputs(rnn, probe, None, None, None))
    watched.check_reproduced()
    frame = watched.run(step=4)
    u = unit_direction(rnn.hidden_size)
    hidden, grad_h, losses = oracle(rnn, probe, lambda top: top @ u)
    for layer, measured in enumerate(frame.layers):
        np.testing.assert_allclose(measured.hidden, hidden[layer].numpy(), atol=1e-5)
        np.testing.assert_allclose(measured.grad_h, grad_h[layer].numpy(), rtol=1e-4, atol=1e-7)
    assert frame.step == 4 and math.isnan(frame.loss)  # u . h_t is no loss: the flow's direction only
    assert frame.probs.shape == (7, 0) and not any(p.grad is not None for p in rnn.parameters())


@pytest.mark.parametrize("layers", [1, 3])
def test_a_readout_gives_guesses_and_the_loss_flow(layers):
    rnn, head = make("lstm", layers=layers, hidden=6), nn.Linear(6, 4)
    probe, targets = torch.randn(5, 3), torch.tensor([0, 3, 1, 2, 2])
    watched = WatchedProbe(rnn, check_inputs(rnn, probe, targets, head, ["a", "b", "c", "d", "e"]))
    watched.check_reproduced()
    frame = watched.run(step=0)
    hidden, grad_h, losses = oracle(rnn, probe, lambda top: F.cross_entropy(head(top), targets, reduction="none"))
    np.testing.assert_allclose(frame.layers[-1].grad_h, grad_h[-1].numpy(), rtol=1e-4, atol=1e-7)
    expected = torch.softmax(head(hidden[-1]), dim=-1).detach().numpy()
    np.testing.assert_allclose(frame.probs, expected, atol=1e-5)
    assert frame.loss == pytest.approx(float(losses.mean()), abs=1e-5) and list(frame.targets) == [0, 3, 1, 2, 2]
    assert frame.labels == ("a", "b", "c", "d", "e") and frame.text == "abcde "  # T+1 characters for the time axis
    assert head.weight.grad is None


def test_a_custom_forward_is_refused_with_the_gap():
    class Shifted(nn.GRU):
        def forward(self, x, h=None):
            out, h = super().forward(x, h)
            return out + 0.01, h

    rnn = Shifted(3, 4)
    with pytest.raises(ValueError, match="differs from the unrolled pass by 0.01 .*plain nn.LSTM"):
        WatchedProbe(rnn, check_inputs(rnn, torch.randn(5, 3), None, None, None)).check_reproduced()


def test_parametrized_weights_that_the_probe_reads_are_accepted_and_others_refused():
    rnn = make("rnn-tanh", layers=1)
    torch.nn.utils.parametrize.register_parametrization(rnn, "weight_hh_l0", nn.Tanh())
    WatchedProbe(rnn, check_inputs(rnn, torch.randn(5, 3), None, None, None)).check_reproduced()  # same weights


def test_half_weights_and_bad_readouts_are_refused():
    rnn = make("gru").half()
    with pytest.raises(ValueError, match="torch.float16: Scope probes float32 weights"):
        WatchedProbe(rnn, check_inputs(rnn, torch.randn(5, 3), None, None, None)).check_reproduced()
    rnn = make("gru", hidden=5)
    for head, words in [(nn.Linear(5, 2), r"class id 3 but the readout gives 2 classes"),
                        (lambda h: h.sum(), r"shape \[\]: it must give logits \[5, classes\]"),
                        (nn.Linear(4, 2), "could not run the module on the probe")]:
        with pytest.raises(ValueError, match=words):
            WatchedProbe(rnn, check_inputs(rnn, torch.randn(5, 3), [0, 1, 3, 0, 1], head, None)).check_reproduced()


def test_dropout_between_layers_does_not_count_as_a_difference_and_draws_nothing():
    torch.manual_seed(0)
    rnn = nn.LSTM(3, 4, num_layers=2, dropout=0.5)  # training mode: the module's own forward would drop
    state = torch.random.get_rng_state()
    watched = WatchedProbe(rnn, check_inputs(rnn, torch.randn(5, 3), None, None, None))
    state = torch.random.get_rng_state()
    watched.check_reproduced()
    watched.run(1)
    assert torch.equal(torch.random.get_rng_state(), state) and rnn.training and rnn.dropout == 0.5
