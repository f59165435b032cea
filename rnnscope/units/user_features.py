"""User features (`--feature NAME=REGEX`): parsed and checked in one line each, matched in a separate process with
a time limit, so a pattern can never hang a run (the training thread never matches)."""

from __future__ import annotations

import multiprocessing
import re

import numpy as np

from rnnscope.contracts.errors import InputError
from rnnscope.units.features import INPUT, MEMORY

MAX_FEATURES = 8
MATCH_LIMIT_S = 2.0  # a pattern that has not matched the whole analysis text by then is refused
NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,23}")


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


def _match(pattern: str, text: str, connection) -> None:
    """The worker: compile once, mark every character inside a match, send the mask back."""
    inside = np.zeros(len(text), dtype=bool)
    for found in re.compile(pattern).finditer(text):
        inside[found.start(): found.end()] = True
    connection.send(np.packbits(inside))


def match_feature(pattern: str, text: str, limit_s: float = MATCH_LIMIT_S) -> np.ndarray | None:
    """1.0 at every character of `text` inside a match of `pattern`, float64 [len(text)]; None when matching took
    longer than `limit_s` (the worker process is killed)."""
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    worker = context.Process(target=_match, args=(pattern, text, sender), daemon=True)
    worker.start()
    sender.close()
    try:
        if not receiver.poll(limit_s):
            return None
        packed = receiver.recv()
    except EOFError:  # the worker died (memory): refused like a slow pattern
        return None
    finally:
        if worker.is_alive():
            worker.kill()
        worker.join()
        receiver.close()
    return np.unpackbits(packed, count=len(text)).astype(np.float64)


def refusal(name: str, limit_s: float = MATCH_LIMIT_S) -> str:
    """The one line that refuses a pattern too slow to use."""
    return (f"feature {name} refused: its pattern did not finish matching the analysis text within {limit_s:g} s "
            "(nested repeats like (a+)+ backtrack without end); simplify it")
