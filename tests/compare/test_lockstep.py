"""The lockstep rule, counted (no processes, no clocks): two runs stepping in any order stay within LEAD steps,
both progress, a paused pair ends at one step, a diverged run never holds the other; and B's compare rules
(A's initial weights, A's batches) hold again after B is re-initialised."""

import random

import torch

from rnnscope.compare.lockstep import LEAD, Lockstep, may_step
from rnnscope.compare.pair_side import PairSide
from rnnscope.contracts import commands
from rnnscope.contracts.frames import DIVERGED, PAUSED, RUNNING
from rnnscope.training.model import build_model
from tests.core_fixtures import tiny_engine


def _pair():
    slot_a, slot_b = [0, 1, -1, -1], [0, 1, -1, -1]
    return {"a": Lockstep(slot_a, slot_b), "b": Lockstep(slot_b, slot_a)}


def _run(locks, steps, states, order):
    """Let the side named by each item of `order` try one step; returns the largest lead seen."""
    most = 0
    for side in order:
        if locks[side].may_step(steps[side], states[side]):
            steps[side] += 1
            locks[side].tell(steps[side], states[side])
        most = max(most, abs(steps["a"] - steps["b"]))
    return most


def test_any_interleaving_stays_within_lead_and_both_progress():
    rng = random.Random(0)
    for bias in (0.5, 0.9, 0.1):  # one run much faster than the other, and even
        locks, steps, states = _pair(), {"a": 0, "b": 0}, {"a": RUNNING, "b": RUNNING}
        order = ["a" if rng.random() < bias else "b" for _ in range(5000)]
        assert _run(locks, steps, states, order) == LEAD  # the faster one runs ahead exactly LEAD, no further
        assert min(steps.values()) > 400


def test_pausing_both_ends_at_one_step_and_a_diverged_run_frees_the_other():
    locks, steps, states = _pair(), {"a": 0, "b": 0}, {"a": RUNNING, "b": RUNNING}
    _run(locks, steps, states, ["a"] * 10)
    assert steps == {"a": LEAD, "b": 0}
    states["a"] = states["b"] = PAUSED  # space reaches both
    _run(locks, steps, states, ["a", "b"] * 10)
    assert steps["a"] == steps["b"] == LEAD  # B caught up to where A paused, and no further
    states["a"], states["b"] = RUNNING, DIVERGED
    locks["b"].tell(steps["b"], DIVERGED)
    _run(locks, steps, states, ["a", "b"] * 10)
    assert steps == {"a": LEAD + 10, "b": LEAD}  # A goes on alone, B stays where it diverged


def test_rule_table():
    assert may_step(3 + LEAD - 1, RUNNING, 3, True) and not may_step(3 + LEAD, RUNNING, 3, True)
    assert not may_step(4, RUNNING, 3, True, lead=1)
    assert may_step(9, RUNNING, 0, False)
    assert not may_step(3, PAUSED, 3, True) and may_step(3, PAUSED, 4, True)
    assert not may_step(3, PAUSED, 3 + LEAD + 1, True)  # a run far ahead (resumed after a fix) is not chased
    assert not may_step(0, DIVERGED, 9, True)


def test_b_takes_a_initial_weights_again_after_reset(tmp_path):
    engine_b = tiny_engine(tmp_path, layers=2)  # B: layers=2; its own draw of the head differs from A's
    config_a = engine_b.config.with_(layers=1)
    side = PairSide(_pair()["b"], config_a)
    side.prepare(engine_b)
    head_a = dict(build_model(config_a, len(engine_b.corpus.vocab)).named_parameters())
    own = dict(build_model(engine_b.config, len(engine_b.corpus.vocab)).named_parameters())
    for _ in range(3):
        engine_b.train_step()
    batches = engine_b._streams.sampler.state()
    side.apply(engine_b, commands.Reset())
    after = dict(engine_b.model.named_parameters())
    shared = [n for n in after if not n.startswith("rnn.") and n in head_a]
    assert shared and any(not torch.equal(own[n], head_a[n]) for n in shared)  # the copy matters here
    assert all(torch.equal(after[n], head_a[n]) for n in shared)
    assert engine_b._streams.sampler.state() == batches  # the batches go on: still A's stream
    assert engine_b.probe.step == engine_b.step
