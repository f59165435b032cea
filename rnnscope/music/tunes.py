"""A text of blank-line separated documents: its documents, their common start, and a sample cut into tunes."""

from __future__ import annotations

from collections import Counter

SEPARATOR = "\n\n"  # documents are separated by a blank line (irish.abc: 806 tunes)
MOST = 0.9  # the common start: what this share of the documents begin with


def split_documents(text: str) -> list[str]:
    """The non-empty documents of `text`, each without its separating blank lines."""
    return [doc.strip("\n") for doc in text.split(SEPARATOR) if doc.strip()]


def common_start(documents: list[str], share: float = MOST) -> str:
    """The longest start that the first lines of at least `share` of the documents have in common ("X:" for
    irish.abc, whose tunes start "X:1", "X:2", ..., two of its 806 pieces being a tune's continuation after a blank
    line); "" when there are fewer than two documents or they share nothing."""
    if len(documents) < 2:
        return ""
    firsts = [doc.split("\n", 1)[0] for doc in documents]
    start = ""
    for length in range(1, max(map(len, firsts)) + 1):
        prefix, count = Counter(first[:length] for first in firsts if len(first) >= length).most_common(1)[0]
        if count < share * len(documents):
            break
        start = prefix
    return start


def cut_tunes(text: str, start: str) -> list[str]:
    """The complete tunes of a generated `text`: the pieces between blank lines that begin with `start`, each ended
    by a blank line (the last piece, still being written when the sample stopped, is left out)."""
    pieces = text.split(SEPARATOR)[:-1]
    return [piece.strip("\n") for piece in pieces if piece.strip("\n").startswith(start) and piece.strip()]
