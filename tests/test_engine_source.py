"""The engine as the dashboard's frame source: a real thread, real commands, a prompt stop."""

import queue
import threading
import time

from rnnscope import commands
from rnnscope.core.data import load_corpus
from rnnscope.core.engine_source import EngineSource, ProbeCadence
from rnnscope.frames import DIVERGED, PAUSED, RUNNING
from tests.core_fixtures import tiny_config, write_corpus


class Recorder:
    """Keeps every published frame; wait_for blocks until one matches."""

    def __init__(self):
        self.frames = []
        self.cond = threading.Condition()

    def publish(self, frame):
        with self.cond:
            self.frames.append(frame)
            self.cond.notify_all()

    def wait_for(self, predicate, timeout=30.0):
        with self.cond:
            assert self.cond.wait_for(lambda: any(predicate(f) for f in self.frames), timeout), "no such frame"
            return next(f for f in reversed(self.frames) if predicate(f))


def _start(tmp_path, start_paused):
    corpus_path = write_corpus(tmp_path)
    source = EngineSource(tiny_config(corpus_path), load_corpus(corpus_path), tmp_path / "run", threads=1,
                          start_paused=start_paused)
    recorder, inbox, stop = Recorder(), queue.Queue(), threading.Event()
    thread = threading.Thread(target=source.run, args=(recorder.publish, inbox, stop))
    thread.start()
    return recorder, inbox, stop, thread


def test_paused_start_step_export_and_quit(tmp_path):
    recorder, inbox, stop, thread = _start(tmp_path, start_paused=True)
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


def test_running_trains_publishes_and_stops_on_the_event(tmp_path):
    recorder, inbox, stop, thread = _start(tmp_path, start_paused=False)
    recorder.wait_for(lambda f: f.status.state == RUNNING and f.status.step >= 5)
    inbox.put(commands.TogglePause())
    paused = recorder.wait_for(lambda f: f.status.state == PAUSED)
    time.sleep(0.2)
    assert recorder.frames[-1].status.step == paused.status.step  # paused means no more steps
    stop.set()
    thread.join(timeout=2)
    assert not thread.is_alive()


def test_probe_cadence_keeps_to_its_budget():
    cadence = ProbeCadence(budget=0.02, min_interval=0.25)
    cadence.probed(cost_s=0.06, now=100.0)  # a 60 ms probe ...
    cadence.add_training(2.0)
    assert not cadence.due(now=103.0)  # ... needs 3 s of training at a 2% budget
    cadence.add_training(1.0)
    assert cadence.due(now=103.0)
    assert not cadence.due(now=100.1)  # never more often than min_interval, however cheap


def test_divergence_is_published_at_once(tmp_path):
    corpus_path = write_corpus(tmp_path)
    config = tiny_config(corpus_path, model="rnn-relu", init="identity", init_gain=3.0, optimizer="sgd",
                         lr=50.0, clip=None)
    source = EngineSource(config, load_corpus(corpus_path), tmp_path / "run", threads=1)
    recorder, inbox, stop = Recorder(), queue.Queue(), threading.Event()
    thread = threading.Thread(target=source.run, args=(recorder.publish, inbox, stop))
    thread.start()
    diverged = recorder.wait_for(lambda f: f.status.state == DIVERGED)
    assert "largest gradient" in diverged.status.diverged and diverged.notice.level == "error"
    stop.set()
    thread.join(timeout=2)
