"""Generate text from the model: prime it, then draw one character at a time at a temperature."""

from __future__ import annotations

import torch

from rnnscope import cells
from rnnscope.cells.states import layer_weights
from rnnscope.training.interrupt import Interrupted, never


@torch.no_grad()
def sample_ids(model, prime_ids: list[int], length: int, temperature: float,
               generator: torch.Generator, interrupted: Interrupted = never) -> list[int] | None:
    """Ids of `length` characters following `prime_ids`; `generator` (CPU) makes it reproducible. None when
    `interrupted()` turned true between two characters (a command is waiting). The prime goes through the fused
    module; each drawn character then through one cell step per layer (the kind's Cell.sample_step: for the fused
    kinds a quarter of the fused module's cost for a single step), on the same weights."""
    device = next(model.parameters()).device
    x = torch.tensor([prime_ids], dtype=torch.long, device=device)  # [1, P]
    logits, state = model(x)  # [1, P, V]
    logits = logits[0, -1]  # [V]
    states = _layer_states(model, state)
    out: list[int] = []
    for _ in range(length):
        if interrupted():
            return None
        last = torch.nan_to_num(logits.double().cpu(), nan=0.0, posinf=1e4, neginf=-1e4)  # [V]
        probs = torch.softmax(last / max(temperature, 1e-3), dim=-1)  # [V]; an exploding model still samples
        nxt = int(torch.multinomial(probs, 1, generator=generator))
        out.append(nxt)
        logits = _step(model, nxt, states)  # [V]
    return out


def _layer_states(model, state) -> list:
    """The module's final state as one entry per layer: (h [1, H], c [1, H]) for an LSTM, h [1, H] else."""
    return cells.cell(model.kind).split_state(state, model.num_layers)


def _step(model, token: int, states: list) -> torch.Tensor:
    """Read one character: updates `states` in place, returns the next character's logits [V]."""
    cell = cells.cell(model.kind)
    inputs = model.embedding.weight[token][None]  # [1, E]
    for layer, state in enumerate(states):
        states[layer], inputs = cell.sample_step(inputs, state, layer_weights(model.rnn, layer))  # state, h [1, H]
    return model.head(inputs)[0]  # [V]
