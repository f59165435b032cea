"""Scope on bidirectional, projected and custom-cell modules: states, flows and connectivity against oracles
(the module's own forward, the fast probe on one direction, torch.autograd), losses bit-identical watched."""

import dataclasses

import numpy as np
import pytest
import torch
from torch import nn

from rnnscope.measuring.module_probe import default_direction, probe_module
from rnnscope.storage.timeline.check import check_timeline_frame
from rnnscope.watch.inputs import check_inputs
from rnnscope.watch.scope import Scope
from rnnscope.watch.steps import module_directions
from rnnscope.watch.steps_probe import probe_rows
from rnnscope.watch.target import target
from rnnscope.watch.watched_probe import WatchedProbe
from tests.watch.test_watch_examples import load_example
from tests.watch_fixtures import frames_in

T, IN = 6, 3


def probed(module, cell_step=None, input_size=None, seed=1):
    rnn = target(module, cell_step, input_size)
    x = torch.randn(T, IN, generator=torch.Generator().manual_seed(seed))  # [T, IN]
    probe = WatchedProbe(rnn, check_inputs(rnn, x))
    probe.check_reproduced()
    return probe.run(0), x


def own_connectivity(forward, x: torch.Tensor, width: int) -> np.ndarray:
    """||dl_t / dx_s|| [T, T] by torch.autograd through the module's own forward, l_t = u . output_t."""
    u = default_direction(width)  # [H_out]
    jacobian = torch.autograd.functional.jacobian(lambda inputs: forward(inputs[None]) @ u, x)  # [T, T, IN]
    return jacobian.norm(dim=-1).numpy()


@pytest.mark.parametrize("make", [
    lambda: nn.LSTM(IN, 4, num_layers=2, bidirectional=True, batch_first=True),
    lambda: nn.GRU(IN, 4, bidirectional=True),
    lambda: nn.RNN(IN, 4, bidirectional=True, nonlinearity="relu", batch_first=True),
    lambda: nn.LSTM(IN, 5, num_layers=2, proj_size=3, batch_first=True),
])
def test_rows_hold_the_modules_own_states_and_connectivity(make):
    torch.manual_seed(0)
    module = make()
    frame, x = probed(module)
    inputs = x[None] if module.batch_first else x[:, None]
    output, state = module(inputs)
    h_n = (state[0] if isinstance(state, tuple) else state)[:, 0]  # [L*D, P]
    directions = 2 if module.bidirectional else 1
    top = np.concatenate([layer.hidden for layer in frame.layers[-directions:]], axis=1)  # [T, D*P]
    own = (output[0] if module.batch_first else output[:, 0]).detach().numpy()
    np.testing.assert_allclose(top, own, atol=1e-5)
    lasts = [layer.hidden[0 if index % directions else -1] for index, layer in enumerate(frame.layers)]
    np.testing.assert_allclose(np.stack(lasts), h_n.detach().numpy(), atol=1e-5)
    if module.batch_first:
        forward = lambda inputs: module(inputs)[0][0]
    else:
        forward = lambda inputs: module(inputs.transpose(0, 1))[0][:, 0]
    np.testing.assert_allclose(frame.connectivity, own_connectivity(forward, x, top.shape[1]), rtol=1e-4, atol=1e-6)
    assert (frame.connectivity[0, 1:] > 0).any() == module.bidirectional  # a backward row sees the future
    check_timeline_frame(frame, None)


def test_each_directions_flow_is_the_fast_probes_on_that_direction_alone():
    torch.manual_seed(0)
    bidirectional = nn.LSTM(IN, 4, batch_first=True, bidirectional=True)
    frame, x = probed(bidirectional)
    u = default_direction(8)  # l_t = u . [h_fwd, h_bwd]
    for row, (suffix, part, reverse) in enumerate((("", u[:4], False), ("_reverse", u[4:], True))):
        alone = nn.LSTM(IN, 4, batch_first=True)
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(alone, f"{name}_l0").data.copy_(getattr(bidirectional, f"{name}_l0{suffix}"))
        oracle = probe_module(alone, (x.flip(0) if reverse else x)[None], lambda hidden, p=part: hidden @ p,
                              connectivity=False)
        layer, want = frame.layers[row], oracle.layers[0]
        order = slice(None, None, -1 if reverse else 1)  # the oracle ran in the row's own time
        np.testing.assert_allclose(layer.hidden, want.hidden[order], atol=1e-6)
        np.testing.assert_allclose(layer.grad_h, want.grad_h[order], rtol=1e-4, atol=1e-9)
        np.testing.assert_allclose(layer.grad_c, want.grad_c[order], rtol=1e-4, atol=1e-9)
        np.testing.assert_allclose(layer.gates, want.gates[:, order], atol=1e-6)
        assert layer.metrics.decay_per_step == pytest.approx(want.metrics.decay_per_step, rel=1e-4)


