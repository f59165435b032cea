"""The features' names and the user's `--feature NAME=REGEX`, checked in one line each (no numpy: the command line
checks them before anything heavy loads). Their definitions: rnnscope.units.features."""

from __future__ import annotations

import re

from rnnscope.contracts.errors import InputError
from rnnscope.contracts.feature_name import FEATURE_NAME as NAME

MEMORY = ("in_dquote", "in_squote", "in_comment", "depth_paren", "depth_square", "depth_curly", "depth_all",
          "column", "word_pos", "indent", "abc_header", "since_bar")
INPUT = ("whitespace", "newline", "upper", "digit", "punctuation", "vowel")
MAX_FEATURES = 8


def parse_feature(spec: str) -> tuple[str, str]:
    """`NAME=REGEX` -> (name, pattern); InputError (one line: what is wrong, what to do) when it cannot be used."""
    name, equals, pattern = spec.partition("=")
    if not equals or not NAME.fullmatch(name) or not pattern:
        raise InputError(f"--feature {spec!r:.60}: write NAME=REGEX, NAME a letter then up to 23 letters, digits, "
                         "_ or -, e.g. --feature 'call=\\w+\\('")
    if name in MEMORY + INPUT:
        raise InputError(f"--feature {name}: a built-in feature has that name; choose another")
    if "\n" in pattern:
        raise InputError(f"--feature {name}: the pattern holds a newline; write it as \\n")
    try:
        re.compile(pattern)
    except re.error as err:
        raise InputError(f"--feature {name}: not a regular expression ({err}); check its brackets and escapes") from None
    return name, pattern


def parse_features(specs: list[str]) -> list[tuple[str, str]]:
    """Every `--feature`, at most MAX_FEATURES and each name once."""
    if len(specs) > MAX_FEATURES:
        raise InputError(f"--feature was given {len(specs)} times: at most {MAX_FEATURES} user features")
    parsed = [parse_feature(spec) for spec in specs]
    names = [name for name, _ in parsed]
    if len(set(names)) < len(names):
        raise InputError("--feature: two features have the same NAME; give each its own")
    return parsed
