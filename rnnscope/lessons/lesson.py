"""A lesson: one claim of the lecture, its preset, where to look, and how its live check is judged."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from rnnscope.lessons.evidence import MissingEvidence, run_settings
from rnnscope.lessons.restore import restore_advice

HOLDS, NOT_YET, FAILS, UNJUDGEABLE = "holds", "not yet", "fails", "unjudgeable"
STATUSES = (HOLDS, NOT_YET, FAILS, UNJUDGEABLE)


@dataclass(frozen=True)
class CheckResult:
    """What the live check says now: a status, one line with the numbers, and the numbers themselves."""

    status: str  # one of STATUSES
    line: str  # e.g. "holds: decay 0.55 < 0.9, horizon 8 steps"
    evidence: dict = field(default_factory=dict)  # plain JSON-able numbers the line quotes

    @property
    def holds(self) -> bool:
        return self.status == HOLDS


@dataclass(frozen=True)
class Finding:
    """A check function's raw answer before the step budget turns "no" into "not yet" or "fails".

    ok: True (the claim holds), False (it does not, yet) or None (too early to judge at all).
    """

    ok: bool | None
    text: str  # the numbers, e.g. "decay 0.55 < 0.9, horizon 8 steps"
    numbers: dict = field(default_factory=dict)


class Unjudgeable(Exception):
    """The evidence cannot answer the claim (missing numbers, or a setting that changes the claim)."""


@dataclass(frozen=True)
class Lesson:
    """One claim of the lecture, demonstrated by a preset and judged by `check`."""

    name: str  # the --lesson NAME
    title: str  # a few words, e.g. "Vanishing gradients"
    claim: str  # one or two sentences in the lecture's words
    look_at: tuple[str, ...]  # dashboard panel titles the lesson points at
    press: str  # the keys to press, e.g. "i i i, then a" (keys only: the panel's `press:`)
    watch: str  # what to do with them and what should then happen (the panel's `then:`)
    preset: dict  # RunConfig-style settings (incl. task, distance, forget_bias)
    steps: int  # step budget: after it, a claim that does not hold "fails"
    check: Callable[[dict], Finding]  # plain evidence -> Finding (see rnnscope.lessons.evidence)
    compare: str | None = None  # --compare spec of the partner run B, e.g. "clip=0"
    requires: tuple[str, ...] = ()  # settings the claim depends on: overriding one makes it unjudgeable

    def judge(self, evidence: dict, keys: bool = False) -> CheckResult:
        """The live check's verdict on `evidence` (one run's dict, or {"a": ..., "b": ...} when comparing); `keys`:
        the dashboard judges, so a changed setting is explained with its keys, not with the command line."""
        try:
            self._check_settings(evidence, keys)
            finding = self.check(evidence)
        except Unjudgeable as why:
            return CheckResult(UNJUDGEABLE, f"{UNJUDGEABLE}: {why}", {})
        except MissingEvidence as why:
            finding = Finding(False, str(why))
        step = _step(evidence)
        if finding.ok:
            return CheckResult(HOLDS, f"{HOLDS}: {finding.text}", finding.numbers)
        progress = f"(step {step:,} of ~{self.steps:,})"
        if step < self.steps:
            return CheckResult(NOT_YET, f"{NOT_YET}: {finding.text} {progress}", finding.numbers)
        return CheckResult(FAILS, f"{FAILS}: {finding.text} {progress}", finding.numbers)

    def _check_settings(self, evidence: dict, keys: bool = False) -> None:
        """Raise Unjudgeable when a setting the claim depends on differs from the preset's."""
        sides = {"a": self.preset}
        if self.compare is not None:
            sides["b"] = {**self.preset, **parse_compare(self.compare)}
        for side, expected in sides.items():
            actual = run_settings(evidence[side] if self.compare is not None else evidence)
            for name in self.requires:
                want, got = expected.get(name), actual.get(name)
                if not _same(want, got):
                    run = f"run {side.upper()}'s " if self.compare is not None else ""
                    advice = restore_advice(name, want, got, keys)
                    if keys and self.compare is not None:
                        advice = f"s selects run {side.upper()}, then {advice}"
                    raise Unjudgeable(f"{run}{name} is {_show(got)}, the lesson needs {_show(want)}: "
                                      f"the claim is about that setting ({advice})")


def parse_compare(spec: str) -> dict:
    """"model=rnn-tanh,init=default" -> {"model": "rnn-tanh", "init": "default"} (values typed loosely)."""
    changes = {}
    for part in spec.split(","):
        key, _, value = part.partition("=")
        changes[key.strip().replace("-", "_")] = _typed(value.strip())
    if changes.get("clip") == 0:
        changes["clip"] = None  # --clip 0 turns clipping off
    return changes


def _typed(value: str):
    for kind in (int, float):
        try:
            return kind(value)
        except ValueError:
            pass
    return value


def _same(want, got) -> bool:
    """Numbers compare as floats; lists and tuples (a distance range) as lists."""
    if isinstance(want, (int, float)) and isinstance(got, (int, float)):
        return abs(float(want) - float(got)) <= 1e-9 * max(1.0, abs(float(want)))
    if isinstance(want, (list, tuple)) and isinstance(got, (list, tuple)):
        return list(want) == list(got)
    return want == got


def _show(value) -> str:
    if value is None:
        return "off"
    if isinstance(value, (list, tuple)):
        return "-".join(str(v) for v in value)
    return str(value)


def _step(evidence: dict) -> int:
    """The run's step (when comparing, the smaller of the sides still training: they advance in lockstep, a
    diverged side stops)."""
    if "a" in evidence and "b" in evidence:
        sides = (evidence["a"], evidence["b"])
        live = [int(side["step"]) for side in sides if side.get("diverged") is None]
        return min(live) if live else max(int(side["step"]) for side in sides)
    return int(evidence["step"])
