"""Generated memory tasks: deterministic for a seed, and every line and item obeys its grammar."""

import re

import pytest

from rnnscope.training.tasks import CLOSERS, EVAL_ITEMS, MAX_DEPTH, PAIRS, Task, eval_distances

RECALL_LINE = re.compile(r"([a-z])(\.+)=([a-z])")


def _recall_distance(line: str) -> int:
    match = RECALL_LINE.fullmatch(line)
    assert match, f"not a recall line: {line!r}"
    assert match.group(1) == match.group(3), f"answer does not match the key: {line!r}"
    return len(match.group(2))


def _bracket_spans(text: str) -> list[tuple[int, int]]:
    """(span, depth) of every pair of a balanced text; fails on anything unbalanced or foreign."""
    stack, spans = [], []
    for i, ch in enumerate(text):
        if ch in PAIRS:
            stack.append((ch, i))
        elif ch in CLOSERS:
            assert stack, f"a closer without an opener in {text!r}"
            opener, start = stack.pop()
            assert PAIRS[opener] == ch, f"{opener} closed by {ch} in {text!r}"
            spans.append((i - start - 1, len(stack) + 1))
        else:
            assert ch.isascii() and ch.islower(), f"unexpected {ch!r} in {text!r}"
    assert not stack, f"unclosed brackets in {text!r}"
    return spans


def _check_brackets(text: str, low: int, high: int) -> int:
    spans = _bracket_spans(text)
    assert spans, f"no pair in {text!r}"
    for span, depth in spans:
        assert low <= span <= high and depth <= MAX_DEPTH, (span, depth, text)
    return max(depth for _, depth in spans)


@pytest.mark.parametrize("name", ["recall", "brackets"])
def test_corpus_is_deterministic_for_a_seed(name):
    task = Task(name, 5, 50)
    assert task.corpus_text(3, 20_000) == task.corpus_text(3, 20_000)
    assert task.corpus_text(3, 20_000) != task.corpus_text(4, 20_000)
    assert task.probe_text(3) == task.probe_text(3)
    assert [i.texts for i in task.eval_items(4)] == [i.texts for i in task.eval_items(4)]


def test_default_corpus_is_about_a_megabyte():
    text = Task("recall", 5, 50).corpus_text(0)
    assert 1_000_000 <= len(text) < 1_000_100 and text.endswith("\n")


@pytest.mark.parametrize("low, high", [(5, 50), (3, 3), (1, 9)])
def test_recall_lines_obey_the_grammar(low, high):
    lines = Task("recall", low, high).corpus_text(1, 30_000).splitlines()
    distances = [_recall_distance(line) for line in lines]
    assert min(distances) >= low and max(distances) <= high
    if high - low > 5:
        assert min(distances) == low and max(distances) == high  # the whole range is used


@pytest.mark.parametrize("low, high", [(5, 50), (2, 6), (20, 20)])
def test_bracket_lines_obey_the_grammar(low, high):
    lines = Task("brackets", low, high).corpus_text(2, 40_000).splitlines()
    depths = [_check_brackets(line, low, high) for line in lines]
    if high >= 3 * low + 4:
        assert max(depths) == MAX_DEPTH  # nesting is exercised


def test_recall_probe_has_the_key_first_and_the_answer_last():
    text = Task("recall", 5, 50).probe_text(0)
    assert len(text) == 50 + 3  # T = MAX + 2 characters read
    assert _recall_distance(text) == 50


def test_brackets_probe_opens_first_and_closes_last():
    text = Task("brackets", 5, 50).probe_text(0)
    assert text[0] in PAIRS and text[-1] == PAIRS[text[0]]
    assert len(text) == 50 + 2
    _check_brackets(text, 5, 50)
    assert max(span for span, _ in _bracket_spans(text)) == 50


@pytest.mark.parametrize("name", ["recall", "brackets"])
def test_eval_items_spread_over_the_range(name):
    task = Task(name, 5, 50)
    groups = task.eval_items(1)
    assert [g.distance for g in groups] == eval_distances(5, 50) == [5, 14, 23, 32, 41, 50]
    for group in groups:
        assert len(group.texts) == len(group.answers) == EVAL_ITEMS
        for text, answer in zip(group.texts, group.answers):
            assert text[0] == "\n" and answer in task.candidates
            if name == "recall":
                assert _recall_distance(text[1:] + answer) == group.distance
            else:
                assert answer == PAIRS[text[1]]
                spans = _bracket_spans(text[1:] + answer)
                assert spans[-1][0] == group.distance  # the outer pair closes last
                _check_brackets(text[1:] + answer, 5, 50)
    assert len({a for g in groups for a in g.answers}) == len(task.candidates)  # every candidate is asked


def test_chance_levels():
    assert Task("recall", 5, 50).chance == pytest.approx(1 / 26)
    assert Task("brackets", 5, 50).chance == pytest.approx(1 / 3)
