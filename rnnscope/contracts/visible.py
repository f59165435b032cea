"""The one map from a character to a visible symbol, and safe_text for any other text: shared by the screen, stderr
and the snapshot figure (no rich, no torch)."""

from __future__ import annotations

import unicodedata

NAMED = {"\n": "⏎", "\t": "⇥", "\x1b": "␛", "\x7f": "␡", "\r": "␍"}
NON_PRINTABLE = "�"  # C1 controls, format characters, surrogates, unassigned code points
COMBINING = "◌"  # combining marks that would merge into the previous cell
ODD_SPACE = "␣"  # spaces other than ' ' (no-break, thin, ...); also ' ' shown on its own


def visible_char(ch: str) -> str:
    """One character -> a symbol safe to print: named, a control picture (␀ ... ␟), a stand-in, or itself.
    How wide the result is drawn is the caller's business (the screen draws wide characters as one cell)."""
    if ch in NAMED:
        return NAMED[ch]
    code = ord(ch)
    if code < 0x20:
        return chr(0x2400 + code)  # the Control Pictures block
    category = unicodedata.category(ch)
    if category[0] == "C" or category in ("Zl", "Zp"):
        return NON_PRINTABLE
    if category in ("Mn", "Me") or unicodedata.combining(ch):
        return COMBINING
    if category == "Zs" and ch != " ":
        return ODD_SPACE
    return ch


def visible_alone(ch: str) -> str:
    """Like visible_char, for a character shown on its own (a tick label, a guess): a space becomes '␣'."""
    return ODD_SPACE if ch == " " else visible_char(ch)


def _safe_char(ch: str) -> str:
    if unicodedata.category(ch)[0] == "C" or unicodedata.category(ch) in ("Zl", "Zp"):
        return visible_char(ch)  # controls, ESC, DEL, format (bidi, zero-width), surrogates, private, unassigned
    return COMBINING if unicodedata.combining(ch) else ch  # a mark left over after NFC: no stacking


def safe_text(text: object) -> str:
    """Any text (a file name, a replayed meta field, a message) made visible-safe for the screen and stderr:
    controls, escape sequences' ESC, format and zero-width characters, lone surrogates and separators become
    visible symbols; printable text, wide characters included, passes unchanged."""
    text = str(text)
    if text.isascii() and text.isprintable():
        return text  # the common case
    return "".join(map(_safe_char, unicodedata.normalize("NFC", text)))
