"""Memory in a run: the cell path, --forget-bias through re-inits, task runs end to end, and their bad input."""

import hashlib
import json
import shutil

import numpy as np
import pytest
import torch

from rnnscope.cli import main
from rnnscope.contracts import commands
from rnnscope.contracts.config import MODELS
from rnnscope.engine.engine import Engine
from rnnscope.measuring.flow_metrics import decay_per_step, memory_horizon, verdict
from rnnscope.training.data import load_corpus
from rnnscope.training.model import build_model
from rnnscope.training.tasks import Task
from tests.core_fixtures import tiny_config, tiny_engine, write_corpus

TASK_ARGS = ["--task", "recall", "--distance", "3-10", "--hidden", "12", "--embed", "6", "--seq-len", "16",
             "--batch", "4", "--threads", "1", "--val-every", "5"]


def _forget_blocks(model):
    h = model.hidden_size
    return model.rnn.bias_ih_l0[h : 2 * h], model.rnn.bias_hh_l0[h : 2 * h]


def test_cell_path_metrics_follow_grad_c(tmp_path):
    engine = tiny_engine(tmp_path)
    layer = engine.refresh_probe().layers[0]
    decay = decay_per_step(layer.grad_c)
    assert layer.metrics.cell_decay_per_step == decay
    assert layer.metrics.cell_memory_horizon == memory_horizon(decay)
    assert layer.metrics.cell_verdict == verdict(decay)
    assert layer.metrics.cell_decay_per_step != layer.metrics.decay_per_step  # its own line, not grad_h's
    (tmp_path / "g").mkdir()
    gru = tiny_engine(tmp_path / "g", model="gru").refresh_probe().layers[0].metrics
    assert (gru.cell_decay_per_step, gru.cell_memory_horizon, gru.cell_verdict) == (None, None, None)


def test_forget_bias_is_set_after_init_and_kept_through_reinits(tmp_path):
    corpus = write_corpus(tmp_path)
    plain = build_model(tiny_config(corpus), 20)
    biased = build_model(tiny_config(corpus, forget_bias=3.0), 20)
    ih, hh = _forget_blocks(biased)
    assert torch.all(ih == 3.0) and torch.all(hh == 0.0)
    h = biased.hidden_size
    assert torch.equal(biased.rnn.bias_ih_l0[:h], plain.rnn.bias_ih_l0[:h])  # other gates untouched
    assert torch.equal(biased.rnn.weight_hh_l0, plain.rnn.weight_hh_l0)
    engine = Engine(tiny_config(corpus, forget_bias=3.0), load_corpus(corpus), tmp_path / "run")
    for command in (commands.Reset(), commands.NextInit(), commands.NextInit(), commands.NextInit()):
        engine.apply(command)  # reset, xavier, orthogonal, identity (which zeroes the other biases)
        assert torch.all(_forget_blocks(engine.model)[0] == 3.0), engine.config.init
    for _ in range(len(MODELS)):  # every other kind (rnn-tanh, rnn-relu, gru, ...), round to lstm
        engine.apply(commands.NextModel())
    assert engine.config.model == "lstm" and torch.all(_forget_blocks(engine.model)[0] == 3.0)


def test_memory_stays_within_the_side_budget_of_training_time(tmp_path):
    engine = tiny_engine(tmp_path, val_every=1)
    engine.budget.budget = 1e9  # room for everything: measured at a validation
    engine.train_step()
    assert engine.memory is not None and engine.memory.step == 1 and engine.frame().memory is engine.memory
    first = engine.budget.spent["memory"]  # paid out of the generous budget
    engine.budget.budget = 0.03
    for _ in range(60):
        engine.train_step()
    side = engine.budget  # one budget for all side work: a memory pass only where everything so far left it room
    last = engine.memory.cost_ms / 1000.0
    assert side.spent["memory"] - first <= side.budget * side.train_s + last
    assert side.spent["validation"] > 0  # validation (every step here) is counted in the same budget


@pytest.mark.slow
def test_task_run_headless_exports_memory_and_resumes(tmp_path, capsys):
    run_dir = tmp_path / "run"
    assert main([*TASK_ARGS, "--headless", "--steps", "6", "--export-every", "6", "--run-dir", str(run_dir)]) == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    (corpus,) = run_dir.glob("task-recall-*.txt")
    assert corpus.read_text() == Task("recall", 3, 10).corpus_text(0)
    by_distance = result["memory"]["task"]["by_distance"]
    assert [row["distance"] for row in by_distance] == [3, 4, 6, 7, 9, 10]
    assert all(0 <= row["accuracy"] <= 1 and row["items"] == 64 for row in by_distance)
    assert result["memory"]["context_curve"]["k"] == [1, 2, 4, 8, 16]
    meta = json.loads((run_dir / "step-000006" / "meta.json").read_text())
    assert meta["memory"] == result["memory"]
    assert meta["task"] == {"name": "recall", "distance": [3, 10]}
    assert meta["corpus"]["sha256"] == hashlib.sha256(corpus.read_bytes()).hexdigest()
    assert meta["probe"]["text"] == Task("recall", 3, 10).probe_text(0)
    assert meta["metrics"][0]["cell_verdict"] in ("vanishing", "healthy", "exploding")
    checkpoint = str(run_dir / "step-000006" / "checkpoint.pt")
    corpus.unlink()  # resume generates it again, identically
    assert main(["--resume", checkpoint, "--headless", "--steps", "8", "--threads", "1"]) == 0
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["step"] == 8
    assert corpus.read_text() == Task("recall", 3, 10).corpus_text(0)
    assert main(["--resume", checkpoint, "--distance", "3-11", "--headless", "--steps", "9"]) == 2
    assert "conflicts with the checkpoint's task" in capsys.readouterr().err


