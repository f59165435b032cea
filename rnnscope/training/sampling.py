"""Generate text from the model: prime it, then draw one character at a time at a temperature."""

from __future__ import annotations

import torch

from rnnscope.training.interrupt import Interrupted, never

CELLS = {"lstm": torch.lstm_cell, "gru": torch.gru_cell, "rnn-tanh": torch.rnn_tanh_cell,
         "rnn-relu": torch.rnn_relu_cell}  # one fused step of a layer, with the fused module's own weights


@torch.no_grad()
def sample_ids(model, prime_ids: list[int], length: int, temperature: float,
               generator: torch.Generator, interrupted: Interrupted = never) -> list[int] | None:
    """Ids of `length` characters following `prime_ids`; `generator` (CPU) makes it reproducible. None when
    `interrupted()` turned true between two characters (a command is waiting). The prime goes through the fused
    module; each drawn character then through one fused cell step per layer (a quarter of the fused module's cost
    for a single step), on the same weights."""
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
    """The fused module's final state as one entry per layer: (h [1, H], c [1, H]) for an LSTM, h [1, H] else."""
    if model.kind == "lstm":
        h, c = state  # [L, 1, H] each
        return [(h[layer], c[layer]) for layer in range(model.num_layers)]
    return [state[layer] for layer in range(model.num_layers)]  # [1, H] each


def _step(model, token: int, states: list) -> torch.Tensor:
    """Read one character: updates `states` in place, returns the next character's logits [V]."""
    cell, rnn = CELLS[model.kind], model.rnn
    inputs = model.embedding.weight[token][None]  # [1, E]
    for layer, state in enumerate(states):
        weights = [getattr(rnn, f"{name}_l{layer}") for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]
        states[layer] = cell(inputs, state, *weights)  # (h, c) [1, H] each for an LSTM, h [1, H] else
        inputs = states[layer][0] if model.kind == "lstm" else states[layer]  # [1, H]
    return model.head(inputs)[0]  # [V]
