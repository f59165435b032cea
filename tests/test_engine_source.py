"""The engine as a source of parts: a real thread, real commands, only what changed sent, Quit stops it."""

import pickle
import queue
import threading
import time

from rnnscope import commands
from rnnscope.core.engine_source import EngineSource, ProbeCadence
from rnnscope.frames import DIVERGED, PAUSED, RUNNING
from rnnscope.parts import PartsOut, PartStore
from tests.core_fixtures import tiny_config, write_corpus


class Recorder:
    """The transport in one process: PartsOut -> pickled update -> PartStore; keeps every frame and update size."""

    def __init__(self):
        self.sent, self.store = PartsOut(), PartStore()
        self.frames, self.updates = [], []
        self.cond = threading.Condition()

    def publish(self, parts):
        update = self.sent.update(parts)
        if update is None:
            return
        data = pickle.dumps(update)
        with self.cond:
            self.updates.append((set(update.parts), len(data)))
            self.store.apply(pickle.loads(data))
            self.frames.append(self.store.frame())
            self.cond.notify_all()

    def wait_for(self, predicate, timeout=30.0):
        with self.cond:
            assert self.cond.wait_for(lambda: any(predicate(f) for f in self.frames), timeout), "no such frame"
            return next(f for f in reversed(self.frames) if predicate(f))


def _start(tmp_path, start_paused, **changes):
    corpus_path = write_corpus(tmp_path)
    source = EngineSource(tiny_config(corpus_path, **changes), str(corpus_path), tmp_path / "run", threads=1,
                          start_paused=start_paused)
    recorder, inbox = Recorder(), queue.Queue()
    thread = threading.Thread(target=source.run, args=(recorder.publish, inbox))
    thread.start()
    return recorder, inbox, thread


def test_paused_start_step_export_and_quit(tmp_path):
    recorder, inbox, thread = _start(tmp_path, start_paused=True)
    first = recorder.wait_for(lambda f: True)
    assert first.status.state == PAUSED and first.status.step == 0
    assert first.probe is not None and first.sample is not None  # the screen has a picture at once
    inbox.put(commands.Step())
    stepped = recorder.wait_for(lambda f: f.status.step == 1)
    assert stepped.probe.step == 1  # a single step always brings a fresh probe
    inbox.put(commands.Export())
    exported = recorder.wait_for(lambda f: f.notice is not None and "snapshot saved" in f.notice.text)
    assert (tmp_path / "run" / "step-000001" / "meta.json").is_file() and exported.status.step == 1
    started = time.perf_counter()
    inbox.put(commands.Quit())
    thread.join(timeout=5)
    assert not thread.is_alive() and time.perf_counter() - started < 1.0


def test_running_sends_only_changed_parts_and_histories_as_rows(tmp_path):
    recorder, inbox, thread = _start(tmp_path, start_paused=False)
    frame = recorder.wait_for(lambda f: f.status.state == RUNNING and f.status.step >= 30)
    inbox.put(commands.TogglePause())
    paused = recorder.wait_for(lambda f: f.status.state == PAUSED)
    time.sleep(0.2)
    assert recorder.frames[-1].status.step == paused.status.step  # paused means no more steps
    inbox.put(commands.Quit())
    thread.join(timeout=5)
    assert not thread.is_alive()
    steps = paused.loss_history[:, 0]
    assert list(steps) == list(range(1, paused.status.step + 1))  # rows appended, none lost or repeated
    assert frame.versions["vocab"] == 1  # sent once
    first_parts = recorder.updates[0][0]
    assert {"status", "vocab", "probe", "sample", "loss_history"} <= first_parts
    later = recorder.updates[1:]
    without_probe = [size for parts, size in later if "probe" not in parts]
    assert without_probe and max(without_probe) < 20_000  # bytes of an update when the probe did not change
    assert all("grad_norm_history" not in parts for parts, _ in recorder.updates)  # not shown: not sent


def test_probe_cadence_keeps_to_its_budget():
    cadence = ProbeCadence(budget=0.02, min_interval=0.25)
    cadence.probed(cost_s=0.06, now=100.0)  # a 60 ms probe ...
    cadence.add_training(2.0)
    assert not cadence.due(now=103.0)  # ... needs 3 s of training at a 2% budget
    cadence.add_training(1.0)
    assert cadence.due(now=103.0)
    assert not cadence.due(now=100.1)  # never more often than min_interval, however cheap


def test_divergence_is_published_at_once(tmp_path):
    recorder, inbox, thread = _start(tmp_path, start_paused=False, model="rnn-relu", init="identity",
                                     init_gain=3.0, optimizer="sgd", lr=50.0, clip=None)
    diverged = recorder.wait_for(lambda f: f.status.state == DIVERGED)
    assert "largest gradient" in diverged.status.diverged and diverged.notice.level == "error"
    inbox.put(commands.Quit())
    thread.join(timeout=5)
    assert not thread.is_alive()


def test_the_resumed_temperature_is_shown_and_g_keeps_it(tmp_path):
    from tests.core_fixtures import tiny_engine

    engine = tiny_engine(tmp_path)
    engine.apply(commands.ScaleTemperature(0.5))
    saved = engine.checkpoint()
    resumed = tiny_engine(tmp_path)
    resumed.restore(saved)
    assert resumed.status().temperature == 0.5  # what the status part (and so the screen) shows
    resumed.apply(commands.NewSample())
    assert resumed.sample.temperature == 0.5 and resumed.status().temperature == 0.5
