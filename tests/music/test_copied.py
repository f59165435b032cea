"""Memorisation against brute force: every position's longest verbatim match, the longest stretch, the share."""

import random

import numpy as np

from rnnscope.music.copied import CopyIndex, _suffix_array


def _brute_lengths(query: str, text: str) -> list[int]:
    out = []
    for i in range(len(query)):
        best = 0
        for j in range(len(text)):
            n = 0
            while i + n < len(query) and j + n < len(text) and query[i + n] == text[j + n]:
                n += 1
            best = max(best, n)
        out.append(best)
    return out


def _brute_share(lengths: list[int], minimum: int) -> float:
    covered = [False] * len(lengths)
    for i, n in enumerate(lengths):
        if n >= minimum:
            for k in range(i, i + n):
                covered[k] = True
    return sum(covered) / len(lengths)


def test_suffix_array_sorts_like_python():
    rng = random.Random(0)
    for _ in range(20):
        text = "".join(rng.choice("ab|:\n") for _ in range(rng.randint(1, 60)))
        assert list(_suffix_array(text)) == sorted(range(len(text)), key=lambda i: text[i:])


def test_match_lengths_longest_and_share_equal_brute_force():
    rng = random.Random(1)
    for trial in range(12):
        text = "".join(rng.choice("abcd") for _ in range(rng.randint(30, 200)))
        start = rng.randrange(len(text) - 20)
        query = (text[start : start + rng.randint(5, 25)] + "".join(rng.choice("abcde") for _ in range(10))
                 + text[: rng.randint(0, 12)])
        index = CopyIndex(text)
        brute = _brute_lengths(query, text)
        assert list(index.match_lengths(query)) == brute, trial
        copying = index.copying(query, minimum=6)
        assert copying.longest == max(brute)
        assert np.isclose(copying.share, _brute_share(brute, 6))


def test_a_tune_copied_whole_is_all_copied_and_an_invented_one_not():
    text = "X:1\nT:a tune that is long enough to copy\nK:D\nABcd efga|\n" * 3
    index = CopyIndex(text)
    assert index.copying(text[4:60]).share == 1.0 and index.copying(text[4:60]).longest == 56
    assert index.copying("zzzzzzzzzzzzzzzzzzzzzzzzzzzzzz").share == 0.0