def test_a_custom_cell_is_unrolled_through_its_step_and_a_wrong_step_refused():
    example = load_example("watch_custom_cell")
    torch.manual_seed(0)
    rnn = example.LayerNormLSTM(IN, 4)
    frame, x = probed(rnn, example.ln_lstm_step(rnn))
    np.testing.assert_allclose(frame.layers[0].hidden, rnn(x[None])[0][0].detach().numpy(), atol=1e-6)
    np.testing.assert_allclose(frame.connectivity, own_connectivity(lambda v: rnn(v)[0][0], x, 4), rtol=1e-4,
                               atol=1e-7)
    assert frame.layers[0].gate_names == ("input", "forget", "cell", "output")
    check_timeline_frame(frame, None)
    seen = []  # the h_t of the module's own forward, caught as its cell returns them
    hook = rnn.cell.register_forward_hook(lambda cell, inputs, output: seen.append(output[0]))
    own = rnn(x[None])[0][0]  # [T, H]
    hook.remove()
    grads = torch.autograd.grad(own[-1] @ default_direction(4), seen)  # dl_{T-1} / dh_t through its own loop
    np.testing.assert_allclose(frame.layers[0].grad_h, [g.norm().item() for g in grads], rtol=1e-4)

    def off(x_t, state):  # forgets nothing the module forgets: a different cell
        state, h, gates = example.ln_lstm_step(rnn)(x_t, state)
        return state, h * 0.5, gates

    with pytest.raises(ValueError, match="step's outputs differ from the module's own forward") as refused:
        probed(rnn, off)
    assert "\n" not in str(refused.value)
    with pytest.raises(ValueError, match="input_size"):
        target(nn.Linear(2, 2), off)


def test_custom_gate_names_must_be_short_visible_strings():
    rnn = nn.Linear(IN, 2)  # a linear "cell": h_t = tanh(W x_t + h_{t-1}); forward unrolls the same

    class Cell(nn.Module):
        def __init__(self):
            super().__init__()
            self.lin, self.input_size = rnn, IN

        def forward(self, x):
            h, out = x.new_zeros(1, 2), []
            for t in range(x.shape[1]):
                h = torch.tanh(self.lin(x[:, t]) + h)
                out.append(h)
            return torch.stack(out, dim=1)  # [1, T, 2]

    def step(name):
        def made(x_t, state):
            h = torch.tanh(rnn(x_t) + (0 if state is None else state))  # [1, 2]
            return h, h, {name: 3 * h}  # any finite values for a gate of its own name
        return made

    frame, _ = probed(Cell(), step("mix"))
    check_timeline_frame(frame, None)  # a gate of its own name holds any finite values
    hostile = dataclasses.replace(frame.layers[0], gate_names=("\x1b[2J",))
    with pytest.raises(ValueError, match="names gates of no model"):
        check_timeline_frame(dataclasses.replace(frame, layers=(hostile,)), None)
    with pytest.raises(ValueError, match="gate names .* cannot be shown"):
        probed(Cell(), step("\x1b[2J"))
    with pytest.raises(ValueError, match="the step gave no gates"):
        probed(Cell(), lambda x_t, state: step("mix")(x_t, state)[:2] + ({},))


