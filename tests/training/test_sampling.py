"""Sampling: the cell-by-cell generator reads exactly what the fused module reads, and draws the same characters."""

import pytest
import torch

from rnnscope.contracts.config import RunConfig
from rnnscope.training.model import build_model
from rnnscope.training.sampling import _layer_states, _step, sample_ids

torch.set_num_threads(1)
MODELS = ["lstm", "gru", "rnn-tanh", "rnn-relu"]


def _model(kind, layers):
    return build_model(RunConfig(model=kind, hidden=12, embed=6, layers=layers, seed=3), vocab_size=9)


@torch.no_grad()
def _reference(model, prime, length, temperature, generator):
    """The plain way: the fused module over each drawn character with its state."""
    logits, state = model(torch.tensor([prime]))  # [1, P, V]
    out = []
    for _ in range(length):
        probs = torch.softmax(logits[0, -1].double() / temperature, dim=-1)  # [V]
        out.append(int(torch.multinomial(probs, 1, generator=generator)))
        logits, state = model(torch.tensor([[out[-1]]]), state)  # [1, 1, V]
    return out


@pytest.mark.parametrize("layers", [1, 2])
@pytest.mark.parametrize("kind", MODELS)
def test_each_step_reads_what_the_fused_module_reads(kind, layers):
    model = _model(kind, layers)
    ids = [1, 4, 2, 8, 5, 7, 0, 3]
    with torch.no_grad():
        full, _ = model(torch.tensor([ids]))  # [1, 8, V]
        _, state = model(torch.tensor([ids[:3]]))
        states = _layer_states(model, state)
        for position in range(3, len(ids)):
            logits = _step(model, ids[position], states)  # [V]
            torch.testing.assert_close(logits, full[0, position], atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("kind", MODELS)
def test_samples_draw_the_same_characters_as_the_fused_module(kind):
    model = _model(kind, 2)
    ours = sample_ids(model, [1, 2, 3], 80, 0.9, torch.Generator().manual_seed(5))
    theirs = _reference(model, [1, 2, 3], 80, 0.9, torch.Generator().manual_seed(5))
    assert ours == theirs


def test_a_waiting_command_stops_a_sample():
    calls = []
    assert sample_ids(_model("lstm", 1), [1], 50, 1.0, torch.Generator(), lambda: calls.append(1) or len(calls) > 5) is None
