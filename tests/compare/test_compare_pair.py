"""EnginePair: a change that changes nothing is bit-identical, clip=0 parts only where clipping fires,
both sides draw the same batches, and B starts from A's initial weights as the rule says."""

from dataclasses import asdict

import numpy as np
import pytest
import torch

from rnnscope.compare.engine_pair import EnginePair
from rnnscope.contracts.config import RunConfig
from rnnscope.contracts.frames import DIVERGED
from rnnscope.storage.snapshot_io import metrics_to_json
from rnnscope.training.data import BatchSampler, load_corpus
from tests.core_fixtures import tiny_config, write_corpus


def _pair(tmp_path, a_changes=None, **b_changes):
    corpus_path = write_corpus(tmp_path)
    config_a = tiny_config(corpus_path, **(a_changes or {}))
    config_b = config_a.with_(**b_changes).validate()
    return EnginePair(config_a, config_b, load_corpus(corpus_path), tmp_path / "run", "test", threads=1)


def _weights_equal(a, b) -> bool:
    sa, sb = a.model.state_dict(), b.model.state_dict()
    return sa.keys() == sb.keys() and all(torch.equal(sa[k], sb[k]) for k in sa)


def _probe_equal(a, b) -> bool:
    pa, pb = a.refresh_probe(), b.refresh_probe()
    arrays = all(np.array_equal(getattr(la, name), getattr(lb, name))
                 for la, lb in zip(pa.layers, pb.layers) for name in ("gates", "hidden", "cell", "grad_h"))
    metrics = [metrics_to_json(la.metrics) for la in pa.layers] == [metrics_to_json(lb.metrics) for lb in pb.layers]
    return arrays and metrics and np.array_equal(pa.probs, pb.probs) and pa.loss == pb.loss


def test_a_compare_that_changes_nothing_is_identical_at_every_step(tmp_path):
    pair = _pair(tmp_path, seed=0)
    a, b = pair.sides["a"], pair.sides["b"]
    assert _weights_equal(a, b) and _probe_equal(a, b)
    for step in range(1, 11):
        pair.train_step()
        assert a.step == b.step == step
        assert asdict(a.last_stats) == asdict(b.last_stats)  # loss, every parameter's gradient norm, clipping
        assert _weights_equal(a, b), f"weights part at step {step}"
        if step % 5 == 0:
            assert _probe_equal(a, b), f"probe metrics part at step {step}"
    assert np.array_equal(a.frame().val_history, b.frame().val_history) and len(a.frame().val_history) == 2
    own = ("chars_per_s", "timings")  # each process's own speed
    assert pair.result()["a"] == {**pair.result()["b"], **{key: pair.result()["a"][key] for key in own}}


def _first_rise(norms: list[float]) -> int:
    """0-based index of the first step whose gradient norm exceeds every earlier one (not the first)."""
    return next(i for i in range(1, len(norms)) if norms[i] > max(norms[:i]) * 1.01)


def test_clip_off_is_identical_until_clipping_first_fires_then_differs(tmp_path):
    unclipped = _pair(tmp_path, a_changes={"clip": None}).sides["a"]
    norms = []
    for _ in range(15):
        unclipped.train_step()
        norms.append(unclipped.last_stats.total_pre)
    rise = _first_rise(norms)  # with a threshold between, A clips first on step rise + 1
    threshold = (max(norms[:rise]) + norms[rise]) / 2
    pair = _pair(tmp_path, a_changes={"clip": threshold}, clip=None)  # --clip threshold --compare clip=0
    a, b = pair.sides["a"], pair.sides["b"]
    for step in range(1, rise + 1):
        pair.train_step()
        assert not a.last_stats.clipped
        assert asdict(a.last_stats) == asdict(b.last_stats) and _weights_equal(a, b), f"part before clipping, step {step}"
    pair.train_step()  # step rise + 1: same loss (computed before the update), then A's update is clipped
    assert a.last_stats.clipped and not b.last_stats.clipped
    assert a.last_stats.loss == b.last_stats.loss
    assert a.last_stats.total_post < b.last_stats.total_post
    assert not _weights_equal(a, b)
    pair.train_step()
    assert a.last_stats.loss != b.last_stats.loss