def test_a_projected_lstm_trains_bit_identically_watched(tmp_path):
    def run(watched: bool) -> list[float]:
        torch.manual_seed(0)
        rnn, head = nn.LSTM(IN, 5, proj_size=2, batch_first=True), nn.Linear(2, 3)
        optimizer = torch.optim.SGD([*rnn.parameters(), *head.parameters()], lr=0.5)
        scope = Scope(rnn, tmp_path, probe=torch.ones(T, IN), every=2) if watched else None
        losses = []
        for step in range(5):
            x, y = torch.randn(4, T, IN), torch.randint(3, (4, T))
            loss = nn.functional.cross_entropy(head(rnn(x)[0]).reshape(-1, 3), y.reshape(-1))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            if scope:
                scope.step(step, loss=loss.detach())
            losses.append(loss.item())
        if scope:
            scope.close()
        return losses

    assert run(True) == run(False)
    frames = frames_in(tmp_path)
    assert [f.entry.step for f in frames] == [0, 2, 4] and frames[-1].meta["model"].endswith("proj 2")
    layer = frames[-1].probe.layers[0]
    assert layer.hidden.shape == (T, 2) and layer.cell.shape == (T, 5) and layer.gates.shape == (4, T, 5)


def test_minGRU_pytorchs_flow_is_the_product_of_its_diagonal_jacobians():
    package = pytest.importorskip("minGRU_pytorch.minGRU")
    torch.manual_seed(0)
    rnn = package.minGRU(IN)  # its forward: the log-space parallel scan; the step: its sequential branch
    frame, x = probed(rnn, load_example("watch_custom_cell").mingru_step(rnn), input_size=IN)
    layer = frame.layers[0]
    np.testing.assert_allclose(layer.hidden, rnn(x[None])[0].detach().numpy(), atol=1e-5)
    keep = 1 - torch.sigmoid(rnn.to_hidden_and_gate(x).chunk(2, dim=-1)[1]).detach().numpy()  # [T, H] 1 - z
    u = default_direction(IN).numpy()
    flow = [np.linalg.norm(u * np.prod(keep[t + 1 :], axis=0)) for t in range(T)]  # dl_{T-1}/dh_t = u prod (1 - z)
    np.testing.assert_allclose(layer.grad_h, flow, rtol=1e-5)
    np.testing.assert_allclose(layer.gates[2], keep, atol=1e-6)
    np.testing.assert_allclose(frame.connectivity, own_connectivity(lambda v: rnn(v)[0], x, IN), rtol=1e-3,
                               atol=1e-7)
    check_timeline_frame(frame, None)


def test_the_connectivity_without_a_batched_backward_is_the_same(monkeypatch):
    torch.manual_seed(0)
    module, x = nn.GRU(IN, 4, bidirectional=True, batch_first=True), torch.randn(1, T, IN)
    batched = probe_rows(module_directions(module), x, None, True).connectivity
    real = torch.autograd.grad

    def unbatched(*args, **kwargs):  # a step whose operations vmap cannot batch
        if kwargs.get("is_grads_batched"):
            raise RuntimeError("Batching rule not implemented")
        return real(*args, **kwargs)

    monkeypatch.setattr(torch.autograd, "grad", unbatched)
    np.testing.assert_allclose(probe_rows(module_directions(module), x, None, True).connectivity, batched, rtol=1e-6)


def test_a_projected_lstms_flow_is_torch_autograds_through_its_own_cell_function():
    torch.manual_seed(0)
    module = nn.LSTM(IN, 5, proj_size=3, batch_first=True)
    frame, x = probed(module)
    weights = [module.weight_ih_l0, module.weight_hh_l0, module.bias_ih_l0, module.bias_hh_l0]
    h, c, hidden, cells = torch.zeros(1, 3), torch.zeros(1, 5), [], []
    for t in range(T):  # PyTorch's documented LSTM equations, then the projection: h_t = W_hr (o * tanh(c_t))
        pre = x[t : t + 1] @ weights[0].T + weights[2] + h @ weights[1].T + weights[3]  # [1, 20]
        i, f, g, o = pre.chunk(4, dim=1)  # [1, 5] each
        c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)  # [1, 5]
        h = (torch.sigmoid(o) * torch.tanh(c)) @ module.weight_hr_l0.T  # [1, 3]
        hidden.append(h)
        cells.append(c)
    u = default_direction(3)
    grads = torch.autograd.grad((hidden[-1] @ u).sum(), hidden + cells)
    np.testing.assert_allclose(frame.layers[0].grad_h, [g.norm().item() for g in grads[:T]], rtol=1e-4)
    np.testing.assert_allclose(frame.layers[0].grad_c, [g.norm().item() for g in grads[T:]], rtol=1e-4, atol=1e-9)
    np.testing.assert_allclose(frame.layers[0].cell, torch.cat(cells).detach().numpy(), atol=1e-6)
