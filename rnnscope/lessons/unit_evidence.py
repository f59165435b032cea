"""Per-unit evidence for the lessons from snapshot arrays (numpy only): embedding groups, LSTM key units, sample diversity."""

from __future__ import annotations

import string
from collections import Counter
from pathlib import Path

import numpy as np

from rnnscope.contracts.units import UnitsReading
from rnnscope.lessons.evidence import run_evidence
from rnnscope.storage.snapshot_load import read_snapshot
from rnnscope.storage.units_json import read_units

# Characters that play the same role; a group counts when the vocabulary holds 2 or more of it.
CHAR_GROUPS = {
    "digits": string.digits,
    "vowels": "aeiou",
    "consonants": "bcdfghjklmnpqrstvwxyz",
    "upper-case": string.ascii_uppercase,
    "punctuation": string.punctuation,
}
KEY_UNITS = 3  # how many units the lstm-gates check names
STORED_AT_LEAST = 0.3  # |c_0| of a unit that stores the key
GATE_OPEN = 0.5  # a sigmoid gate counts as open above this
FORGET_KEEPS = 0.9  # a forget gate that keeps the cell: its mean over the filler is above this
CELL_KEEPS = 0.5  # the cell before the cue holds at least this fraction of what the key stored
SAMPLE_TEMPERATURES = (0.3, 1.0, 1.8)  # the generation lesson's samples
UNIT_KINDS = {"string": ("in_dquote", "in_squote"),  # the interpretable-cells lesson's units
              "depth": ("depth_paren", "depth_square", "depth_curly", "depth_all")}


def snapshot_evidence(folder: Path, samples: dict[float, str] | None = None,
                      initial_metrics: list[dict] | None = None, grad_max: tuple[float, float] | None = None) -> dict:
    """One run's lesson evidence from an exported snapshot folder (see evidence_from)."""
    meta, arrays = read_snapshot(folder, {"head.weight": ((None, None),)})
    return evidence_from(meta, arrays, samples, initial_metrics, grad_max, units=read_units(folder))


def evidence_from(meta: dict, arrays: dict[str, np.ndarray], samples: dict[float, str] | None = None,
                  initial_metrics: list[dict] | None = None, grad_max: tuple[float, float] | None = None,
                  units: UnitsReading | None = None) -> dict:
    """One run's lesson evidence from a snapshot's meta.json dict and arrays.npz content: the meta numbers,
    the histories, and the per-unit extras (character groups in the embedding and in the head's rows, the
    read-out vector of each character; the LSTM's key units on a recall probe; `samples` by temperature).
    `initial_metrics`: meta.json-style metrics of the step-0 probe; `grad_max`: the run's largest pre- and post-clip
    total gradient norms (the engine's running max: the histories may be thinned)."""
    extra = {"embedding": embedding_evidence(arrays["embedding.weight"], meta["vocab"]),
             "readout": embedding_evidence(arrays["head.weight"], meta["vocab"])}
    if meta.get("model") == "lstm" and "=" in meta["probe"]["text"]:
        extra["gates"] = gate_evidence(arrays["gates_l0"], arrays["cell_l0"], meta["probe"]["text"])
    if samples:
        extra["samples"] = sample_evidence(samples)
    if meta.get("model") == "rnn-tanh":
        extra["tanh"] = tanh_evidence(arrays["hidden_l0"])
    if units is not None:
        extra["units"] = units_evidence(units)
    diverged = [event["step"] for event in meta.get("events", []) if event.get("label") == "diverged"]
    return run_evidence(meta, loss_history=arrays["loss_history"], grad_norm_history=arrays["grad_norm_history"],
                        diverged=diverged[0] if diverged else None, initial_metrics=initial_metrics, extra=extra,
                        grad_max=grad_max)


def units_evidence(units: UnitsReading) -> dict:
    """The best memory unit of each kind (PRODUCT.md section 13) by |r beyond the character|: "string" (inside
    double or single quotes) and "depth" (bracket depth, each kind or together), each {feature, unit, r_beyond}."""
    found = {}
    for kind, names in UNIT_KINDS.items():
        best = None
        for name in names:
            if name in units.features:
                unit, magnitude = units.best_beyond(units.features.index(name))
                if best is None or magnitude > best[2]:
                    best = (name, unit, magnitude)
        if best is not None:
            found[kind] = {"feature": best[0], "unit": units.name(best[1]), "r_beyond": best[2]}
    return found


