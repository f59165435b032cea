"""The character model's probe: its embedded probe text through probe_module, packaged as a ProbeReading."""

from __future__ import annotations

import time

import numpy as np
import torch

from rnnscope.contracts.frames import CONNECTIVITY_MAX_T, ProbeReading
from rnnscope.measuring.module_probe import probe_module, readout_loss
from rnnscope.training.interrupt import Interrupted, never
from rnnscope.training.model import CharModel


def run_probe(model: CharModel, ids: np.ndarray, targets: np.ndarray, text: str, step: int,
              interrupted: Interrupted = never, connectivity: bool = True) -> ProbeReading | None:
    """The probe of PRODUCT.md section 3 (batch 1, zero initial state) over ids [T] predicting targets [T], with
    the connectivity of section 12 (e_s: the embedding row read at step s) for probes of up to CONNECTIVITY_MAX_T
    steps; None when `interrupted()` turned true between two passes (a command is waiting).

    Reads the model's current weights without changing them, leaves no .grad on parameters, draws
    no random numbers and does not touch train/eval mode (no dropout is involved).
    """
    started = time.perf_counter()
    device = model.head.weight.device
    with torch.no_grad():
        ids_t = torch.as_tensor(ids, dtype=torch.long, device=device)  # [T]
        targets_t = torch.as_tensor(targets, dtype=torch.long, device=device)  # [T]
        embedded = model.embedding(ids_t).unsqueeze(0)  # [1, T, E]
        probed = probe_module(model.rnn, embedded, readout_loss(model.head, targets_t),
                              connectivity=connectivity and len(ids) <= CONNECTIVITY_MAX_T, interrupted=interrupted)
        if probed is None:
            return None
        top = torch.as_tensor(probed.layers[-1].hidden, device=device)  # [T, H]
        probs = torch.softmax(model.head(top), dim=-1).to("cpu", torch.float32).numpy()  # [T, V]
    return ProbeReading(
        step=step,
        text=text,
        ids=np.asarray(ids, dtype=np.int64),
        targets=np.asarray(targets, dtype=np.int64),
        probs=probs,
        loss=float(np.mean(probed.losses, dtype=np.float64)),
        layers=probed.layers,
        embedding=model.embedding.weight.detach().to("cpu", torch.float32).numpy(),  # [V, E]
        cost_ms=(time.perf_counter() - started) * 1000.0,
        connectivity=probed.connectivity,
    )
