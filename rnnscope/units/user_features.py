"""User features (`--feature NAME=REGEX`, parsed by rnnscope.units.feature_spec): matched in a separate process with
a time limit, so a pattern can never hang a run (the training thread never matches)."""

from __future__ import annotations

import multiprocessing
import re

import numpy as np

MATCH_LIMIT_S = 2.0  # a pattern that has not matched the whole analysis text by then is refused
START_LIMIT_S = 60.0  # the worker's start (a new Python and numpy): not the pattern's time, generous on a busy machine


def _match(pattern: str, text: str, connection) -> None:
    """The worker: say it has started, compile once, mark every character inside a match, send the mask back."""
    connection.send(None)
    inside = np.zeros(len(text), dtype=bool)
    for found in re.compile(pattern).finditer(text):
        inside[found.start(): found.end()] = True
    connection.send(np.packbits(inside))


def match_feature(pattern: str, text: str, limit_s: float = MATCH_LIMIT_S) -> np.ndarray | None:
    """1.0 at every character of `text` inside a match of `pattern`, float64 [len(text)]; None when matching took
    longer than `limit_s` from the worker's start (it is killed then) or the worker could not start."""
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    worker = context.Process(target=_match, args=(pattern, text, sender), daemon=True)
    worker.start()
    sender.close()
    try:
        if not receiver.poll(START_LIMIT_S):
            return None
        receiver.recv()  # started: the pattern's time counts from here
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


def refusal(name: str) -> str:
    """The one line that refuses a pattern too slow to use."""
    return (f"feature {name} refused: its pattern did not finish matching the analysis text within {MATCH_LIMIT_S:g} s "
            "(nested repeats like (a+)+ backtrack without end); simplify it")