@pytest.mark.parametrize("argv, message", [
    (["CORPUS", "--task", "recall"], "leave out the CORPUS"),
    (["--task", "recall", "--distance", "5to50"], "is not MIN-MAX"),
    (["--task", "recall", "--distance", "5-"], "is not MIN-MAX"),
    (["--task", "recall", "--distance", "50-5"], "MIN <= MAX"),
    (["--task", "recall", "--distance", "0-5"], "MIN <= MAX"),
    (["--task", "brackets", "--distance", "5-62"], "use --seq-len 65"),
    (["--task", "recall", "--distance", "5-50", "--seq-len", "40"], "use --seq-len 53"),
    (["--distance", "5-50"], "add --task"),
    (["--task", "sorting"], "invalid choice"),
    (["--model", "gru", "--forget-bias", "3"], "LSTM only"),
    (["--forget-bias", "nan"], "--forget-bias must be a finite number"),
    (["--forget-bias", "inf"], "--forget-bias must be a finite number"),
])
def test_bad_memory_options_are_one_line_and_exit_2(tmp_path, capsys, argv, message):
    corpus = str(write_corpus(tmp_path))
    argv = [corpus if a == "CORPUS" else a for a in argv]
    assert main([*argv, "--headless", "--steps", "1", "--run-dir", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and err.startswith("rnnscope: error:") and message in err, err


def test_replayed_snapshot_carries_memory_and_cell_metrics(tmp_path):
    from rnnscope.storage.snapshot_load import load_snapshot_frame

    engine = tiny_engine(tmp_path, forget_bias=2.0)
    for _ in range(5):
        engine.train_step()
    frame = load_snapshot_frame(engine.export())
    np.testing.assert_array_equal(frame.memory.context_loss, engine.memory.context_loss)
    assert frame.memory.task is None and frame.memory.step == 5
    assert frame.probe.layers[0].metrics.cell_verdict == engine.probe.layers[0].metrics.cell_verdict
    assert frame.probe.layers[0].metrics.cell_decay_per_step == pytest.approx(
        engine.probe.layers[0].metrics.cell_decay_per_step)


@pytest.fixture(scope="module")
def task_snapshot(tmp_path_factory):
    run_dir = tmp_path_factory.mktemp("task") / "run"
    assert main([*TASK_ARGS, "--headless", "--steps", "1", "--export-every", "1", "--run-dir", str(run_dir)]) == 0
    return run_dir / "step-000001"


@pytest.mark.parametrize("change", [
    lambda m: m["task"].__setitem__("name", "\x1b[2Jrecall"),
    lambda m: m["task"].__setitem__("distance", [3]),
    lambda m: m["task"].__setitem__("chance", "1/26"),
    lambda m: m["context_curve"].__setitem__("k", [1, 2]),
    lambda m: m["context_curve"].__setitem__("loss", []) or m["context_curve"].__setitem__("k", []),
    lambda m: m["task"]["by_distance"][0].__setitem__("accuracy", "high"),
    lambda m: m.__setitem__("context_curve", None),
])
@pytest.mark.slow
def test_replay_refuses_a_malformed_memory(tmp_path, task_snapshot, change):
    from rnnscope.storage.snapshot_io import SnapshotError
    from rnnscope.storage.snapshot_load import load_snapshot_frame

    folder = tmp_path / task_snapshot.name
    shutil.copytree(task_snapshot, folder)
    assert load_snapshot_frame(folder).memory.task == "recall"  # readable as written
    meta = json.loads((folder / "meta.json").read_text())
    change(meta["memory"])
    (folder / "meta.json").write_text(json.dumps(meta))
    with pytest.raises(SnapshotError, match="memory|malformed|missing"):
        load_snapshot_frame(folder)


def test_memory_waits_while_the_side_budget_is_spent_and_is_taken_once_training_has_paid_for_it(tmp_path):
    engine = tiny_engine(tmp_path, val_every=1)
    engine.budget.budget = 0.0  # no room at all: as when a slow probe took the whole budget
    for _ in range(3):
        engine.train_step()
    assert engine.memory is None  # not even the first pass is forced: the budget governs every cadence
    engine.budget.budget = 1e9  # the training has paid for it
    engine.train_step()
    assert engine.memory.step == 4
