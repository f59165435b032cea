"""run_probe against PyTorch's fused modules run step by step, and torch.autograd on that oracle."""

import copy

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from rnnscope import cells
from rnnscope.cells import GATE_NAMES
from rnnscope.contracts.config import MODELS, RunConfig
from rnnscope.measuring.probe import run_probe
from rnnscope.training.model import build_model, set_activation

torch.set_num_threads(1)
VOCAB, EMBED, HIDDEN, STEPS = 7, 3, 5, 9
ATOL = 1e-5
FUSED = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn-tanh": nn.RNN, "rnn-relu": nn.RNN}


def _single_layer(model, layer):
    """A fresh one-layer fused module holding (a copy of) layer `layer`'s weights."""
    kind = model.kind
    in_size = EMBED if layer == 0 else HIDDEN
    extra = {"nonlinearity": kind[4:]} if kind.startswith("rnn-") else {}
    if kind in FUSED:
        module = FUSED[kind](in_size, HIDDEN, batch_first=True, **extra)
    else:  # a kind of rnnscope's own (the min cells): its module run one step at a time
        module = cells.cell(kind).module(in_size, HIDDEN, 1)
    names = [name.removesuffix("_l0") for name, _ in module.named_parameters()]
    module.load_state_dict({f"{n}_l0": getattr(model.rnn, f"{n}_l{layer}").detach() for n in names})
    return module.to(model.head.weight.dtype)


def _oracle(model, ids, targets):
    """Step-by-step fused forward in float64; per layer h_t / c_t lists (graph-attached) and the losses.

    h_t and c_t are parallel outputs of each fused step, so a gradient w.r.t. c_t here misses the
    path through h_t = o_t * tanh(c_t); _total_cell_grads adds it.
    """
    model = copy.deepcopy(model).double()
    inputs = model.embedding(torch.as_tensor(ids).unsqueeze(0)).detach()  # [1, T, E]
    hiddens, cells = [], []
    for layer in range(model.num_layers):
        module, state = _single_layer(model, layer), None
        layer_h, layer_c = [], []
        for t in range(STEPS):
            _, state = module(inputs[:, t : t + 1], state)
            h = state[0] if model.kind == "lstm" else state  # [1, 1, H]: feeds the next step and layer
            layer_h.append(h)
            if model.kind == "lstm":
                layer_c.append(state[1])
        hiddens.append(layer_h)
        cells.append(layer_c)
        inputs = torch.cat(layer_h, dim=1)  # [1, T, H]
    logits = model.head(inputs[0])  # [T, V]
    losses = F.cross_entropy(logits, torch.as_tensor(targets), reduction="none")  # [T]
    return hiddens, cells, losses


def _total_cell_grads(losses_end, hiddens, cells):
    """dl/dc_t through both of c_t's uses: the next step, and h_t = o_t * tanh(c_t) with o_t = h_t / tanh(c_t)."""
    grads_h = torch.autograd.grad(losses_end, hiddens, retain_graph=True)
    grads_c_next = torch.autograd.grad(losses_end, cells, retain_graph=True, allow_unused=True)
    totals = []
    for h, c, grad_h, grad_c_next in zip(hiddens, cells, grads_h, grads_c_next):
        out_gate = h / torch.tanh(c)  # [1, 1, H]
        through_h = grad_h * out_gate * (1 - torch.tanh(c) ** 2)  # [1, 1, H]
        totals.append(through_h if grad_c_next is None else through_h + grad_c_next)
    return totals


def _norms(grads):
    return np.array([g.norm().item() for g in grads])


def _probe_case(kind, layers, seed=0):
    model = build_model(RunConfig(model=kind, hidden=HIDDEN, embed=EMBED, layers=layers, seed=seed), VOCAB)
    rng = np.random.default_rng(seed)
    ids, targets = rng.integers(0, VOCAB, STEPS), rng.integers(0, VOCAB, STEPS)
    return model, ids, targets


@pytest.mark.parametrize("layers", [1, 2])
@pytest.mark.parametrize("kind", MODELS)
def test_states_and_gradients_match_fused_oracle(kind, layers):
    model, ids, targets = _probe_case(kind, layers)
    frame = run_probe(model, ids, targets, "x" * (STEPS + 1), step=4)
    hiddens, cells, losses = _oracle(model, ids, targets)
    assert len(frame.layers) == layers
    for layer, probe in enumerate(frame.layers):
        oracle_h = torch.cat(hiddens[layer], dim=1)[0].detach().numpy()  # [T, H]
        np.testing.assert_allclose(probe.hidden, oracle_h, atol=ATOL)
        grads_last = torch.autograd.grad(losses[-1], hiddens[layer], retain_graph=True)
        np.testing.assert_allclose(probe.grad_h, _norms(grads_last), rtol=1e-4, atol=1e-9)
        grads_total = torch.autograd.grad(losses.mean(), hiddens[layer], retain_graph=True)
        np.testing.assert_allclose(probe.grad_h_total, _norms(grads_total), rtol=1e-4, atol=1e-9)
        if kind == "lstm":
            oracle_c = torch.cat(cells[layer], dim=1)[0].detach().numpy()  # [T, H]
            np.testing.assert_allclose(probe.cell, oracle_c, atol=ATOL)
            grads_c = _total_cell_grads(losses[-1], hiddens[layer], cells[layer])
            np.testing.assert_allclose(probe.grad_c, _norms(grads_c), rtol=1e-4, atol=1e-9)
        else:
            assert probe.cell is None and probe.grad_c is None
        for array in (probe.gates, probe.hidden, probe.grad_h, probe.grad_h_total):
            assert array.dtype == np.float32
    assert frame.loss == pytest.approx(losses.mean().item(), rel=1e-6)


