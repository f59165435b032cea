"""Each feature against an independent implementation (regular expressions, line by line, a reflected walk) on the
edge cases: escaped quotes, unbalanced brackets, CRLF, tabs, a text without newlines, non-ASCII text."""

import re

import numpy as np
import pytest

from rnnscope.units.feature_spec import INPUT, MEMORY
from rnnscope.units.features import input_features, memory_features

EDGE_TEXTS = {
    "escaped quotes": 'say("a \\"quoted\\" word", \'it\\\'s\') # don\'t "x"\nb = "\\\\" + \'q\' // c "d"\n',
    "unbalanced": ")) a(b[c{d)]] }}} (( [x\n]] ((\n",
    "crlf": 'if x:\r\n\tprint("a")\r\n    y = [1,\r\n  2]\r\n',
    "tabs": '\t\tdef f(a):\n\t\t\treturn {"k": (a)}\n',
    "no newline": 'X:1 |ab| "open string (never closed [',
    "non-ascii": 'über = "naïve 日本語" # ça\nK:Dmaj|é|ü\n«x» = \'ß\'\n',
    "abc": "X:1\nT:Tune\nM:6/8\n|:abc def|gfe dcB:|\nab: not a header\n",
    "docstrings": ('def f():\n    """Doc "x" (a\n    b) \\""" still"""\n    s = \'\'\'it\'s\n\'\'\' + "" + "\\\n" # "\n'
                   'x = """open'),
}
LEX = re.compile(r'''"""(?:\\.|(?!""")[^\\])*(?:"""|\Z)|\'\'\'(?:\\.|(?!\'\'\')[^\\])*(?:\'\'\'|\Z)'''
                 r'''|"(?:\\[^\n]|[^"\\\n])*\\?"?|'(?:\\[^\n]|[^'\\\n])*\\?'?|\#[^\n]*|//[^\n]*|.''', re.DOTALL)


def _lexed(text):
    """Strings and comments by one regular-expression tokenizer over the whole text (the lexer's causal reading
    written as spans: a triple-quoted string's second quote is outside, its last closing quote too)."""
    dquote, squote, comment = (np.zeros(len(text)) for _ in range(3))
    for token in LEX.finditer(text):
        a, b, word = token.start(), token.end(), token.group()
        inside = dquote if word[0] == '"' else squote
        if word[:3] in ('"""', "'''"):
            closed = len(word) >= 6 and word.endswith(word[:3])
            inside[a] = 1
            inside[a + 2: b - 1 if closed else b] = 1
        elif word[0] in "\"'":
            closed = len(word) > 1 and word[-1] == word[0] and not _escaped_end(word)
            inside[a: b - 1 if closed else b] = 1
        elif word.startswith("#"):
            comment[a:b] = 1
        elif word.startswith("//"):
            comment[a + 1: b] = 1
    return dquote, squote, comment


def _escaped_end(word):
    """Whether a string token's last quote is escaped (an odd run of backslashes before it)."""
    body = word[1:-1]
    return (len(body) - len(body.rstrip("\\"))) % 2 == 1


def _depth(text, opener, closer):
    """A walk reflected at 0: the raw running sum less its lowest point so far (when below 0)."""
    steps = np.array([1 if c == opener else -1 if c == closer else 0 for c in text])
    raw = np.cumsum(steps)
    return raw - np.minimum(np.minimum.accumulate(raw), 0)


def _independent(text):
    n = len(text)
    dquote, squote, comment = _lexed(text)
    column = np.array([i - text.rfind("\n", 0, i + 1) if text[i] != "\n" else 0 for i in range(n)])
    word = np.zeros(n)
    for m in re.finditer(r"\w+", text):
        word[m.start(): m.end()] = np.arange(1, m.end() - m.start() + 1)
    indent, header = np.zeros(n), np.zeros(n)
    start = 0
    for line in text.split("\n"):
        lead = len(re.match(r"[ \t]*", line).group())
        indent[start: start + len(line)] = np.minimum(np.arange(1, len(line) + 1), lead)
        if re.match(r"[A-Za-z]:", line):
            header[start + 1: start + len(line)] = 1
        start += len(line) + 1
    bar = np.array([i - text.rfind("|", 0, i + 1) if "|" in text[: i + 1] else 0 for i in range(n)])
    depths = {f"depth_{name}": _depth(text, o, c) for name, o, c in (("paren", "(", ")"), ("square", "[", "]"),
                                                                      ("curly", "{", "}"))}
    return {"in_dquote": dquote, "in_squote": squote, "in_comment": comment, **depths,
            "depth_all": sum(depths.values()), "column": column, "word_pos": word, "indent": indent,
            "abc_header": header, "since_bar": bar}


@pytest.mark.parametrize("case", EDGE_TEXTS)
def test_every_memory_feature_matches_an_independent_implementation(case):
    text = EDGE_TEXTS[case]
    ours, theirs = memory_features(text), _independent(text)
    assert set(ours) == set(MEMORY) == set(theirs)
    for name in MEMORY:
        assert ours[name].shape == (len(text),)
        mismatch = np.flatnonzero(ours[name] != theirs[name])
        assert not len(mismatch), f"{name} differs at {mismatch[:5]} in {text!r}"


def test_the_edge_cases_are_really_exercised():
    """Escaped quotes stay inside, an unmatched closer leaves the depth at 0, a string ends with its line."""
    text = EDGE_TEXTS["escaped quotes"]
    quoted = memory_features(text)["in_dquote"]
    assert quoted[text.index('quoted\\"') + 7] == 1  # the escaped quote
    assert quoted[text.index('word"') + 4] == 0  # the closing quote is outside
    assert memory_features(EDGE_TEXTS["unbalanced"])["depth_paren"][:2].tolist() == [0, 0]
    assert memory_features(EDGE_TEXTS["no newline"])["in_dquote"][-1] == 1


@pytest.mark.parametrize("case", EDGE_TEXTS)
def test_input_features_match_regular_expressions(case):
    text = EDGE_TEXTS[case]
    patterns = {"whitespace": r"\s", "newline": r"\n", "digit": r"\d", "punctuation": r"[^\w\s]|_",
                "vowel": r"[aeiouAEIOU]"}
    expected = {name: [bool(re.fullmatch(pattern, c)) for c in text] for name, pattern in patterns.items()}
    expected["upper"] = [c != c.lower() for c in text]  # re has no class for it: the letters lower-casing changes
    ours = input_features(text)
    assert set(ours) == set(INPUT) == set(expected)
    for name, flags in expected.items():
        assert np.array_equal(ours[name], np.array(flags, dtype=float)), name
