"""The engine as a source of parts: a real thread, real commands, only what changed sent, Quit stops it."""

import pickle
import queue
import threading
import time

import numpy as np
import pytest

from rnnscope.contracts import commands
from rnnscope.contracts.frames import DIVERGED, PAUSED, RUNNING
from rnnscope.contracts.parts import PartsOut, PartStore
from rnnscope.runner.engine_source import PROBE_INTERVAL_S, EngineSource
from rnnscope.training.side_budget import Cadence, SideBudget
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
            self.store.receive(pickle.loads(data))
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


def test_a_lesson_s_engine_sends_its_evidence_to_the_screen(tmp_path):
    recorder, inbox, thread = _start(tmp_path, start_paused=True, lesson="vanishing", val_every=2)
    assert recorder.wait_for(lambda f: True).lesson_evidence is None  # nothing judged before the first step
    for _ in range(2):
        inbox.put(commands.Step())
    evidence = recorder.wait_for(lambda f: f.lesson_evidence is not None and f.lesson_evidence["step"] == 2).lesson_evidence
    assert evidence["settings"]["model"] == "lstm" and evidence["initial_metrics"] is not None
    inbox.put(commands.Quit())
    thread.join(timeout=5)
    assert not thread.is_alive()


@pytest.mark.slow
def test_running_sends_only_changed_parts_and_histories_as_rows(tmp_path):
    recorder, inbox, thread = _start(tmp_path, start_paused=False)
    light = lambda: [size for parts, size in recorder.updates[1:] if not parts & {"probe", "units"}]
    frame = recorder.wait_for(lambda f: f.status.state == RUNNING and f.status.step >= 30 and len(light()) >= 2)
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
    # bytes of an update when neither the probe nor the units' analysis (a heavy part too, ~37 kB, new every ~850
    # steps at the default size: rnnscope.units) changed
    assert later and max(light()) < 20_000
    assert all("grad_norm_history" not in parts for parts, _ in recorder.updates)  # not shown: not sent


def _simulate(probe_costs, step_s=0.02, seconds=60.0):
    """The run loop's decisions on a fake clock: a training step, then a probe when the cadence says so. Returns the
    start time of each probe, the side budget and what the cadence told."""
    side, told = SideBudget(budget=0.03), []
    probes = Cadence(side, ("probe",), PROBE_INTERVAL_S, told.append)
    costs = iter(probe_costs)
    now, started = 0.0, []
    side.add("probe", next(costs))  # the start-up probe, before the first step: start-up, not charged
    probes.done(now)
    while now < seconds:
        side.add_training(step_s)
        now += step_s
        if probes.due(now):
            started.append(now)
            probes.done(now)
            cost = next(costs)
            side.add("probe", cost)
            now += cost
    return started, side, told


def test_one_slow_start_up_probe_does_not_freeze_the_probe_panels():
    started, side, told = _simulate([1.077] + [0.06] * 1000)  # a cold first probe (measured: 1,077 ms), then 60 ms
    gaps = np.diff([0.0, *started])
    assert gaps.max() <= PROBE_INTERVAL_S + 0.1 and not told  # every interval from the start
    assert side.share() <= 0.03 and side.outside_s == pytest.approx(1.077)


def test_probes_every_interval_while_the_side_budget_affords_them_and_less_often_with_a_notice_when_not():
    started, side, told = _simulate([0.01] * 1000)  # a 10 ms probe every 2.5 s is 0.4% of the training time
    gaps = np.diff(started)
    assert np.all((gaps >= PROBE_INTERVAL_S) & (gaps <= PROBE_INTERVAL_S + 0.05)) and not told
    expensive, side, told = _simulate([0.3] * 1000, seconds=120.0)  # 300 ms: at the 2.5 s interval it would be 12%
    assert side.share() <= 0.03  # the whole run, every probe included
    assert np.median(np.diff(expensive)) >= 0.3 / 0.03 - 0.5  # about every 11 s of training (10 s at the whole 3%)
    assert len(told) == 1 and "300 ms" in told[0] and "every 11 s" in told[0] and "within 3%" in told[0]
    assert PROBE_INTERVAL_S <= 3.0  # the README's "every 2.5 s"


@pytest.mark.slow
def test_the_live_loop_probes_again_soon_after_a_slow_start_up_probe(tmp_path, monkeypatch):
    from rnnscope.engine import engine as engine_module
    real_probe, calls = engine_module.run_probe, []

    def slow_once(*args, **kwargs):
        calls.append(time.perf_counter())
        if len(calls) == 1:
            time.sleep(0.4)  # a cold start-up probe: the old cadence then waited 50x its cost (20 s here)
        return real_probe(*args, **kwargs)

    monkeypatch.setattr(engine_module, "run_probe", slow_once)
    monkeypatch.setattr("rnnscope.runner.engine_source.PROBE_INTERVAL_S", 0.3)
    monkeypatch.setattr(SideBudget.__init__, "__defaults__", (1.0, time.perf_counter))  # a tiny model's norms alone
    # may take 3% of its tiny steps: the budget is not what this test is about
    recorder, inbox, thread = _start(tmp_path, start_paused=False)
    try:
        recorder.wait_for(lambda f: f.probe is not None and f.probe.step > 0, timeout=3.0)
        time.sleep(1.2)
        probe_steps = {f.probe.step for f in recorder.frames}
        assert len(probe_steps) >= 3, probe_steps
    finally:
        inbox.put(commands.Quit())
        thread.join(timeout=5)


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


def test_cheaper_side_work_leaves_the_probe_its_interval():
    """The default dashboard's mix (step 16.5 ms, probe 15 ms, validation 19 ms every 100 steps; a sample of 25 ms, a
    units analysis of 143 ms and a memory pass of 194 ms asking at every step): the probe panels stood at one step
    for a minute, then the memory and units panels at step 0, while cheaper kinds filled every gap the budget left."""
    side = SideBudget(budget=0.03)
    probes = Cadence(side, ("probe",), PROBE_INTERVAL_S)
    others = (("sample", 0.025), ("units", 0.143), ("memory", 0.194))
    for kind, cost in (("probe", 0.015), *others):
        side.add(kind, cost)  # start-up, before the first step, as the engine does: known costs, not charged
    now, started, step = 0.0, [], 0
    while now < 120.0:
        side.add_training(0.0165)
        now, step = now + 0.0165, step + 1
        if step % 100 == 0:
            side.add("validation", 0.019)
        if probes.due(now):
            started.append(now)
            probes.done(now)
            side.add("probe", 0.015)
        for kind, cost in others:
            if side.affords(kind):
                side.add(kind, cost)
    gaps = np.diff(started)
    assert gaps.max() < 2 * PROBE_INTERVAL_S, gaps.max()  # every ~2.5 s of training, as without the others
    for kind, _cost in others:  # each still runs (the cheap sample took every gap and starved the costly two)
        assert side.spent[kind] >= 0.1 * 0.01 * side.train_s, kind
    assert side.share() <= side.budget
