"""probe_module (fused forward + adjoint chain) against the unrolled oracle, and its connectivity against a plain
per-target autograd loop through PyTorch's own fused module."""

import numpy as np
import pytest
import torch
from torch import nn

from rnnscope.measuring.module_probe import default_direction, probe_module, readout_loss
from rnnscope.measuring.oracle_unrolled import probe_module_unrolled

torch.set_num_threads(1)
KINDS = ("lstm", "gru", "rnn-tanh", "rnn-relu")
INPUT, HIDDEN, STEPS, CLASSES = 4, 6, 8, 5
ATOL, RTOL = 1e-5, 1e-5


def _module(kind: str, layers: int, bias: bool = True, batch_first: bool = False, seed: int = 0) -> nn.RNNBase:
    torch.manual_seed(seed)
    sizes = dict(input_size=INPUT, hidden_size=HIDDEN, num_layers=layers, bias=bias, batch_first=batch_first)
    if kind == "lstm":
        return nn.LSTM(**sizes)
    if kind == "gru":
        return nn.GRU(**sizes)
    return nn.RNN(nonlinearity=kind[4:], **sizes)


def _readout(seed: int = 0):
    torch.manual_seed(seed + 100)
    return nn.Linear(HIDDEN, CLASSES), torch.randint(0, CLASSES, (STEPS,))


def _inputs(seed: int = 0) -> torch.Tensor:
    return torch.randn(1, STEPS, INPUT, generator=torch.Generator().manual_seed(seed))  # [1, T, I]


def _assert_same(fast, oracle) -> None:
    np.testing.assert_allclose(fast.losses, oracle.losses, rtol=RTOL, atol=ATOL)
    for mine, theirs in zip(fast.layers, oracle.layers, strict=True):
        for name in ("gates", "hidden", "cell", "pre_activation"):
            if getattr(theirs, name) is None:
                assert getattr(mine, name) is None, name
            else:
                np.testing.assert_allclose(getattr(mine, name), getattr(theirs, name), atol=ATOL, err_msg=name)
        for name in ("grad_h", "grad_c", "grad_h_total"):
            if getattr(theirs, name) is None:
                assert getattr(mine, name) is None, name
            else:
                np.testing.assert_allclose(getattr(mine, name), getattr(theirs, name), rtol=RTOL, err_msg=name)
        a, b = mine.metrics, theirs.metrics
        assert (a.verdict, a.cell_verdict, a.saturation, a.sigma_max) == (b.verdict, b.cell_verdict, b.saturation,
                                                                           b.sigma_max)
        assert a.decay_per_step == pytest.approx(b.decay_per_step, rel=1e-4)


@pytest.mark.parametrize("layers", [1, 2, 3])
@pytest.mark.parametrize("kind", KINDS)
def test_fast_probe_equals_the_unrolled_oracle_with_a_readout(kind, layers):
    rnn, inputs = _module(kind, layers, seed=layers), _inputs(layers)
    head, targets = _readout(layers)
    loss = readout_loss(head, targets)
    fast = probe_module(rnn, inputs, loss)
    oracle = probe_module_unrolled(rnn, inputs, loss)
    _assert_same(fast, oracle)
    np.testing.assert_allclose(fast.connectivity, oracle.connectivity, rtol=RTOL, atol=1e-12)
    assert fast.connectivity.dtype == np.float32 and fast.connectivity.shape == (STEPS, STEPS)


@pytest.mark.parametrize("kind", KINDS)
def test_without_biases_without_readout_and_without_connectivity(kind):
    rnn, inputs = _module(kind, 2, bias=False, seed=7), _inputs(7)
    assert not hasattr(rnn, "bias_ih_l0")
    fast = probe_module(rnn, inputs, connectivity=False)
    oracle = probe_module_unrolled(rnn, inputs, connectivity=False)
    _assert_same(fast, oracle)
    assert fast.connectivity is None and oracle.connectivity is None
    top = rnn(inputs.transpose(0, 1))[0][:, 0].detach()  # [T, H]: the fused module itself (seq-first)
    np.testing.assert_allclose(fast.losses, (top @ default_direction(HIDDEN)).numpy(), atol=ATOL)


def _connectivity_by_loop(rnn: nn.RNNBase, inputs: torch.Tensor, loss) -> np.ndarray:
    """[t, s] = ||dl_t / dx_s|| by one autograd pass per target through the fused module."""
    x = inputs.clone().requires_grad_(True)  # [1, T, I]
    top, _ = rnn(x if rnn.batch_first else x.transpose(0, 1))
    top = top[0] if rnn.batch_first else top[:, 0]  # [T, H]
    losses = loss(top)  # [T]
    rows = [torch.autograd.grad(losses[t], x, retain_graph=True)[0][0].double().norm(dim=-1) for t in range(STEPS)]
    return torch.stack(rows).numpy()  # [T, T]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("readout", [True, False])
