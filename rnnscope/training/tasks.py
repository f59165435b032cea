"""Generated memory tasks (PRODUCT.md section 8): the recall and brackets corpora, probes and evaluation items."""

from __future__ import annotations

import random
import string
from dataclasses import dataclass

import numpy as np

CORPUS_CHARS = 1_000_000  # about 1 MB of generated text
EVAL_DISTANCES = 6  # distances spread evenly over [MIN, MAX]
EVAL_ITEMS = 64  # items per distance
LETTERS = string.ascii_lowercase
PAIRS = {"(": ")", "[": "]", "{": "}"}
OPENERS = tuple(PAIRS)
CLOSERS = tuple(PAIRS.values())
MAX_DEPTH = 3  # brackets nest at most this deep
LINE_PAD = 6  # brackets: at most this many letters before and after a line's outer pair
SLOT = "#"  # a letter still to be drawn (never in a finished text)


@dataclass(frozen=True, eq=False)
class EvalItems:
    """All items of one distance: each text is read from a zero state; its answer is the next character."""

    distance: int
    texts: tuple[str, ...]  # each starts with a newline and ends just before its answer
    answers: tuple[str, ...]  # the character that must come next


def _letter_rng(seed: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(seed))


def _between(rnd: random.Random, low: int, high: int) -> int:
    """A uniform whole number in [low, high] (random.random() is stable across Python versions)."""
    return low + int(rnd.random() * (high - low + 1))


def _fill_letters(skeleton: str, rng: np.random.Generator) -> str:
    """Every SLOT of a skeleton replaced by a uniform random lower-case letter, in one vectorised pass."""
    chars = np.frombuffer(skeleton.encode("ascii"), dtype=np.uint8).copy()  # [N]
    slots = chars == ord(SLOT)  # [N]
    chars[slots] = rng.integers(ord("a"), ord("z"), size=int(slots.sum()), endpoint=True, dtype=np.uint8)
    return chars.tobytes().decode("ascii")


def eval_distances(low: int, high: int) -> list[int]:
    """EVAL_DISTANCES distances spread evenly over [low, high] (fewer when the range is narrower)."""
    return sorted({int(d) for d in np.rint(np.linspace(low, high, EVAL_DISTANCES))})


class _Recall:
    """`K` + `.` x d + `=` + `K`: recall the key after d fillers."""

    name = "recall"
    candidates = tuple(LETTERS)

    def __init__(self, low: int, high: int):
        self.low, self.high = low, high

    def line(self, rnd: random.Random, distance: int | None = None) -> str:
        key = LETTERS[_between(rnd, 0, 25)]
        d = _between(rnd, self.low, self.high) if distance is None else distance
        return f"{key}{'.' * d}={key}\n"

    def item(self, rnd: random.Random, distance: int) -> tuple[str, str]:
        """(the text up to the answer, the answer) with the cue at the text's start."""
        line = self.line(rnd, distance)
        return line[:-2], line[-2]


class _Brackets:
    """Letters with balanced nested brackets; every pair's span in [MIN, MAX], depth up to 3.

    Builds skeletons whose letters are SLOTs; _fill_letters draws the letters afterwards.
    """

    name = "brackets"
    candidates = CLOSERS

    def __init__(self, low: int, high: int):
        self.low, self.high = low, high

    def _fill(self, rnd: random.Random, length: int, depth: int) -> str:
        """Exactly `length` characters of letter slots and whole pairs nested at `depth` or deeper."""
        parts, left = [], length
        while left > 0:
            room = min(self.high, left - 2)
            if depth <= MAX_DEPTH and room >= self.low and rnd.random() < 0.5:
                part = self._pair(rnd, _between(rnd, self.low, room), depth)
            else:
                part = SLOT * _between(rnd, 1, min(left, self.low + 1))
            parts.append(part)
            left -= len(part)
        return "".join(parts)

    def _pair(self, rnd: random.Random, span: int, depth: int) -> str:
        opener = OPENERS[_between(rnd, 0, 2)]
        return opener + self._fill(rnd, span, depth + 1) + PAIRS[opener]

    def line(self, rnd: random.Random, distance: int | None = None) -> str:
        span = _between(rnd, self.low, self.high) if distance is None else distance
        before, after = _between(rnd, 0, LINE_PAD), _between(rnd, 0, LINE_PAD)
        return SLOT * before + self._pair(rnd, span, 1) + SLOT * after + "\n"

    def item(self, rnd: random.Random, distance: int) -> tuple[str, str]:
        """(an opener and its span of content; the answer) with the opener at the text's start."""
        pair = self._pair(rnd, distance, 1)
        return pair[:-1], pair[-1]


@dataclass(frozen=True)
class Task:
    """One memory task with its distance range; everything it generates is deterministic for a seed."""

    name: str
    low: int  # MIN distance
    high: int  # MAX distance

    @property
    def _grammar(self):
        return (_Recall if self.name == "recall" else _Brackets)(self.low, self.high)

    @property
    def candidates(self) -> tuple[str, ...]:
        """The characters an answer is chosen from."""
        return self._grammar.candidates

    @property
    def chance(self) -> float:
        return 1.0 / len(self.candidates)

    def corpus_text(self, seed: int, chars: int = CORPUS_CHARS) -> str:
        """Whole lines until at least `chars` characters."""
        rnd, grammar = random.Random(seed), self._grammar
        lines, size = [], 0
        while size < chars:
            lines.append(grammar.line(rnd))
            size += len(lines[-1])
        return _fill_letters("".join(lines), _letter_rng(seed))

    def probe_text(self, seed: int) -> str:
        """One item at distance MAX with its cue at t = 0 and its answer as the last character."""
        text, answer = self._grammar.item(random.Random(seed), self.high)
        return _fill_letters(text + answer, _letter_rng(seed))

    def eval_items(self, seed: int, distances: list[int] | None = None) -> list[EvalItems]:
        """EVAL_ITEMS items per distance (default eval_distances), each text preceded by a newline."""
        rnd, letters, grammar = random.Random(seed), _letter_rng(seed), self._grammar
        result = []
        for distance in distances or eval_distances(self.low, self.high):
            items = [grammar.item(rnd, distance) for _ in range(EVAL_ITEMS)]
            texts = tuple(_fill_letters("\n" + text, letters) for text, _ in items)
            result.append(EvalItems(distance, texts, tuple(answer for _, answer in items)))
        return result