def test_both_sides_draw_the_same_batches_even_with_another_seed(tmp_path):
    pair = _pair(tmp_path, seed=1)
    drawn = {"a": [], "b": []}
    for side, engine in pair.sides.items():
        sampler_next = engine._streams.sampler.next

        def recording(side=side, sampler_next=sampler_next):
            batch = sampler_next()
            drawn[side].append(batch)
            return batch

        engine._streams.sampler.next = recording
    for _ in range(4):
        pair.train_step()
    assert len(drawn["a"]) == len(drawn["b"]) == 4
    for (xa, ya), (xb, yb) in zip(drawn["a"], drawn["b"]):
        assert np.array_equal(xa, xb) and np.array_equal(ya, yb)
    a, b = pair.sides["a"], pair.sides["b"]
    own_seed = BatchSampler(b.corpus.train, b.config.seq_len, b.config.batch, b.config.seed).next()[0]
    assert not np.array_equal(own_seed, drawn["b"][0][0])  # B did not use its own seed for batches
    assert not torch.equal(a.model.embedding.weight, b.model.embedding.weight)  # but its own weights
    assert a.probe_text == b.probe_text and np.array_equal(a.probe_ids, b.probe_ids)  # and the same probe


LSTM = ("embedding.weight", "rnn.weight_ih_l0", "rnn.weight_hh_l0", "rnn.bias_ih_l0", "rnn.bias_hh_l0",
        "head.weight", "head.bias")
RULE = {  # (A's changes, B's changes) -> the parameters B starts with A's values of
    "clip off": ({}, {"clip": None}, set(LSTM)),
    "lr and optimizer": ({}, {"lr": 0.05, "optimizer": "sgd"}, set(LSTM)),
    "gru: embedding and head": ({}, {"model": "gru"}, {"embedding.weight", "head.weight", "head.bias"}),
    "tanh against relu: all": ({"model": "rnn-tanh"}, {"model": "rnn-relu"}, set(LSTM)),
    "layers=2: layer 0 and head": ({}, {"layers": 2}, set(LSTM)),
    "embed: all but the input side": ({}, {"embed": 12}, set(LSTM) - {"embedding.weight", "rnn.weight_ih_l0"}),
    "hidden: embedding, head bias": ({}, {"hidden": 20}, {"embedding.weight", "head.bias"}),
    "init orthogonal: B's own W_hh": ({}, {"init": "orthogonal"}, set(LSTM) - {"rnn.weight_hh_l0"}),
    "init identity: B's own W_hh and biases": (
        {}, {"init": "identity"}, {"embedding.weight", "rnn.weight_ih_l0", "head.weight", "head.bias"}),
    "init-gain with gru: B's recurrent module": (
        {}, {"init_gain": 0.5, "model": "gru"}, {"embedding.weight", "head.weight", "head.bias"}),
    "seed: nothing": ({}, {"seed": 1}, set()),
}


@pytest.mark.parametrize("case", RULE)
def test_b_starts_from_a_s_initial_weights_where_the_rule_says(tmp_path, case):
    a_changes, b_changes, expected = RULE[case]
    pair = _pair(tmp_path, a_changes, **b_changes)
    params_a = dict(pair.sides["a"].model.named_parameters())
    params_b = dict(pair.sides["b"].model.named_parameters())
    same = {name for name, p in params_b.items()
            if name in params_a and params_a[name].shape == p.shape and torch.equal(params_a[name], p)}
    assert same == expected


def test_b_keeps_its_own_init_when_init_differs(tmp_path):
    pair = _pair(tmp_path, a_changes={"model": "rnn-relu"}, init="identity")
    w_hh = pair.sides["b"].model.rnn.weight_hh_l0  # [H, H]
    assert torch.equal(w_hh, torch.eye(w_hh.shape[0]))