def test_connectivity_equals_a_per_target_autograd_loop(kind, readout):
    rnn, inputs = _module(kind, 2, batch_first=readout, seed=3), _inputs(3)
    head, targets = _readout(3)
    loss = readout_loss(head, targets) if readout else (lambda h: h @ default_direction(HIDDEN))
    expected = _connectivity_by_loop(rnn, inputs, loss)
    got = probe_module(rnn, inputs, loss if readout else None).connectivity
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-10)
    assert np.all(got[np.triu_indices(STEPS, 1)] == 0) and np.all(np.diag(got) > 0)


def test_interrupted_returns_none_and_refusals_say_what_to_do():
    rnn, inputs = _module("lstm", 2), _inputs()
    calls = []
    assert probe_module(rnn, inputs, interrupted=lambda: calls.append(1) or len(calls) >= 2) is None
    assert len(calls) == 2
    with pytest.raises(ValueError, match="bidirectional=False"):
        probe_module(nn.LSTM(INPUT, HIDDEN, bidirectional=True), inputs)
    with pytest.raises(ValueError, match="proj_size=0"):
        probe_module(nn.LSTM(INPUT, HIDDEN, proj_size=2), inputs)
    with pytest.raises(ValueError, match="nn.LSTM, nn.GRU and nn.RNN"):
        probe_module(nn.Linear(INPUT, HIDDEN), inputs)


def test_the_default_direction_is_fixed_and_leaves_the_global_rng_alone():
    state = torch.get_rng_state()
    first, second = default_direction(HIDDEN), default_direction(HIDDEN)
    assert torch.equal(torch.get_rng_state(), state)
    assert torch.equal(first, second) and first.norm().item() == pytest.approx(1.0)


def test_the_thread_count_is_restored():
    torch.set_num_threads(2)
    try:
        probe_module(_module("gru", 1), _inputs())
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(1)


def test_a_probe_longer_than_the_cap_skips_connectivity_and_the_panel_says_why():
    from rnnscope.contracts.config import RunConfig
    from rnnscope.contracts.frames import CONNECTIVITY_MAX_T
    from rnnscope.measuring.probe import run_probe
    from rnnscope.training.model import build_model
    from rnnscope.ui.render.accents import DEFAULT_ACCENTS
    from rnnscope.ui.render.connectivity import render_connectivity

    model = build_model(RunConfig(model="gru", hidden=4, embed=3), 5)
    for T, measured in ((CONNECTIVITY_MAX_T, True), (CONNECTIVITY_MAX_T + 1, False)):
        ids = np.arange(T + 1) % 5  # [T+1]
        probe = run_probe(model, ids[:-1], ids[1:], "abcde"[0] * (T + 1), step=0)
        assert (probe.connectivity is not None) == measured
        assert probe.connectivity is None or probe.connectivity.shape == (T, T)
    lines = render_connectivity(None, "a" * (CONNECTIVITY_MAX_T + 2), 0, 60, 5, "truecolor", DEFAULT_ACCENTS)
    assert "up to 512 steps (this one has 513" in "".join(s.text for s in lines[0])


@pytest.mark.parametrize("kind", KINDS)
def test_a_long_probe_measures_evenly_spaced_target_rows_in_chunks_and_leaves_the_others_nan(kind, monkeypatch):
    import rnnscope.measuring.probe_adjoint as adjoint

    monkeypatch.setattr(adjoint, "CONNECTIVITY_ROWS", 3)  # STEPS = 8 is then "long": rows 0, 4, 7
    monkeypatch.setattr(adjoint, "ROW_CHUNK", 2)  # two chunks: [0, 4] and [7]
    rnn, inputs = _module(kind, 2, seed=5), _inputs(5)
    head, targets = _readout(5)
    loss = readout_loss(head, targets)
    fast = probe_module(rnn, inputs, loss)
    expected = _connectivity_by_loop(rnn, inputs, loss)
    rows = [0, 4, 7]
    np.testing.assert_allclose(fast.connectivity[rows], expected[rows], rtol=1e-4, atol=1e-10)
    others = [t for t in range(STEPS) if t not in rows]
    assert np.isnan(fast.connectivity[others]).all()
    _assert_same(fast, probe_module_unrolled(rnn, inputs, loss))  # the flows are those of the full probe
