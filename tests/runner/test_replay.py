"""--replay: refuses folders that are not runs; steps through a real run's snapshots."""

import queue
import threading
from types import SimpleNamespace

import pytest

from rnnscope.cli import main
from rnnscope.contracts import commands
from rnnscope.runner.replay import ReplaySource
from rnnscope.storage.snapshot_io import list_snapshots
from tests.core_fixtures import write_corpus
from tests.test_cli import TINY_ARGS


def test_replay_refuses_a_folder_that_is_not_a_run(tmp_path, capsys):
    (tmp_path / "step-12").mkdir()  # not six digits: not a snapshot
    assert main(["--replay", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "not an rnnscope run folder" in err and "Traceback" not in err
    assert main(["--replay", str(tmp_path / "missing")]) == 2


def test_replay_refuses_a_corrupt_snapshot(tmp_path, capsys):
    folder = tmp_path / "step-000010"
    folder.mkdir()
    (folder / "meta.json").write_text("{not json")
    assert main(["--replay", str(tmp_path)]) == 2
    assert "cannot replay" in capsys.readouterr().err


@pytest.mark.slow
def test_replay_source_steps_through_snapshots(tmp_path, capsys):
    corpus = write_corpus(tmp_path)
    run_dir = tmp_path / "run"
    assert main([str(corpus), "--headless", *TINY_ARGS, "--steps", "6", "--export-every", "3",
                 "--run-dir", str(run_dir)]) == 0
    source = ReplaySource(list_snapshots(run_dir))
    parts, inbox = [], queue.Queue()
    for command in (commands.Step(), commands.Step(), commands.NextInit(), commands.Quit()):
        inbox.put(command)
    worker = threading.Thread(target=source.run, args=(parts.append, inbox))
    worker.start()
    worker.join(timeout=30)
    assert not worker.is_alive()
    frames = [SimpleNamespace(**p) for p in parts]  # a whole frame's parts each time
    assert [f.status.step for f in frames] == [3, 6, 3, 3]  # n, n wraps to the first, a training key is refused
    assert frames[0].status.state == "REPLAY ‖" and frames[0].probe.layers[0].hidden.shape == (16, 12)
    assert "training controls are off" in frames[-1].notice.text


@pytest.mark.slow
async def test_space_plays_and_stops_the_replay_in_the_dashboard(tmp_path, monkeypatch):
    from rnnscope.runner import replay
    from rnnscope.ui.app import make_app
    from tests.ui.app_harness import status_text, wait_until

    corpus = write_corpus(tmp_path)
    run_dir = tmp_path / "run"
    assert main([str(corpus), "--headless", *TINY_ARGS, "--steps", "8", "--export-every", "1",
                 "--run-dir", str(run_dir)]) == 0
    monkeypatch.setattr(replay, "PLAY_INTERVAL_S", 0.05)
    app = make_app(lambda: ReplaySource(list_snapshots(run_dir)), run_label="replay")
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(pilot, lambda: "REPLAY ‖" in status_text(app), "the first snapshot")
        await pilot.press("space")
        await wait_until(pilot, lambda: "REPLAY ▶" in status_text(app) and "step 3 " in status_text(app), "playing")
        await pilot.press("space")
        await wait_until(pilot, lambda: "REPLAY ‖" in status_text(app), "stopped")
        stopped_at = app.latest.status.step
        await pilot.pause(0.4)  # eight play intervals
        assert app.latest.status.step == stopped_at and "REPLAY ‖" in status_text(app)


@pytest.mark.slow
def test_replay_steps_through_the_timeline_and_the_snapshots_in_step_order(tmp_path):
    from rnnscope.storage.timeline import TimelineReader

    corpus, run_dir = write_corpus(tmp_path), tmp_path / "run"
    assert main([str(corpus), "--headless", *TINY_ARGS, "--steps", "6", "--export-every", "3",
                 "--run-dir", str(run_dir)]) == 0
    source = ReplaySource(list_snapshots(run_dir), TimelineReader(run_dir))
    assert [(s.step, s.folder is not None) for s in source.stops] == [(0, False), (3, True), (6, True)]
    parts, inbox = [], queue.Queue()
    for command in (commands.Step(), commands.Step(), commands.Reset(), commands.Quit()):
        inbox.put(command)
    source.run(parts.append, inbox)
    frames = [SimpleNamespace(**p) for p in parts]
    assert [f.status.step for f in frames] == [0, 3, 6, 0]
    first = frames[0]  # the timeline's frame of step 0, over the first snapshot's settings
    assert first.probe.step == 0 and len(first.loss_history) == 0 and first.status.config.hidden == 12
    assert frames[1].memory.step == 3 and first.memory is None  # nothing measured by step 0: not the snapshot's
    assert first.notice.text.startswith("timeline frame of step 0 1/3") and first.status.state == "REPLAY ‖"
    assert frames[1].notice.text.startswith("snapshot step-000003 2/3")


def _timeline(run_dir, steps, model="gru", **meta):
    import dataclasses

    from rnnscope.storage.timeline import TimelineWriter
    from tests.fake_frames import make_frame

    writer, probe = TimelineWriter(run_dir), make_frame(model, T=8, H=6, V=5).probe
    for step in steps:
        writer.append(dataclasses.replace(probe, step=step), wall_time=1000.0 + step, train_loss=2.0 - step / 100,
                      val_loss=None, memory=None, meta={"model": model, "clip": 1.0, "init": "xavier", **meta})


@pytest.mark.slow
async def test_a_compare_runs_timeline_replays_side_by_side_b_at_as_step(tmp_path):
    from rnnscope.runner.replay_stops import StepClock
    from rnnscope.storage.timeline import TimelineReader
    from rnnscope.ui.compare.app import CompareApp
    from rnnscope.ui.source_link import SourceLink
    from tests.ui.app_harness import wait_until

    _timeline(tmp_path / "a", [0, 10, 20])
    _timeline(tmp_path / "b", [0, 12, 19], model="lstm")
    clock = StepClock()
    links = {side: SourceLink(lambda side=side: ReplaySource([], TimelineReader(tmp_path / side), clock=clock,
                                                            follower=side == "b")) for side in "ab"}
    app = CompareApp(links, differs="B", run_label="replay", start_paused=True, replay=True)

    def steps():
        return tuple(None if f is None else f.status.step for f in app.frames.values())

    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(pilot, lambda: steps() == (0, 0), "both runs at step 0")
        await pilot.press("n")
        await wait_until(pilot, lambda: steps() == (10, 0), "A at 10, B at its frame before it")
        await pilot.press("n")
        await wait_until(pilot, lambda: steps() == (20, 19), "A at 20, B at 19")
        assert app.frames["a"].status.config.clip == 1.0 and app.frames["a"].status.config.init == "xavier"
        assert app.frames["b"].status.config.model == "lstm" and app.frames["b"].status.state == "REPLAY ‖"
        assert "space play · n next · r first" in app.status_bar.render().plain
        await pilot.press("q")


def test_a_compare_replay_s_header_names_what_b_changed(tmp_path):
    from rnnscope.runner.replay import checked_source, compare_header

    _timeline(tmp_path / "a", [0, 10])
    _timeline(tmp_path / "b", [0, 12], model="lstm")
    assert compare_header({side: checked_source(tmp_path / side) for side in "ab"}) == "B: model lstm"


async def test_a_replay_shows_only_its_own_keys_under_its_own_names(tmp_path):
    from rnnscope.storage.timeline import TimelineReader
    from rnnscope.ui.app import make_app
    from rnnscope.ui.help_screen import HelpScreen
    from rnnscope.ui.key_bar import KeyBar
    from tests.fake_frames import make_frame
    from tests.ui.app_harness import wait_until

    _timeline(tmp_path, [0, 10], vocab=list(make_frame("gru", T=8, H=6, V=5).vocab))
    app = make_app(lambda: ReplaySource([], TimelineReader(tmp_path)), run_label="replay", start_paused=True,
                   replay=True)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(pilot, lambda: app.latest is not None, "the first frame")
        await pilot.pause()
        shown = dict(app.query_one(KeyBar).items())
        assert (shown["space"], shown["n"], shown["r"]) == ("play", "next", "first")
        assert not {"c [ ]", "i", "m", "a", "e", "g t T", "L"} & shown.keys()
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        keys = {entry.action for entry in app.screen.keys}
        assert "step" in keys and not {"toggle_clip", "next_init", "next_model", "export", "new_sample",
                                        "scale_clip(0.5)", "temperature(0.8)"} & keys
        assert app.check_action("scale_clip", (0.5,)) is False and app.check_action("focus_next", ()) is True


def test_a_timeline_frame_over_a_later_snapshot_keeps_its_own_settings_and_gradient_norms(tmp_path):
    import dataclasses

    from rnnscope.runner.replay_stops import timeline_parts
    from rnnscope.storage.timeline import TimelineReader, TimelineWriter
    from tests.fake_frames import make_frame

    base = make_frame("lstm", T=8, H=6, V=5, step=50)  # the first snapshot, at step 50: clip 1, init default
    base = dataclasses.replace(base, status=dataclasses.replace(base.status, config=base.status.config.with_(clip=1.0)))
    TimelineWriter(tmp_path).append(
        dataclasses.replace(base.probe, step=10), wall_time=1010.0, train_loss=2.5, val_loss=None, memory=None,
        meta={"model": "lstm", "clip": None, "init": "orthogonal", "grad_step": 10, "grad_norms": {"w": 3.0},
              "grad_total": 3.0})  # clipping was off and the init orthogonal then
    reader = TimelineReader(tmp_path)
    frame = reader.load(reader.index()[0].id)
    parts = timeline_parts(frame, base, reader.index(), tmp_path)
    assert parts["status"].step == 10 and parts["status"].config.clip is None
    assert parts["status"].config.init == "orthogonal" and parts["status"].config.hidden == base.status.config.hidden
    assert parts["last_step"].step == 10 and parts["last_step"].grad_norms == {"w": 3.0}  # not the snapshot's step 50


@pytest.mark.parametrize("present", ["a", "b"])
def test_a_compare_folder_with_one_side_names_the_side_to_replay(tmp_path, capsys, present):
    import dataclasses

    from rnnscope.storage.timeline import TimelineWriter
    from tests.fake_frames import make_frame

    probe = make_frame("gru", T=5, H=3, V=4).probe
    TimelineWriter(tmp_path / present).append(dataclasses.replace(probe, step=0), wall_time=1.0, train_loss=1.0,
                                              val_loss=None, memory=None, meta={})
    assert main(["--replay", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"rnnscope --replay {tmp_path / present}" in err and "compare" in err


def test_a_scope_s_run_replayed_shows_no_bpc_no_clip_and_its_module(tmp_path):
    import torch
    from torch import nn

    from rnnscope import Scope
    from rnnscope.runner.replay import checked_source
    from rnnscope.ui.status_bar import fit_status

    torch.manual_seed(0)
    scope = Scope(nn.LSTM(2, 4), tmp_path, probe=torch.randn(5, 2), every=1)
    scope.step(0, loss=2.0)
    scope.close()
    parts = checked_source(tmp_path)._parts(checked_source(tmp_path).stops[0])
    line = fit_status(parts["status"], 160).plain
    assert "LSTM 1x4 in 2" in line and "train 2.000" in line, line
    assert "bpc" not in line and "clip" not in line and "init" not in line and "lstm 1×32" not in line


@pytest.mark.parametrize("second, kept", [((0, 1, 2), []), ((7, 8), [3, 6]), ((4, 5), [3])])
def test_replay_shows_the_newest_run_with_only_the_snapshots_that_are_its_own(tmp_path, second, kept):
    import dataclasses
    import os
    import time

    from rnnscope.runner.replay_stops import replay_stops
    from rnnscope.storage.timeline import TimelineReader, TimelineWriter
    from rnnscope.storage.timeline.heartbeat import HeartbeatFile
    from tests.fake_frames import make_frame

    probe = make_frame("gru", T=5, H=3, V=4).probe

    def run(steps, wall):
        writer = TimelineWriter(tmp_path)
        for step in steps:
            writer.append(dataclasses.replace(probe, step=step), wall_time=wall, train_loss=1.0, val_loss=None,
                          memory=None, meta={})

    run((0, 3, 6), time.time() - 100)  # the old run, which exported steps 3 and 6
    snapshots = []
    for step in (3, 6):
        snapshots.append(tmp_path / f"step-{step:06d}")
        snapshots[-1].mkdir()
        os.utime(snapshots[-1], (time.time() - 100, time.time() - 100))
    HeartbeatFile(tmp_path, "rnnscope gru 1x3").beat(0, now=True)  # the next process starts
    run(second, time.time())  # a new run (from 0), a resume from the end, a resume from an earlier checkpoint
    stops = replay_stops(snapshots, TimelineReader(tmp_path))
    assert [s.step for s in stops if s.folder is not None] == kept
    assert [s.step for s in stops if s.entry is not None] == [s for s in ((0, 3, 6) if second[0] > 6 else ())
                                                              if s not in kept] + list(second)
