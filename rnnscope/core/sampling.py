"""Generate text from the model: prime it, then draw one character at a time at a temperature."""

from __future__ import annotations

import torch

from rnnscope.core.interrupt import Interrupted, never


@torch.no_grad()
def sample_ids(model, prime_ids: list[int], length: int, temperature: float,
               generator: torch.Generator, interrupted: Interrupted = never) -> list[int] | None:
    """Ids of `length` characters following `prime_ids`; `generator` (CPU) makes it reproducible. None when
    `interrupted()` turned true between two characters (a command is waiting)."""
    device = next(model.parameters()).device
    was_training = model.training
    model.eval()
    x = torch.tensor([prime_ids], dtype=torch.long, device=device)  # [1, P]
    logits, state = model(x)  # [1, P, V]
    out: list[int] = []
    for _ in range(length):
        if interrupted():
            model.train(was_training)
            return None
        last = torch.nan_to_num(logits[0, -1].double().cpu(), nan=0.0, posinf=1e4, neginf=-1e4)  # [V]
        probs = torch.softmax(last / max(temperature, 1e-3), dim=-1)  # [V]; an exploding model still samples
        nxt = int(torch.multinomial(probs, 1, generator=generator))
        out.append(nxt)
        x = torch.tensor([[nxt]], dtype=torch.long, device=device)  # [1, 1]
        logits, state = model(x, state)  # [1, 1, V]
    model.train(was_training)
    return out