def embedding_evidence(embedding: np.ndarray, vocab: list[str] | tuple[str, ...]) -> dict:
    """How much one vector per character groups characters of the same role (CHAR_GROUPS present 2 or more times).

    embedding [V, E] (the embedding table, or the head's weight [V, H]); distance = 1 - cosine similarity.
    `neighbour_same`: the fraction of grouped characters whose nearest grouped character is of the same group;
    `neighbour_chance`: that fraction for a random neighbour (about what random vectors give).
    `ratio`: mean same-group distance / mean
    different-group distance (about 1 for random vectors).
    """
    members = {name: [vocab.index(ch) for ch in chars if ch in vocab] for name, chars in CHAR_GROUPS.items()}
    members = {name: ids for name, ids in members.items() if len(ids) >= 2}
    if len(members) < 2:
        return {"groups": sorted(members), "neighbour_same": None, "neighbour_chance": None, "ratio": None}
    ids = np.concatenate([np.array(v) for v in members.values()])  # [K]
    labels = np.concatenate([np.full(len(v), i) for i, v in enumerate(members.values())])  # [K]
    vectors = embedding[ids].astype(np.float64)  # [K, E]
    unit = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)  # [K, E]
    distance = 1.0 - unit @ unit.T  # [K, K]
    same = labels[:, None] == labels[None, :]  # [K, K]
    pairs = np.triu(np.ones_like(same), k=1)  # [K, K] each pair once
    nearest = np.where(np.eye(len(ids), dtype=bool), np.inf, distance).argmin(axis=1)  # [K]
    sizes = np.bincount(labels)  # [groups]
    return {
        "groups": list(members),
        "neighbour_same": float(np.mean(labels[nearest] == labels)),
        "neighbour_chance": float((sizes * (sizes - 1)).sum() / (len(ids) * (len(ids) - 1))),
        "ratio": float(distance[pairs & same].mean() / distance[pairs & ~same].mean()),
    }


def gate_evidence(gates: np.ndarray, cell: np.ndarray, probe_text: str, cue: str = "=") -> dict:
    """The LSTM's units that store and hold the key on a recall probe (key read at t = 0, filler, `cue` last).

    gates [4, T, H] (input, forget, cell, output), cell [T, H]. A unit stores the key when |c_0| >= 0.3
    with its input gate >= 0.5 at the key (c_0 = i_0 g_0: the cell starts empty); it holds it when its
    forget gate averages >= 0.9 over the filler and the cell just before the cue keeps the sign and at
    least half the size of c_0. Of the holding units, the KEY_UNITS whose output gate rises most at the
    cue (over its mean across the filler) are named, each with its numbers.
    """
    read = probe_text[: gates.shape[1]]  # the T characters the probe reads
    at_cue = read.rfind(cue)
    if at_cue < 2:
        return {"units": [], "holding": 0, "cue_at": None}
    filler = slice(1, at_cue)
    stored = cell[0]  # [H]
    with np.errstate(divide="ignore", invalid="ignore"):
        kept = np.where(np.abs(stored) > 1e-6, cell[at_cue - 1] / stored, 0.0)  # [H]
    forget = gates[1, filler].mean(axis=0)  # [H]
    output_filler = gates[3, filler].mean(axis=0)  # [H]
    rise = gates[3, at_cue] - output_filler  # [H]
    holding = ((np.abs(stored) >= STORED_AT_LEAST) & (gates[0, 0] >= GATE_OPEN)
               & (forget >= FORGET_KEEPS) & (kept >= CELL_KEEPS))  # [H]
    candidates = np.flatnonzero(holding)
    chosen = candidates[np.argsort(-rise[candidates])][:KEY_UNITS]
    units = [{
        "unit": int(u),
        "input_at_key": float(gates[0, 0, u]),
        "forget_over_filler": float(forget[u]),
        "cell_kept": float(kept[u]),
        "output_at_cue": float(gates[3, at_cue, u]),
        "output_over_filler": float(output_filler[u]),
    } for u in chosen]
    return {"units": units, "holding": int(holding.sum()), "cue_at": at_cue, "key": read[0]}


def tanh_evidence(hidden: np.ndarray) -> dict:
    """How saturated a tanh RNN's h_t = tanh(a_t) is over the probe ([T, H]): the share of |h| > 0.9, and the mean
    slope tanh'(a) = 1 - h², the factor each step back multiplies the gradient by (beside W_hh)."""
    finite = hidden[np.isfinite(hidden)]
    if finite.size == 0:
        return {"saturated": None, "mean_slope": None}
    return {"saturated": float(np.mean(np.abs(finite) > 0.9)), "mean_slope": float(np.mean(1.0 - finite**2))}


def sample_evidence(samples: dict[float, str], n: int = 3) -> dict:
    """Per temperature (ascending): the sample itself (kept: the lesson's JSON and meta.json show what was judged),
    its distinct n-gram ratio and its per-character entropy (nats)."""
    temperatures = sorted(samples)
    return {
        "temperatures": temperatures,
        "texts": [samples[t] for t in temperatures],
        "distinct": [distinct_ngram_ratio(samples[t], n) for t in temperatures],
        "entropy": [char_entropy(samples[t]) for t in temperatures],
        "n": n,
    }


def distinct_ngram_ratio(text: str, n: int) -> float:
    """Distinct n-grams / all n-grams: low when the text repeats itself."""
    grams = [text[i : i + n] for i in range(len(text) - n + 1)]
    return len(set(grams)) / len(grams) if grams else 0.0


def char_entropy(text: str) -> float:
    """Entropy (nats) of the text's character frequencies."""
    counts = np.array(list(Counter(text).values()), dtype=np.float64)
    if counts.sum() == 0:
        return 0.0
    p = counts / counts.sum()
    return float(-(p * np.log(p)).sum())
