"""The character at the cursor as the model sees it: vocab index, one-hot, embedding, nearest characters (a watched
model's input vector at the cursor and the probe's tokens with inputs most alike)."""

from __future__ import annotations

import numpy as np

from rnnscope.contracts.frames import ProbeReading
from rnnscope.ui.render.accents import Accents
from rnnscope.ui.render.heatmap import value_range
from rnnscope.ui.render.lines import Line, fit, seg
from rnnscope.ui.render.palette import DIVERGING, palette_for
from rnnscope.ui.render.visible_chars import visible_symbol, visible_text

LABEL = 10  # cells for the row names
NEAREST = 5


def one_hot_row(index: int, V: int, columns: int, accents: Accents) -> Line:
    """'·····1·····' with the hot position highlighted; a window around it when V is wider than columns."""
    start = max(0, min(index - columns // 2, V - columns)) if V > columns else 0
    stop = min(V, start + columns)
    left = ("…" if start else "·") + "·" * (index - start - 1) if index > start else ""
    right = "·" * (stop - index - 2) + ("…" if stop < V else "·") if stop - index > 1 else ""
    return [seg(left, accents.dim), seg("1", accents.cursor), seg(right, accents.dim)]


def nearest_chars(embedding: np.ndarray, index: int, k: int) -> list[tuple[int, float]]:
    """The k other characters whose embeddings have the highest cosine similarity to row `index`."""
    norms = np.linalg.norm(embedding, axis=1)  # [V]
    sims = embedding @ embedding[index] / np.maximum(norms * norms[index], 1e-12)  # [V]
    sims[index] = -np.inf
    order = np.argsort(-sims, kind="stable")[:k]
    return [(int(i), float(sims[i])) for i in order if np.isfinite(sims[i])]


def vector_lines(vector: np.ndarray, matrix: np.ndarray, name: str, columns: int, color_system: str | None,
                 accents: Accents) -> list[Line]:
    """A vector as a colour strip (the scale of the whole `matrix`) and its first values."""
    palette = palette_for(DIVERGING, color_system)
    lo, hi = value_range(matrix, DIVERGING)
    levels = palette.quantize(vector[:columns], lo, hi)  # [min(E, columns)]
    shown = max((columns - 1) // 6, 1)  # '+1.01 ' each, and room for ' …' after the last
    numbers = " ".join(f"{v:+.2f}" for v in vector[:shown])
    return [[seg(name.ljust(LABEL), accents.dim), *palette.swatches[levels].tolist()],
            [seg("".ljust(LABEL)), seg(numbers + (" …" if len(vector) > shown else ""), accents.dim)]]


def render_encoding(probe: ProbeReading, vocab: tuple[str, ...], cursor: int, width: int, color_system: str | None,
                    accents: Accents) -> list[Line]:
    """Index, one-hot, embedding strip and values, nearest characters by cosine similarity."""
    cursor = max(0, min(cursor, len(probe.ids) - 1))
    index = int(probe.ids[cursor])
    V, E = probe.embedding.shape
    columns = max(width - LABEL, 3)
    lines: list[Line] = [
        [seg("char".ljust(LABEL), accents.dim), seg(visible_symbol(vocab[index]), accents.cursor),
         seg(f"  t={cursor} · index {index} of {V}")],
        [seg("one-hot".ljust(LABEL), accents.dim), *one_hot_row(index, V, columns, accents)],
        *vector_lines(probe.embedding[index], probe.embedding, f"embed {E}", columns, color_system, accents),
    ]
    near: Line = [seg("nearest".ljust(LABEL), accents.dim)]
    for i, sim in nearest_chars(probe.embedding, index, NEAREST):
        near += [seg(visible_symbol(vocab[i]), accents.label), seg(f" {sim:.2f}  ")]
    return [fit(line, width) for line in [*lines, near]]


def render_inputs(probe: ProbeReading, cursor: int, width: int, color_system: str | None, accents: Accents) -> list[Line]:
    """A watched model's input at the cursor: its label, the vector the module took there at this probe (a language
    model's embedding as it is now), and the probe's other tokens whose inputs are most alike (cosine)."""
    inputs = probe.embedding  # [T, I]
    cursor = max(0, min(cursor, len(inputs) - 1))
    label = probe.labels[cursor]
    lines: list[Line] = [
        [seg("token".ljust(LABEL), accents.dim), seg(visible_text(label) or "·", accents.cursor),
         seg(f"  t={cursor} · the input at this probe")],
        *vector_lines(inputs[cursor], inputs, f"input {inputs.shape[1]}", max(width - LABEL, 3), color_system, accents),
    ]
    near: Line = [seg("alike".ljust(LABEL), accents.dim)]
    named = {label}  # each token once (an unlabelled position by its t)
    for i, sim in nearest_chars(inputs, cursor, len(inputs)):
        name = visible_text(probe.labels[i]) or f"t={i}"
        if name not in named and len(named) <= NEAREST:
            named.add(name)
            near += [seg(name, accents.label), seg(f" {sim:.2f}  ")]
    return [fit(line, width) for line in [*lines, near]]
