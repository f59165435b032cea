"""The training step against torch.autograd and torch's own clipping; non-finite steps change nothing."""

import math

import torch

from rnnscope.contracts.config import RunConfig
from rnnscope.training.model import build_model
from rnnscope.training.trainer import batch_loss, make_optimizer, train_step

torch.set_num_threads(1)


def _setup(clip_model="lstm", seed=0):
    model = build_model(RunConfig(model=clip_model, hidden=12, embed=6, seed=seed), vocab_size=9)
    gen = torch.Generator().manual_seed(seed)
    x = torch.randint(0, 9, (3, 10), generator=gen)  # [B, T]
    y = torch.randint(0, 9, (3, 10), generator=gen)  # [B, T]
    return model, x, y


def test_gradient_norms_match_autograd_and_clipping_bounds_total():
    model, x, y = _setup()
    reference = {n: p.detach().clone() for n, p in model.named_parameters()}
    grads = torch.autograd.grad(batch_loss(model, x, y), list(model.parameters()))
    expected = {n: float(g.norm()) for (n, _), g in zip(model.named_parameters(), grads)}
    total = math.sqrt(sum(v * v for v in expected.values()))
    clip = total / 4
    opt = make_optimizer("sgd", model.parameters(), lr=0.1)
    stats = train_step(model, opt, x, y, clip=clip, step=1)
    assert stats.grad_norms.keys() == expected.keys()
    for name, value in expected.items():
        assert math.isclose(stats.grad_norms[name], value, rel_tol=1e-5)
    assert math.isclose(stats.total_pre, total, rel_tol=1e-5)
    assert stats.clipped and stats.total_post <= clip * (1 + 1e-5)
    # SGD moved each weight by lr * clipped gradient: the same as torch's own clip_grad_norm_.
    twin, _, _ = _setup()
    twin.load_state_dict({k: v for k, v in reference.items()})
    twin_opt = torch.optim.SGD(twin.parameters(), lr=0.1)
    batch_loss(twin, x, y).backward()
    torch.nn.utils.clip_grad_norm_(twin.parameters(), clip)
    twin_opt.step()
    for (name, p), q in zip(model.named_parameters(), twin.parameters()):
        assert torch.allclose(p, q, atol=1e-6), name


def test_no_clipping_below_threshold_or_when_off():
    model, x, y = _setup()
    opt = make_optimizer("adam", model.parameters(), lr=1e-3)
    off = train_step(model, opt, x, y, clip=None, step=1)
    assert not off.clipped and off.total_post == off.total_pre
    high = train_step(model, opt, x, y, clip=1e6, step=2)
    assert not high.clipped and high.grad_norms_post == high.grad_norms


def test_non_finite_step_leaves_weights_untouched():
    model, x, y = _setup()
    with torch.no_grad():
        model.head.bias[0] = float("inf")
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    opt = make_optimizer("adam", model.parameters(), lr=1e-2)
    stats = train_step(model, opt, x, y, clip=1.0, step=1)
    assert not math.isfinite(stats.loss) or not math.isfinite(stats.total_pre)
    for name, p in model.named_parameters():
        assert torch.equal(p, before[name]), name


def test_fused_norms_equal_the_per_parameter_norms_and_are_timed_as_side_work():
    from rnnscope.training.side_budget import SideBudget

    for kind in ("lstm", "gru", "rnn-tanh", "rnn-relu"):
        model, x, y = _setup(kind)
        batch_loss(model, x, y).backward()
        grads = [p.grad for p in model.parameters()]
        expected = [float(torch.linalg.vector_norm(g.double())) for g in grads]  # one call per parameter
        model.zero_grad(set_to_none=True)
        side = SideBudget()
        side.add_training(0.01)  # past start-up (side work before the first step is not charged)
        stats = train_step(model, make_optimizer("sgd", model.parameters(), 0.0), x, y, clip=None, step=1, budget=side)
        for got, want in zip(stats.grad_norms.values(), expected):
            assert math.isclose(got, want, rel_tol=1e-5), kind
        assert math.isclose(stats.total_pre, math.sqrt(sum(v * v for v in expected)), rel_tol=1e-5)
        assert side.spent["norms"] > 0 and side.timings()["norms_ms"] is not None
