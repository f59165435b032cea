"""The probe text coloured by one unit's activation (Karpathy-style) and the model's guesses at the cursor."""

from __future__ import annotations

import numpy as np

from rnnscope.contracts.frames import ProbeReading
from rnnscope.ui.render.accents import Accents
from rnnscope.ui.render.heatmap import colour_bar, value_range
from rnnscope.ui.render.lines import Line, cells_of, fixed, runs, seg, si
from rnnscope.ui.render.palette import DIVERGING, palette_for
from rnnscope.ui.render.visible_chars import visible, visible_symbol, visible_text

TOP_K = 5
GUESS_BAR = 12  # cells of the probability bar


def coloured_text(text: str, activation: np.ndarray, lo: float, hi: float, cursor: int, width: int, rows: int,
                  color_system: str | None, accents: Accents) -> list[Line]:
    """text wrapped at `width`, char t on the colour of activation[t] in [lo, hi]; the rows around the cursor."""
    palette = palette_for(DIVERGING, color_system)
    levels = palette.quantize(activation, lo, hi)  # [T]
    styles = palette.text_styles[levels].tolist() + [None] * (len(text) - len(activation))
    styles[cursor] = accents.cursor
    chars = list(map(visible, text))
    starts = range(0, len(chars), width)
    first = max(0, min(cursor // width - rows // 2, len(starts) - rows))
    return [runs(chars[i : i + width], styles[i : i + width]) for i in starts[first : first + rows]]


def guesses(probe: ProbeReading, vocab: tuple[str, ...], cursor: int, compact: bool, accents: Accents) -> list[Line]:
    """The top next-character guesses at the cursor with probabilities; the true next char marked."""
    probs = probe.probs[cursor]  # [V]
    truth = int(probe.targets[cursor])
    top = np.argsort(-probs, kind="stable")[:TOP_K].tolist()
    head = [seg("after "), seg(visible_symbol(probe.text[cursor]), accents.cursor), seg(f" (t={cursor}) true next "),
            seg(visible_symbol(vocab[truth]), accents.truth), seg(f" p={si(float(probs[truth]))}", accents.dim)]
    if compact:
        line: Line = []
        for i in top:
            line += [seg(visible_symbol(vocab[i]), accents.truth if i == truth else accents.label), seg(f" {probs[i]:.2f}  ")]
        return [head, line]
    rows = [head]
    for i in top:
        filled = cells_of(float(probs[i]), GUESS_BAR)
        rows.append([seg("  "), seg(visible_symbol(vocab[i]), accents.truth if i == truth else accents.label),
                     seg(f" {probs[i]:.3f} "), seg(fixed("█" * filled, GUESS_BAR), accents.bar),
                     seg(" ✓ true" if i == truth else "", accents.truth)])
    return rows


def class_name(names: tuple[str, ...], class_id: int) -> str:
    """A watched model's class by the name its scope recorded (vocab= / decode=), else by id: '#43'."""
    name = names[class_id] if class_id < len(names) else ""
    return visible_text(name) if name else f"#{class_id}"


def class_guesses(probe: ProbeReading, names: tuple[str, ...], cursor: int, accents: Accents) -> list[Line]:
    """A watched model's top classes at the cursor (by name where its scope was given a vocabulary, else by id),
    the target marked."""
    head = [seg("at "), seg(visible_text(probe.labels[cursor]) or "·", accents.cursor), seg(f" (t={cursor})")]
    probs = probe.probs[cursor]  # [V]
    if probs.size == 0:
        return [head + [seg(" no readout: the flow is of u · h_t", accents.dim)]]
    truth = int(probe.targets[cursor])
    line: Line = []
    for i in np.argsort(-probs, kind="stable")[:TOP_K].tolist():
        line += [seg(class_name(names, i), accents.truth if i == truth else accents.label), seg(f" {probs[i]:.2f}  ")]
    return [head + [seg(f" target {class_name(names, truth)} p={si(float(probs[truth]))}", accents.dim)], line]


def positions_text(labels: tuple[str, ...], cursor: int) -> tuple[str, np.ndarray, int]:
    """A watched model's labels as one text, each followed by a space ('·' for an empty one) or, when every label is
    one character (a character model's), side by side; the position of each character [len] and the cursor's first
    character."""
    words = [visible_text(label) or "·" for label in labels]
    gap = 0 if all(len(label) == 1 for label in labels) else 1
    starts = np.cumsum([0] + [len(word) + gap for word in words])  # [T + 1]
    owner = np.repeat(np.arange(len(words)), [len(word) + gap for word in words])  # [chars] position of each char
    return "".join(word + " " * gap for word in words), owner, int(starts[cursor])


def render_probe_text(probe: ProbeReading, hidden: np.ndarray, vocab: tuple[str, ...], unit: int, cursor: int,
                      width: int, height: int, color_system: str | None, accents: Accents) -> list[Line]:
    """Header with the unit and its colour scale, the coloured text (a watched model's labels), then the guesses at
    the cursor."""
    unit = max(0, min(unit, hidden.shape[1] - 1))
    cursor = max(0, min(cursor, hidden.shape[0] - 1))
    activation = hidden[:, unit]  # [T]
    lo, hi = value_range(activation, DIVERGING)
    text, text_cursor = probe.text, cursor
    if probe.labels:
        text, owner, text_cursor = positions_text(probe.labels, cursor)
        activation = activation[owner]  # [chars]
    text_rows = -(-len(text) // max(width, 1))
    compact = 1 + text_rows + 1 + TOP_K > height  # one line of guesses when a line each would not fit
    guess_lines = class_guesses(probe, vocab, cursor, accents) if probe.labels else guesses(probe, vocab, cursor, compact,
                                                                                       accents)
    rows = max(height - 1 - len(guess_lines), 1)
    header = [seg(f"unit {unit} ", accents.label), seg("h_t "), *colour_bar(palette_for(DIVERGING, color_system), 8),
              seg(f" {si(lo)}…{si(hi)}", accents.dim)]
    text = coloured_text(text, activation, lo, hi, text_cursor, max(width, 1), rows, color_system, accents)
    return [header, *text, *guess_lines]
