"""How to bring a setting back to the lesson's value: the dashboard's keys, or the command line (headless)."""

from __future__ import annotations

import math

from rnnscope.contracts.config import INITS, MODELS

CYCLES = {"init": ("i", INITS), "model": ("m", MODELS)}  # keys that step through a list, wrapping round


def key_advice(name: str, want, got) -> str | None:
    """The keys that turn `got` into `want` in the dashboard, e.g. 'press i 3 times: orthogonal → identity →
    default'; None when no key sets this setting (then it is a restart without the option)."""
    if name == "model" and {want, got} == {"rnn-tanh", "rnn-relu"}:
        return f"press a (ReLU ↔ tanh) for {want}"
    if name in CYCLES:
        key, cycle = CYCLES[name]
        if want not in cycle or got not in cycle:
            return None
        start, end = cycle.index(got), cycle.index(want)
        steps = [cycle[(start + k) % len(cycle)] for k in range(1, (end - start) % len(cycle) + 1)]
        times = "once" if len(steps) == 1 else f"{len(steps)} times"
        return f"press {key} {times}: {' → '.join(steps)}"
    if name == "clip":
        return _clip_keys(want, got)
    return None


def _clip_keys(want: float | None, got: float | None) -> str | None:
    if want is None:
        return "press c: clipping off"
    if got is None:
        return f"press c: clipping on (then [ ] until clip {want:g})"
    doublings = math.log2(want / got) if want > 0 and got > 0 else math.nan
    if not math.isfinite(doublings) or abs(doublings - round(doublings)) > 1e-6 or round(doublings) == 0:
        return None
    count = abs(round(doublings))
    return f"press {']' if doublings > 0 else '['} {'once' if count == 1 else f'{count} times'}: clip {want:g}"


def restore_advice(name: str, want, got, keys: bool) -> str:
    """What to do, in the words of where the user is: the keys in the dashboard, the option's name headless."""
    option = f"--{name.replace('_', '-')}"
    if keys:
        return key_advice(name, want, got) or f"restart the lesson without {option}"
    return f"leave {option} out"
