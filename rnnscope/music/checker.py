"""The tune checker: a worker thread that runs abc2midi on each tune (never the training thread), measures its
copying against the training text, and measures once per corpus how many of the training text's own tunes are valid."""

from __future__ import annotations

import json
import os
import queue
import threading
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rnnscope.contracts.tunes import Tune
from rnnscope.music.abc2midi import MISSING, TIMEOUT, TIMEOUT_S, VALID, check_tune, find_abc2midi
from rnnscope.music.copied import CopyIndex
from rnnscope.music.midi import read_notes
from rnnscope.music.tunes import split_documents
from rnnscope.storage.atomic_file import replace_atomically

_REFERENCE: dict[str, tuple[int, int] | None] = {}  # corpus sha256 -> (valid, total) measured in this process


@dataclass(frozen=True, eq=False)
class Checked:
    """One tune as the worker left it."""

    tune: Tune
    midi: bytes | None
    notes: np.ndarray  # [n, 3] (start s, end s, pitch); empty unless valid
    seconds: float  # what the check and the copying measure cost


class TuneChecker:
    """Takes batches of tunes (`submit`), gives back Checked tunes (`collect`); busy while a batch is under way."""

    def __init__(self, train_text: str, sha256: str, timeout: float = TIMEOUT_S):
        self.train_text, self.sha256, self.timeout = train_text, sha256, timeout
        self.reference: tuple[int, int] | None = None  # (valid, total) of the training text's tunes
        self.note = ""
        self._jobs: queue.Queue = queue.Queue()
        self._done: deque[Checked] = deque()
        self._pending = 0
        self._lock = threading.Lock()
        self._index: CopyIndex | None = None
        self._thread = threading.Thread(target=self._work, name="rnnscope-tunes", daemon=True)
        self._thread.start()

    def busy(self) -> bool:
        with self._lock:
            return self._pending > 0

    def submit(self, step: int, tunes: list[str]) -> None:
        with self._lock:
            self._pending += 1
        self._jobs.put((step, tunes))

    def collect(self) -> list[Checked]:
        out = []
        while self._done:
            out.append(self._done.popleft())
        return out

    def wait(self, seconds: float) -> None:
        """Until the batches submitted so far are checked, at most `seconds` (an export waits for the newest)."""
        deadline = time.perf_counter() + seconds
        while self.busy() and time.perf_counter() < deadline:
            time.sleep(0.01)

    def _work(self) -> None:
        self._index = CopyIndex(self.train_text)
        self._measure_reference()
        while True:
            step, tunes = self._jobs.get()
            for text in tunes:
                self._done.append(self._check(step, text))
            with self._lock:
                self._pending -= 1

    def _check(self, step: int, text: str) -> Checked:
        started = time.perf_counter()
        check = check_tune(text, self.timeout)
        copying = self._index.copying(text)
        notes = read_notes(check.midi) if check.status == VALID else np.zeros((0, 3))
        if check.status == TIMEOUT:
            self.note = f"abc2midi timed out after {self.timeout:g} s: tunes go on being written, not judged"
        elif check.status == MISSING:
            self.note = check.said
        said = "" if check.valid else _first_error(check.said)
        tune = Tune(step, text, check.status, said, copying.longest, copying.share)
        return Checked(tune, check.midi, notes, time.perf_counter() - started)

    def _measure_reference(self) -> None:
        """The training text's own tunes through abc2midi: from this process's cache, the user's cache folder, or
        measured (cost: benchmarks/README.md, by hand); a tool that hangs or is missing leaves it unmeasured."""
        if self.sha256 in _REFERENCE:
            self.reference = _REFERENCE[self.sha256]
            return
        cached = _cache_file(self.sha256)
        try:
            valid, total = json.loads(cached.read_text(encoding="utf-8"))["valid_of"]
            self.reference = _REFERENCE[self.sha256] = (int(valid), int(total))
            return
        except (OSError, ValueError, KeyError, TypeError):
            pass
        if find_abc2midi() is None:
            return
        valid = 0
        documents = split_documents(self.train_text)[:-1]  # the last may be cut by the 90/10 split
        for document in documents:
            check = check_tune(document, self.timeout)
            if check.status in (TIMEOUT, MISSING):
                self.note = f"abc2midi did not answer ({check.said}): the training tunes' share is not measured"
                return
            valid += check.valid
        self.reference = _REFERENCE[self.sha256] = (valid, len(documents))
        try:
            cached.parent.mkdir(parents=True, exist_ok=True)
            data = json.dumps({"valid_of": [valid, len(documents)]}).encode("utf-8")
            replace_atomically(cached, lambda temp: temp.write_bytes(data), durable=False)
        except OSError:
            pass  # measured again next time


def _cache_file(sha256: str) -> Path:
    root = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(root) / "rnnscope" / f"abc2midi-valid-{sha256[:16]}.json"


def _first_error(said: str) -> str:
    return next((line.strip() for line in said.splitlines() if line.strip().startswith("Error")), said.strip()[:120])
