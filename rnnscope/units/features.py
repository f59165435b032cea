r"""The features of PRODUCT.md section 13, per character of a text, from the text alone (numpy, no torch).

Every value describes the moment *after* the character at that position was read, which is what the state h_t
after reading it can know. Exact definitions:

Memory features (they need state):
- `in_dquote` / `in_squote`: 1 inside a "double" / 'single' quoted string. A small lexer reads the text: outside
  strings and comments, `"` (or `'`) opens a string and the same quote closes it (the other quote inside it is
  plain text); inside a string a backslash escapes the next character (an escaped quote does not close); a string
  still open at a newline ends there (the newline is outside). The opening quote is inside, the closing quote
  outside. Three quotes of a kind in a row open a triple-quoted string, which newlines do not end and only
  three unescaped quotes in a row close; read causally, its first quote opens a one-line string, the second closes
  it (an empty string) and the third opens the triple one, whose closing quotes are inside but the last.
- `in_comment`: 1 from a `#`, or from the second `/` of `//`, read outside strings, to the end of its line (the
  newline is outside); quotes inside a comment open nothing.
- `depth_paren`, `depth_square`, `depth_curly`: the nesting depth of ( ), [ ], { } counted everywhere (strings and
  comments too); a closer never takes a depth below 0 (an unmatched closer is ignored); the opener is at the new
  depth, the closer at the old one less 1. `depth_all` is their sum.
- `column`: characters since the last newline (`\n` only: a `\r` or a tab is one character); 0 at the newline,
  position + 1 in a text before its first newline.
- `word_pos`: the 1-based position of a word character (a letter or digit of any script, or `_`) in its word; 0 at
  every other character.
- `indent`: the current line's leading spaces and tabs read so far (each counts 1); 0 at the newline.
- `abc_header`: 1 on a line that starts with an ASCII letter then a colon (`X:` in ABC music), from the colon to
  the end of the line (the newline is outside).
- `since_bar`: characters since the last `|` (0 at the `|`); 0 before the first `|`.

Input features (the current character's class): `whitespace` (str.isspace), `newline` (`\n`), `upper`
(str.isupper), `digit` (str.isdigit), `punctuation` (neither alphanumeric nor whitespace), `vowel` (a e i o u in
either case).
"""

from __future__ import annotations

import numpy as np

from rnnscope.units.feature_spec import MEMORY

BRACKETS = {"(": ("depth_paren", 1), ")": ("depth_paren", -1), "[": ("depth_square", 1),
            "]": ("depth_square", -1), "{": ("depth_curly", 1), "}": ("depth_curly", -1)}


def strings_and_comments(text: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """inside double quotes, inside single quotes, inside a comment: float64 [len(text)] each, by the lexer of the
    module docstring (read causally: a character's value never depends on what follows it)."""
    dquote, squote, comment = (np.zeros(len(text)) for _ in range(3))
    quote, triple, escaped, in_comment = None, False, False, False
    run = 0  # unescaped closing quotes in a row inside a triple-quoted string
    opened = closed_empty = -2  # where the open one-line string began; where a quote closed an empty one ("")
    previous = ""
    for i, char in enumerate(text):
        if quote is not None:
            if char == "\n" and not triple:
                quote, escaped = None, False
            elif escaped:
                escaped, run = False, 0
            elif char == "\\":
                escaped, run = True, 0
            elif char != quote:
                run = 0
            elif not triple:
                quote = None
                closed_empty = i if opened == i - 1 else -2
            else:
                run += 1
                if run == 3:
                    quote, triple, run = None, False, 0
        elif char == "\n":
            in_comment = False
        elif not in_comment:
            if char in "\"'":
                triple = closed_empty == i - 1 and previous == char
                quote, opened, run = char, i, 0
            elif char == "#" or (char == "/" and previous == "/"):
                in_comment = True
        dquote[i], squote[i], comment[i] = quote == '"', quote == "'", in_comment
        previous = char
    return dquote, squote, comment


def memory_features(text: str) -> dict[str, np.ndarray]:
    """The memory features of `text`, each float64 [len(text)], by one left-to-right reading."""
    values = {name: np.zeros(len(text)) for name in MEMORY}
    values["in_dquote"], values["in_squote"], values["in_comment"] = strings_and_comments(text)
    header = False
    depth = {"depth_paren": 0, "depth_square": 0, "depth_curly": 0}
    column = word = indent = 0
    since_bar = None  # None before the first |
    leading = True  # still in the line's leading spaces and tabs
    previous = ""
    for i, char in enumerate(text):
        if char == "\n":
            header, leading = False, True
            column = word = indent = 0
        else:
            column += 1
            header = header or (column == 2 and char == ":" and previous.isascii() and previous.isalpha())
            leading = leading and char in " \t"
            indent += leading
            word = word + 1 if char.isalnum() or char == "_" else 0
        if char in BRACKETS:
            name, change = BRACKETS[char]
            depth[name] = max(0, depth[name] + change)
        since_bar = 0 if char == "|" else (None if since_bar is None else since_bar + 1)
        for name, level in depth.items():
            values[name][i] = level
        values["column"][i], values["word_pos"][i], values["indent"][i] = column, word, indent
        values["abc_header"][i] = header
        values["since_bar"][i] = since_bar or 0
        previous = char if char != "\n" else ""
    values["depth_all"] = values["depth_paren"] + values["depth_square"] + values["depth_curly"]
    return values


def input_features(text: str) -> dict[str, np.ndarray]:
    """The input features of `text`, each float64 [len(text)]: 1 where the character is of the class."""
    tests = {"whitespace": str.isspace, "newline": lambda c: c == "\n", "upper": str.isupper, "digit": str.isdigit,
             "punctuation": lambda c: not (c.isalnum() or c.isspace()), "vowel": lambda c: c in "aeiouAEIOU"}
    return {name: np.fromiter((test(c) for c in text), dtype=np.float64, count=len(text))
            for name, test in tests.items()}
