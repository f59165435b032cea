"""Generated hostile strings for the hostile-input tests: escape sequences, controls, bidi and invisible characters."""

from __future__ import annotations

import random
import unicodedata

BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e"
SEPARATORS = "\u2028\u2029\x85"
SURROGATES = "\ud800\udbff\udc00\udfff"


def escape_sequence(rng: random.Random) -> str:
    """One terminal control sequence of a random kind: CSI, OSC, DCS, 8-bit CSI, a lone control, DEL."""
    params = ";".join(str(rng.randrange(0, 300)) for _ in range(rng.randrange(0, 4)))
    kind = rng.randrange(8)
    if kind == 0:
        return f"\x1b[{params}{rng.choice('ABCDHJKmhlsu')}"  # CSI: cursor moves, clear screen, colours, modes
    if kind == 1:
        end = rng.choice(["\x07", "\x1b\\"])  # BEL or ST
        return f"\x1b]{rng.choice('012')};{rng.choice(['pwned', 'title', ''])}{end}"  # OSC: sets the title
    if kind == 2:
        return f"\x1bP{params}q\x1b\\"  # DCS (sixel)
    if kind == 3:
        return f"\x9b{params}{rng.choice('Jm')}"  # 8-bit CSI
    if kind == 4:
        return chr(rng.randrange(0, 0x20))  # any C0 control
    if kind == 5:
        return chr(rng.randrange(0x80, 0xa0))  # any C1 control
    if kind == 6:
        return rng.choice(BIDI + INVISIBLE + SEPARATORS + "\x7f")
    return rng.choice(SURROGATES)


def hostile(rng: random.Random, length: int = 6) -> str:
    """Ordinary text with escape sequences and odd characters spliced in."""
    pieces = [rng.choice(["run", "corpus", "é", "界", "😀", "[bold]", "[/]", " ", "x"]) for _ in range(length)]
    for _ in range(rng.randrange(1, 4)):
        pieces.insert(rng.randrange(len(pieces) + 1), escape_sequence(rng))
    return "".join(pieces)


def unsafe_chars(text: str) -> list[str]:
    """The characters of `text` that must not reach a terminal: controls, format, surrogates, separators."""
    return [ch for ch in text if unicodedata.category(ch)[0] == "C" or unicodedata.category(ch) in ("Zl", "Zp")]