@pytest.mark.skipif("forget_bias" not in RunConfig.__dataclass_fields__, reason="issue 8's forget_bias not merged")
def test_forget_bias_keeps_b_s_own_recurrent_biases(tmp_path):
    pair = _pair(tmp_path, forget_bias=2.0)
    assert "rnn.bias_hh_l0" not in pair.shared and "embedding.weight" in pair.shared


def test_a_diverged_side_stops_and_the_other_goes_on(tmp_path):
    pair = _pair(tmp_path, a_changes={"model": "rnn-relu", "init": "identity",
                                      "optimizer": "sgd", "clip": None, "lr": 0.1}, lr=50.0)
    for _ in range(40):
        pair.train_step()
    a, b = pair.sides["a"], pair.sides["b"]
    assert b.state == DIVERGED and a.state != DIVERGED
    assert a.step == 40 and pair.step == 40 and pair.live() == ["a"]
    result = pair.result()
    assert result["a"]["diverged"] is None and result["b"]["diverged"] == b.step + 1
    assert any(event.label == "diverged" for event in b.frame().events)


def test_a_diverged_a_is_written_once_and_each_export_is_named_after_the_pair_s_step(tmp_path, monkeypatch):
    from rnnscope.exporting import export

    monkeypatch.setattr(export, "render_figure", lambda frame, path: path.write_bytes(b"\x89PNG"))
    pair = _pair(tmp_path, a_changes={"model": "rnn-relu", "init": "identity", "optimizer": "sgd", "clip": None,
                                      "lr": 50.0}, lr=0.1)
    a, b = pair.sides["a"], pair.sides["b"]
    while "a" not in pair.train_step():
        assert pair.step < 40
    assert pair.live() == ["b"] and b.step == a.step + 1 == pair.step  # B took the step A diverged on
    assert pair.export_alone("a") == pair.run_dir / f"compare-step-{b.step:06d}.png"
    assert pair.snapshots() == {"a": a.run_dir / f"step-{a.step:06d}", "b": None}
    for _ in range(3):
        pair.train_step()
    assert pair.export() == pair.run_dir / f"compare-step-{b.step:06d}.png"  # not step + LEAD: one process
    assert pair.snapshots() == {"a": a.run_dir / f"step-{a.step:06d}", "b": b.run_dir / f"step-{b.step:06d}"}
    assert len(list(a.run_dir.glob("step-*"))) == 1  # where it stopped, written once


@pytest.mark.slow
def test_compare_figure_gains_a_memory_row_once_memory_is_measured(tmp_path):
    from PIL import Image

    from rnnscope.compare.figure import ROW_HEIGHT_IN, render_compare_figure
    from rnnscope.exporting.figure import DPI

    pair = _pair(tmp_path, forget_bias=2.0)
    a, b = pair.sides["a"], pair.sides["b"]
    a.refresh_probe(), b.refresh_probe()
    heights = []
    for name in ("before", "after"):
        render_compare_figure(a.frame(), b.frame(), "B: forget-bias 2", tmp_path / f"{name}.png")
        with Image.open(tmp_path / f"{name}.png") as image:
            heights.append(image.height)
        a.refresh_memory(), b.refresh_memory()
    assert heights[1] - heights[0] == pytest.approx(ROW_HEIGHT_IN * DPI, abs=2)


def test_b_reset_is_probed_once_with_a_s_initial_weights(tmp_path):
    from rnnscope.contracts import commands
    from rnnscope.storage.timeline import TimelineReader

    pair = _pair(tmp_path, lr=0.05)  # B differs in nothing that shapes or initialises the weights
    for _ in range(3):
        pair.train_step()
    b = pair.sides["b"]
    b.apply(commands.Reset())
    (tmp_path / "fresh").mkdir()
    reference = _pair(tmp_path / "fresh", lr=0.05).sides["a"]  # A's initial weights, never trained
    assert _weights_equal(b, reference)
    recorded = [e.step for e in TimelineReader(b.run_dir).index() if e.step == b.step]
    assert len(recorded) == 1  # one picture of the reset weights: the ones B trains from
    assert np.array_equal(b.probe.layers[0].hidden, reference.refresh_probe().layers[0].hidden)
