"""A run's tunes: the feature beside the engine that samples from the documents' common start, cuts tunes, has them
checked off the training thread, and gives the `tunes` part, the headless line's numbers and the export's tunes/."""

from __future__ import annotations

import math
import time
from collections import deque
from pathlib import Path

import numpy as np

from rnnscope.contracts.engine_hook import EngineHook
from rnnscope.contracts.tunes import Tune, TunesReading, tunes_to_json
from rnnscope.music.checker import Checked, TuneChecker
from rnnscope.music.tunes import common_start, cut_tunes, split_documents

TUNE_SUFFIXES = (".abc",)  # a corpus of these is read as tunes (and any corpus of the music lesson)
SAMPLE_CHARS = 1200  # one sample: ~4 tunes of irish.abc's ~245 characters
TEMPERATURE = 1.0
EVERY_S, LATEST_S = 5.0, 20.0  # a sample every EVERY_S while the side budget has room, at the latest every LATEST_S
RECENT = 24  # the valid share is of the last this many tunes
KEPT = 12  # tunes kept with their MIDI for the export


class TuneTracker(EngineHook):
    """Tunes beside one engine (engine.hooks): drawn between steps, checked by a TuneChecker's thread."""

    def __init__(self, start: str, checker: TuneChecker):
        self.start, self.checker = start, checker
        self.recent: deque[Tune] = deque(maxlen=RECENT)
        self.kept: deque[Checked] = deque(maxlen=KEPT)
        self.newest: Checked | None = None  # the newest valid tune
        self.valid_total = self.checked_total = self.samples = 0
        self.first_valid_step: int | None = None
        self.last_draw = time.perf_counter()  # the first sample when the budget has room, at the latest LATEST_S on
        self.frame: TunesReading | None = None
        self._refresh()

    def before_step(self, engine) -> None:
        self.collect(engine)
        now = time.perf_counter()
        waited = now - self.last_draw
        if not self.checker.busy() and (waited >= LATEST_S or waited >= EVERY_S and engine.budget.affords("sample")):
            self.draw(engine)

    def draw(self, engine) -> None:
        """One sample from the start, cut into tunes, handed to the checker."""
        text = engine.draw_text(self.start, SAMPLE_CHARS, TEMPERATURE, engine.interrupted)
        if text is None:
            return  # a command is waiting: drawn again at the next step
        self.last_draw = time.perf_counter()
        self.samples += 1
        self.checker.submit(engine.step, cut_tunes(self.start + text, self.start))
        self._refresh()

    def collect(self, engine) -> None:
        """Take what the checker finished; its cost goes to the engine's side budget (as samples)."""
        done = self.checker.collect()
        for checked in done:
            engine.budget.add("sample", checked.seconds)
            tune = checked.tune
            self.recent.append(tune)
            self.kept.append(checked)
            self.checked_total += tune.status in ("valid", "broken")
            if tune.status == "valid":
                self.valid_total += 1
                self.newest = checked
                if self.first_valid_step is None:
                    self.first_valid_step = tune.step
        if done or (self.frame.training_total, self.frame.note) != ((self.checker.reference or (None, None))[1],
                                                                   self.checker.note):
            self._refresh()

    def after_reinit(self, engine) -> None:
        """New weights (r, i, m): their tunes are counted afresh (the run's totals and the tunes kept stay)."""
        self.recent.clear()
        self._refresh()

    def parts(self) -> dict[str, object]:
        return {"tunes": self.frame}

    def summary(self) -> dict:
        return {"tunes": tunes_to_json(self.frame)}

    def before_export(self, engine) -> None:
        self.checker.wait(10.0)
        self.collect(engine)

    def after_export(self, engine, folder: Path) -> None:
        from rnnscope.music.tune_files import write_tunes  # matplotlib and timidity only at an export

        write_tunes(folder, list(self.kept), self.newest)

    def _refresh(self) -> None:
        judged = [tune for tune in self.recent if tune.status in ("valid", "broken")]
        reference = self.checker.reference
        copied = [tune.copied_share for tune in self.recent]
        self.frame = TunesReading(
            start=self.start, recent=tuple(self.recent), valid=sum(t.status == "valid" for t in judged),
            checked=len(judged), valid_total=self.valid_total, checked_total=self.checked_total, samples=self.samples,
            training_valid=None if reference is None else reference[0],
            training_total=None if reference is None else reference[1],
            copied_share=float(np.mean(copied)) if copied else math.nan,
            newest_valid=None if self.newest is None else self.newest.tune,
            notes=np.zeros((0, 3)) if self.newest is None else self.newest.notes,
            first_valid_step=self.first_valid_step, note=self.checker.note)


def is_tune_corpus(path: str | Path, lesson: str | None) -> bool:
    return lesson == "music" or Path(path).suffix.lower() in TUNE_SUFFIXES


def tune_tracker(corpus, config) -> TuneTracker | None:
    """The tunes feature for a run on a text of tunes (an .abc corpus, or the music lesson), else None."""
    if config.task is not None or not is_tune_corpus(corpus.path, config.lesson):
        return None
    train_text = corpus.decode(corpus.train)
    start = common_start(split_documents(train_text))
    if not start:
        return None
    return TuneTracker(start, TuneChecker(train_text, corpus.sha256))
