"""Scope's parts without a probe: the schedule, the gradient norms, the one-warning writes, the rank."""

import warnings

import pytest
import torch
from torch import nn

from rnnscope.watch.grad_norms import GradNorms
from rnnscope.watch.publisher import SafeWrites, rank
from rnnscope.watch.schedule import ProbeSchedule


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_the_budget_schedule_keeps_the_side_share_near_the_budget():
    clock = Clock()
    schedule = ProbeSchedule(0.02, None, clock)
    probes = 0
    for step in range(10_000):
        clock.now += 0.010  # a 10 ms training step
        if schedule.due(step):
            probes += 1
            clock.now += 0.005  # a 5 ms probe
            schedule.spend(0.005)
            schedule.probed(step, 0.005)
    assert 0.015 <= schedule.share() <= 0.021
    assert 300 <= probes <= 420  # 2% of 100 s in 5 ms probes: about 400


def test_a_slow_first_probe_counts_in_the_share_and_is_paid_back():
    clock = Clock()
    schedule = ProbeSchedule(0.02, None, clock)
    due = []
    for step in range(2_000):
        clock.now += 0.010  # a 10 ms training step
        if schedule.due(step):
            cost = 0.4 if not due else 0.005  # a first probe of 400 ms (first calls), then 5 ms
            due.append(step)
            clock.now += cost
            schedule.spend(cost)
            schedule.probed(step, cost)
        if step == 1:
            assert due == [0, 1] and schedule.share() > 0.9 * 0.405 / 0.425  # counted, and the second came at once
    assert 0.015 <= schedule.share() <= 0.0205  # 20 s of loop: the 400 ms were paid back by fewer probes
    assert len(due) < 10  # 2% of 20 s is 0.4 s: the first probe's; without it counted, about 80 probes


def test_every_n_steps_ignores_time():
    schedule = ProbeSchedule(0.02, 3, Clock())
    due = [step for step in range(10) if schedule.due(step) and (schedule.probed(step, 1.0) or True)]
    assert due == [0, 3, 6, 9]


def test_grad_norms_read_grad_without_changing_it():
    rnn = nn.GRU(3, 4, num_layers=2)
    out, _ = rnn(torch.randn(5, 2, 3))
    out.square().sum().backward()
    before = {name: p.grad.clone() for name, p in rnn.named_parameters()}
    norms = GradNorms(rnn)
    norms.take(7)
    step, per_param, total = norms.read()
    assert step == 7 and set(per_param) == set(before)
    for name, grad in before.items():
        assert per_param[name] == pytest.approx(float(grad.norm()), rel=1e-6)
        assert torch.equal(dict(rnn.named_parameters())[name].grad, grad)
    assert total == pytest.approx(float(torch.stack([g.norm() for g in before.values()]).norm()), rel=1e-6)
    assert norms.read() is None  # read once


def test_a_parameter_without_a_gradient_counts_zero():
    rnn = nn.LSTM(2, 3)
    norms = GradNorms(rnn)
    norms.take(0)
    assert set(norms.read()[1].values()) == {0.0}


def test_a_failing_write_warns_once_and_stops_writing():
    safe = SafeWrites("runs/x")
    calls = []

    def full_disk():
        calls.append(1)
        raise OSError(28, "No space left on device")

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert safe.attempt(full_disk) is False
        assert safe.attempt(full_disk) is False
    assert len(calls) == 1 and len(caught) == 1
    assert "stopped writing to runs/x" in str(caught[0].message) and "No space left" in str(caught[0].message)


def test_rank_comes_from_torchrun_before_the_process_group_exists(monkeypatch):
    monkeypatch.setenv("RANK", "3")
    assert rank() == 3
    monkeypatch.delenv("RANK")
    assert rank() == 0
