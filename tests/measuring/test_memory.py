"""Memory measurements against a plain per-item loop through PyTorch's own fused modules on the same weights."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from rnnscope.contracts.config import RunConfig
from rnnscope.measuring.memory import MemoryMeter, context_ks, context_positions
from rnnscope.storage.snapshot_io import memory_to_json
from rnnscope.storage.snapshot_load import memory_from_json
from rnnscope.training.data import load_corpus
from rnnscope.training.model import build_model
from rnnscope.training.tasks import Task
from tests.core_fixtures import write_corpus

torch.set_num_threads(1)
MODULES = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn-tanh": nn.RNN}


def test_context_ks_and_positions_follow_the_definition():
    assert list(context_ks(64)) == [1, 2, 4, 8, 16, 32, 64]
    assert list(context_ks(50)) == [1, 2, 4, 8, 16, 32, 50]
    assert list(context_ks(2)) == [1, 2]
    positions = context_positions(10_000, 64)
    stride = (10_000 - 64 - 1) // 511
    assert len(positions) == 512 and positions[0] == 64 and positions[-1] == 64 + 511 * stride < 10_000


def _oracle_model(model):
    """PyTorch's own fused module with the CharModel's recurrent weights, plus its embedding and head."""
    kind = model.kind
    extra = {"nonlinearity": kind.removeprefix("rnn-")} if kind.startswith("rnn-") else {}
    rnn = MODULES[kind](model.embedding.embedding_dim, model.hidden_size, model.num_layers, batch_first=True, **extra)
    rnn.load_state_dict(model.rnn.state_dict())

    def next_logits(ids: np.ndarray) -> torch.Tensor:
        x = F.embedding(torch.as_tensor(ids[None], dtype=torch.long), model.embedding.weight)  # [1, k, E]
        out, _ = rnn(x)  # [1, k, H]
        return F.linear(out[0, -1], model.head.weight, model.head.bias)  # [V]

    return next_logits


def _trained_model(corpus, kind, steps=15):
    config = RunConfig(model=kind, hidden=12, embed=6, seq_len=16, seed=3)
    model = build_model(config, len(corpus.vocab))
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    rng = np.random.default_rng(0)
    for _ in range(steps):  # a few steps so the answers are not those of a random model
        starts = rng.integers(0, len(corpus.train) - 17, size=8)
        windows = torch.from_numpy(corpus.train[starts[:, None] + np.arange(17)].astype(np.int64))  # [8, 17]
        logits, _ = model(windows[:, :-1])  # [8, 16, V]
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), windows[:, 1:].reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return model


@pytest.mark.slow
@pytest.mark.parametrize("name, kind", [("recall", "lstm"), ("brackets", "gru")])
def test_accuracy_and_context_curve_equal_a_per_item_loop(tmp_path, name, kind):
    task = Task(name, 3, 12)
    path = tmp_path / "corpus.txt"
    path.write_text(task.corpus_text(0, 30_000))
    corpus = load_corpus(path)
    model = _trained_model(corpus, kind)
    memory = MemoryMeter(corpus, 16, task, seed=0, device=torch.device("cpu")).measure(model, step=15)
    oracle = _oracle_model(model)
    candidates = corpus.encode("".join(task.candidates))
    with torch.no_grad():
        expected = []
        for group in task.eval_items(1):  # the items come from seed + 1
            right = [task.candidates[int(oracle(corpus.encode(text))[candidates].argmax())] == answer
                     for text, answer in zip(group.texts, group.answers)]
            expected.append(np.mean(right))
        val = corpus.val.astype(np.int64)
        positions = context_positions(len(val), 16)
        curve = [np.mean([F.cross_entropy(oracle(val[p - k : p]), torch.tensor(val[p])).item() for p in positions])
                 for k in context_ks(16)]
    assert list(memory.distances) == [3, 5, 7, 8, 10, 12]
    assert list(memory.items) == [64] * 6
    np.testing.assert_allclose(memory.accuracy, expected, rtol=0, atol=1e-12)
    np.testing.assert_allclose(memory.context_loss, curve, rtol=1e-5)
    assert memory.full == memory.context_loss[-1]
    assert memory.chance == pytest.approx(task.chance) and memory.distance_range == (3, 12)
    assert model.training  # measuring leaves the mode as it was


def test_a_corpus_file_has_a_context_curve_and_no_task(tmp_path):
    corpus = load_corpus(write_corpus(tmp_path, n_chars=20_000))
    model = _trained_model(corpus, "lstm", steps=40)
    memory = MemoryMeter(corpus, 16, None, seed=0, device=torch.device("cpu")).measure(model, step=40)
    assert memory.task is None and memory.chance is None and len(memory.accuracy) == 0
    assert memory.context_loss[0] > memory.full  # one character of context predicts worse than sixteen


def test_memory_json_round_trip(tmp_path):
    task = Task("brackets", 3, 12)
    path = tmp_path / "corpus.txt"
    path.write_text(task.corpus_text(0, 30_000))
    corpus = load_corpus(path)
    memory = MemoryMeter(corpus, 16, task, seed=0, device=torch.device("cpu")).measure(
        _trained_model(corpus, "lstm", steps=1), step=1)
    data = memory_to_json(memory)
    assert set(data) == {"context_curve", "task"} and set(data["context_curve"]) == {"k", "loss", "full"}
    assert set(data["task"]) == {"name", "distance", "chance", "by_distance"}
    assert data["task"]["distance"] == [3, 12] and data["task"]["by_distance"][0]["items"] == 64
    back = memory_from_json(data, 1)
    np.testing.assert_array_equal(back.accuracy, memory.accuracy)
    np.testing.assert_array_equal(back.context_loss, memory.context_loss)
    assert back.task == "brackets" and back.distance_range == (3, 12)
    assert memory_to_json(None) is None
