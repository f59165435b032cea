"""Corpus characters as single-cell visible symbols, other text made visible-safe: nothing reaches the terminal raw."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from rich.cells import cell_len

from rnnscope.visible import COMBINING, visible_alone, visible_char

WIDE = "□"  # characters two cells wide (CJK, emoji): drawn as one cell


@lru_cache(maxsize=4096)
def visible(ch: str) -> str:
    """One character -> a symbol exactly one terminal cell wide that is safe to print (rnnscope.visible's map)."""
    symbol = visible_char(ch)
    return WIDE if symbol is ch and cell_len(ch) != 1 else symbol


def visible_text(text: str) -> str:
    """A string with every character made visible; its length equals its width in cells."""
    return "".join(map(visible, text))


def visible_symbol(ch: str) -> str:
    """Like `visible`, for a character shown on its own (a guess, a neighbour): a space becomes '␣'."""
    return visible(visible_alone(ch))


def _safe_char(ch: str) -> str:
    if unicodedata.category(ch)[0] == "C" or unicodedata.category(ch) in ("Zl", "Zp"):
        return visible(ch)  # controls, ESC, DEL, format (bidi, zero-width), surrogates, private, unassigned
    return COMBINING if unicodedata.combining(ch) else ch  # a mark left over after NFC: no stacking


def safe_text(text: object) -> str:
    """Any text (a file name, a replayed meta field, a message) made visible-safe for the screen: controls,
    escape sequences' ESC, format and zero-width characters, lone surrogates and separators become visible
    symbols; printable text, wide characters included, passes unchanged."""
    text = str(text)
    if text.isascii() and text.isprintable():
        return text  # the common case
    return "".join(map(_safe_char, unicodedata.normalize("NFC", text)))
