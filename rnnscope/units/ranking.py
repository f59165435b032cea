"""From the states over the analysis text and its features to a UnitsReading (numpy only)."""

from __future__ import annotations

import numpy as np

from rnnscope.contracts.units import Emergence, UnitsReading, best_and_order, ranking_scores
from rnnscope.units.feature_spec import INPUT
from rnnscope.units.features import input_features, memory_features
from rnnscope.units.scores import beyond_character, correlations, top_positions

STRIP_CHARS = 2048  # the strip the screen colours: the first this many characters of the analysis text


def text_features(text: str, user: dict[str, np.ndarray] | None = None) -> tuple[dict[str, np.ndarray], set[str]]:
    """Every feature of `text`: memory, input, then the user's; and the names scored beyond the character."""
    features = {**memory_features(text), **input_features(text), **(user or {})}
    return features, {name for name in features if name not in INPUT}


def rank_units(step: int, text: str, ids: np.ndarray, states: list[tuple[int, str, np.ndarray]],
               features: dict[str, np.ndarray], beyond_names: set[str]) -> UnitsReading:
    """The UnitsReading of states [(layer, kind, values [N, H])] over `text` (ids [N], one per character)."""
    names = tuple(features)
    memory = tuple(name in beyond_names for name in names)
    values = np.concatenate([v for _, _, v in states], axis=1, dtype=np.float32)  # [N, U]
    table = np.stack([features[name] for name in names], axis=1, dtype=np.float32)  # [N, F]
    r = correlations(values, table)  # [U, F]
    beyond = np.full_like(r, np.nan)
    columns = np.flatnonzero(memory)
    if len(columns):
        beyond[:, columns] = beyond_character(values, table[:, columns], ids)  # [U, Fm]
    best, order = best_and_order(ranking_scores(memory, r, beyond))  # [U], [U]
    contexts = np.stack((top_positions(values), top_positions(-values)), axis=1)  # [U, 2, C]
    return UnitsReading(
        step=step, text=text, features=names, memory=memory,
        layer=np.concatenate([np.full(v.shape[1], layer) for layer, _, v in states]),
        kind=tuple(kind for _, kind, v in states for _ in range(v.shape[1])),
        index=np.concatenate([np.arange(v.shape[1]) for _, _, v in states]),
        r=r.astype(np.float32), beyond=beyond.astype(np.float32), best=best, order=order, contexts=contexts,
        strip=np.clip(np.nan_to_num(values[:STRIP_CHARS]), -6e4, 6e4).astype(np.float16))


def newly_emerged(frame: UnitsReading, emerged: tuple[Emergence, ...], threshold: float) -> tuple[Emergence, ...]:
    """The memory features whose best |r beyond| reaches `threshold` in `frame` and had not before: their unit."""
    known = {e.feature for e in emerged}
    found = []
    for column, name in enumerate(frame.features):
        if not frame.memory[column] or name in known:
            continue
        unit, magnitude = frame.best_beyond(column)
        if magnitude >= threshold:
            found.append(Emergence(name, int(frame.layer[unit]), frame.kind[unit], int(frame.index[unit]),
                                   float(frame.beyond[unit, column]), frame.step))
    return tuple(found)
