"""Corpus characters as single-cell visible symbols (rnnscope.contracts.visible's map, cut to one cell for the terminal)."""

from __future__ import annotations

from functools import lru_cache

from rich.cells import cell_len

from rnnscope.contracts.visible import visible_alone, visible_char

WIDE = "□"  # characters two cells wide (CJK, emoji): drawn as one cell


@lru_cache(maxsize=4096)
def visible(ch: str) -> str:
    """One character -> a symbol exactly one terminal cell wide that is safe to print (rnnscope.contracts.visible's map)."""
    symbol = visible_char(ch)
    return WIDE if symbol is ch and cell_len(ch) != 1 else symbol


def visible_text(text: str) -> str:
    """A string with every character made visible; its length equals its width in cells."""
    return "".join(map(visible, text))


def visible_symbol(ch: str) -> str:
    """Like `visible`, for a character shown on its own (a guess, a neighbour): a space becomes '␣'."""
    return visible(visible_alone(ch))
