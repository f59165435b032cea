"""minGRU and minLSTM (Feng et al. 2024): the log-space scan against a float64 numpy loop and against the
minGRU-pytorch package on the same weights; the step-by-step probe against the autograd oracle; the flow's
diagonal Jacobian."""

import numpy as np
import pytest
import torch

from rnnscope import cells
from rnnscope.measuring.module_probe import probe_module
from rnnscope.measuring.oracle_unrolled import probe_module_unrolled

torch.set_num_threads(1)
MIN_KINDS = ("mingru", "minlstm")
IN, H = 4, 5


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _g(x):
    return np.where(x >= 0, x + 0.5, _sigmoid(x))


def _mingru_step(k, h):
    z, candidate = _sigmoid(k[..., :H]), _g(k[..., H:])
    return (1 - z) * h + z * candidate


def _minlstm_step(k, h):
    f, i, candidate = _sigmoid(k[..., :H]), _sigmoid(k[..., H : 2 * H]), _g(k[..., 2 * H :])
    return f / (f + i) * h + i / (f + i) * candidate


STEPS = {"mingru": _mingru_step, "minlstm": _minlstm_step}  # the paper's equations, step by step, in float64


def _reference(kind, module, x, h0=None):
    """h_t [B, T, H] of every layer by STEPS[kind] in float64 numpy."""
    inputs = x.double().numpy()
    for layer in range(module.num_layers):
        weight = getattr(module, f"weight_ih_l{layer}").detach().double().numpy()  # [G*H, In]
        bias = getattr(module, f"bias_ih_l{layer}").detach().double().numpy()  # [G*H]
        h = np.zeros((x.shape[0], H)) if h0 is None else h0[layer].double().numpy()  # [B, H]
        out = []
        for t in range(inputs.shape[1]):
            h = STEPS[kind](inputs[:, t] @ weight.T + bias, h)
            out.append(h)
        inputs = np.stack(out, axis=1)  # [B, T, H]
    return inputs


@pytest.mark.parametrize("kind", MIN_KINDS)
@pytest.mark.parametrize("with_state", [False, True])
def test_the_scan_equals_the_papers_steps_in_float64(kind, with_state):
    torch.manual_seed(0)
    module = cells.cell(kind).module(IN, H, 2)
    x = 2 * torch.randn(3, 40, IN)  # [B, T, In]
    h0 = torch.rand(2, 3, H) if with_state else None  # [L, B, H]
    out, state = module(x, h0)
    expected = _reference(kind, module, x, h0)
    np.testing.assert_allclose(out.detach().numpy(), expected, rtol=2e-5, atol=1e-6)
    np.testing.assert_allclose(state[-1].detach().numpy(), expected[:, -1], rtol=2e-5, atol=1e-6)


@pytest.mark.parametrize("kind", MIN_KINDS)
def test_the_scans_gradients_equal_the_sequential_loops(kind):
    torch.manual_seed(1)
    cell = cells.cell(kind)
    module = cell.module(IN, H, 2)
    x = torch.randn(2, 30, IN)  # [B, T, In]
    weights = torch.randn(H)  # [H]
    scanned = torch.autograd.grad((module(x)[0] @ weights).square().mean(), list(module.parameters()))
    looped = torch.autograd.grad((torch.stack(cell.unroll(module, x)[-1].hidden, dim=1) @ weights).square().mean(),
                                 list(module.parameters()))
    for mine, theirs in zip(scanned, looped, strict=True):
        torch.testing.assert_close(mine, theirs, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("kind", MIN_KINDS)
def test_the_scan_equals_the_mingru_pytorch_package_on_the_same_weights(kind):
    package = pytest.importorskip("minGRU_pytorch.minGRU" if kind == "mingru" else "minGRU_pytorch.minLSTM")
    torch.manual_seed(2)
    module = cells.cell(kind).module(H, H, 1)
    with torch.no_grad():
        module.bias_ih_l0.zero_()  # the package's projection has no bias
    theirs = package.minGRU(H) if kind == "mingru" else package.minLSTM(H)
    linear = theirs.to_hidden_and_gate if kind == "mingru" else theirs.to_hidden_and_f_i_gate
    blocks = module.weight_ih_l0.detach().chunk(cells.cell(kind).blocks)  # ours: gates first, candidate last
    with torch.no_grad():
        linear.weight.copy_(torch.cat((blocks[-1], *blocks[:-1])))  # theirs: candidate first
    x = torch.randn(2, 25, H)  # [B, T, H]
    torch.testing.assert_close(module(x)[0], theirs(x), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("kind", MIN_KINDS)
@pytest.mark.parametrize("connectivity", [False, True])
def test_the_step_by_step_probe_equals_the_autograd_oracle(kind, connectivity):
    torch.manual_seed(3)
    module = cells.cell(kind).module(IN, H, 2)
    x = torch.randn(1, 12, IN)  # [1, T, In]
    fast, oracle = probe_module(module, x, connectivity=connectivity), probe_module_unrolled(module, x,
                                                                                              connectivity=connectivity)
    np.testing.assert_allclose(fast.losses, oracle.losses, rtol=1e-5, atol=1e-6)
    for mine, theirs in zip(fast.layers, oracle.layers, strict=True):
        for name in ("gates", "hidden", "grad_h", "grad_h_total"):
            np.testing.assert_allclose(getattr(mine, name), getattr(theirs, name), rtol=1e-4, atol=1e-7, err_msg=name)
        assert mine.metrics.sigma_max == pytest.approx(theirs.metrics.sigma_max)
    if connectivity:
        np.testing.assert_allclose(fast.connectivity, oracle.connectivity, rtol=1e-4, atol=1e-7)
    with torch.no_grad():
        np.testing.assert_allclose(fast.layers[-1].hidden, module(x)[0][0].numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("kind", MIN_KINDS)
def test_the_flow_is_the_product_of_the_diagonal_jacobians(kind):
    torch.manual_seed(4)
    module = cells.cell(kind).module(IN, H, 1)
    x = torch.randn(1, 10, IN)  # [1, T, In]
    layer = probe_module(module, x, connectivity=False).layers[0]
    jacobian = layer.gates[-1]  # [T, H] dh_t / dh_{t-1}, diagonal
    assert layer.gate_names[-1] == "jacobian" and 0 < jacobian.min() and jacobian.max() < 1
    if kind == "mingru":
        np.testing.assert_allclose(jacobian, 1 - layer.gates[0], atol=1e-7)  # diag(1 - z)
    assert layer.metrics.sigma_max == {"jacobian": pytest.approx(float(jacobian.max()))}
    direct = torch.nn.functional.normalize(torch.randn(H, generator=torch.Generator().manual_seed(0),
                                                       dtype=torch.float64), dim=0).float().numpy()  # u of l_t = u.h_t
    grad = direct.astype(np.float64)
    for t in range(9, 0, -1):  # dl_{T-1}/dh_{t-1} = dl_{T-1}/dh_t * diag(a_t)
        grad = grad * jacobian[t]
        assert np.linalg.norm(grad) == pytest.approx(layer.grad_h[t - 1], rel=1e-4)
