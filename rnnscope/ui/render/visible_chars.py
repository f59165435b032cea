"""Corpus characters as one-cell visible symbols, other text made visible-safe: nothing reaches the terminal raw."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from rich.cells import cell_len

NAMED = {"\n": "⏎", "\t": "⇥", "\x1b": "␛", "\x7f": "␡", "\r": "␍"}
NON_PRINTABLE = "�"  # C1 controls, format characters, surrogates, unassigned code points
WIDE = "□"  # characters two cells wide (CJK, emoji): drawn as one cell
COMBINING = "◌"  # combining marks that would merge into the previous cell
ODD_SPACE = "␣"  # spaces other than ' ' (no-break, thin, ...)


@lru_cache(maxsize=4096)
def visible(ch: str) -> str:
    """One character -> a symbol exactly one terminal cell wide that is safe to print."""
    if ch in NAMED:
        return NAMED[ch]
    code = ord(ch)
    if code < 0x20:
        return chr(0x2400 + code)  # the Control Pictures block: ␀ ␁ ... ␟
    category = unicodedata.category(ch)
    if category[0] == "C" or category in ("Zl", "Zp"):
        return NON_PRINTABLE
    if category in ("Mn", "Me") or unicodedata.combining(ch):
        return COMBINING
    if category == "Zs" and ch != " ":
        return ODD_SPACE
    if cell_len(ch) != 1:
        return WIDE
    return ch


def visible_text(text: str) -> str:
    """A string with every character made visible; its length equals its width in cells."""
    return "".join(map(visible, text))


def visible_symbol(ch: str) -> str:
    """Like `visible`, for a character shown on its own (a guess, a neighbour): a space becomes '␣'."""
    return ODD_SPACE if ch == " " else visible(ch)



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