@pytest.mark.parametrize("kind", MODELS)
def test_probs_match_the_fused_forward(kind):
    model, ids, targets = _probe_case(kind, 2, seed=1)
    frame = run_probe(model, ids, targets, "x" * (STEPS + 1), step=0)
    logits, _ = model(torch.as_tensor(ids).unsqueeze(0))  # [1, T, V]
    np.testing.assert_allclose(frame.probs, torch.softmax(logits[0], -1).detach().numpy(), atol=1e-6)
    np.testing.assert_allclose(frame.embedding, model.embedding.weight.detach().numpy())
    assert frame.probs.shape == (STEPS, VOCAB) and frame.step == 0


@pytest.mark.parametrize("layers", [1, 2])
def test_lstm_gates_explain_the_fused_states(layers):
    model, ids, targets = _probe_case("lstm", layers, seed=2)
    frame = run_probe(model, ids, targets, "x" * (STEPS + 1), step=0)
    hiddens, cells, _ = _oracle(model, ids, targets)
    for layer, probe in enumerate(frame.layers):
        assert probe.gate_names == GATE_NAMES["lstm"] and probe.gates.shape == (4, STEPS, HIDDEN)
        in_gate, forget, candidate, out_gate = probe.gates  # each [T, H]
        c = torch.cat(cells[layer], dim=1)[0].detach().numpy()  # [T, H]
        h = torch.cat(hiddens[layer], dim=1)[0].detach().numpy()  # [T, H]
        c_prev = np.vstack([np.zeros((1, HIDDEN)), c[:-1]])  # [T, H]
        np.testing.assert_allclose(c, forget * c_prev + in_gate * candidate, atol=ATOL)
        np.testing.assert_allclose(h, out_gate * np.tanh(c), atol=ATOL)
        assert probe.pre_activation is None


@pytest.mark.parametrize("layers", [1, 2])
def test_gru_gates_explain_the_fused_states(layers):
    model, ids, targets = _probe_case("gru", layers, seed=3)
    frame = run_probe(model, ids, targets, "x" * (STEPS + 1), step=0)
    hiddens, _, _ = _oracle(model, ids, targets)
    for layer, probe in enumerate(frame.layers):
        reset, update, new = probe.gates  # each [T, H]
        h = torch.cat(hiddens[layer], dim=1)[0].detach().numpy()  # [T, H]
        h_prev = np.vstack([np.zeros((1, HIDDEN)), h[:-1]])  # [T, H]
        np.testing.assert_allclose(h, (1 - update) * new + update * h_prev, atol=ATOL)
        layer_in = frame.layers[layer - 1].hidden if layer else model.embedding.weight.detach().numpy()[ids]
        w_in = getattr(model.rnn, f"weight_ih_l{layer}").detach().numpy()[2 * HIDDEN :]  # [H, In]
        b_in = getattr(model.rnn, f"bias_ih_l{layer}").detach().numpy()[2 * HIDDEN :]
        w_hn = getattr(model.rnn, f"weight_hh_l{layer}").detach().numpy()[2 * HIDDEN :]  # [H, H]
        b_hn = getattr(model.rnn, f"bias_hh_l{layer}").detach().numpy()[2 * HIDDEN :]
        expected_new = np.tanh(layer_in @ w_in.T + b_in + reset * (h_prev @ w_hn.T + b_hn))  # [T, H]
        np.testing.assert_allclose(new, expected_new, atol=ATOL)


@pytest.mark.parametrize("kind", ["rnn-tanh", "rnn-relu"])
def test_vanilla_rnn_has_no_gates_and_its_pre_activation_explains_h(kind):
    model, ids, targets = _probe_case(kind, 2, seed=4)
    for probe in run_probe(model, ids, targets, "x" * (STEPS + 1), step=0).layers:
        assert probe.gates.shape == (0, STEPS, HIDDEN) and probe.gate_names == ()
        activation = np.tanh if kind == "rnn-tanh" else (lambda v: np.maximum(v, 0))
        np.testing.assert_allclose(probe.hidden, activation(probe.pre_activation), atol=ATOL)
        assert isinstance(probe.metrics.sigma_max, float) and probe.metrics.saturation == {}


@pytest.mark.parametrize("training", [True, False])
def test_probe_leaves_model_and_rng_untouched(training):
    model, ids, targets = _probe_case("lstm", 2, seed=5)
    model.train(training)
    weights = {name: value.clone() for name, value in model.state_dict().items()}
    rng_state = torch.get_rng_state()
    with torch.no_grad():  # the engine may call it from a no-grad context
        frame = run_probe(model, ids, targets, "x" * (STEPS + 1), step=9)
    assert torch.equal(torch.get_rng_state(), rng_state)
    assert all(param.grad is None for param in model.parameters())
    assert model.training is training
    for name, value in model.state_dict().items():
        assert torch.equal(value, weights[name]), name
    assert frame.cost_ms > 0 and np.all(np.isfinite(frame.layers[0].grad_h))


def test_probe_follows_a_switched_activation():
    model, ids, targets = _probe_case("rnn-tanh", 2, seed=6)
    set_activation(model, "relu")
    frame = run_probe(model, ids, targets, "x" * (STEPS + 1), step=0)
    fused_top, _ = model.rnn(model.embedding(torch.as_tensor(ids).unsqueeze(0)))  # [1, T, H]
    np.testing.assert_allclose(frame.layers[-1].hidden, fused_top[0].detach().numpy(), atol=ATOL)
    assert (frame.layers[0].hidden == 0).any()  # ReLU, not tanh
