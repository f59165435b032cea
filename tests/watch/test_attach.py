"""--attach: the source that follows another process's timeline, the dashboard on it, the command line."""

import json
import os
import subprocess
import sys
import time

import pytest
import torch
from torch import nn

from rnnscope import Scope
from rnnscope.cli import main
from rnnscope.contracts import commands
from rnnscope.storage.timeline import TimelineReader
from rnnscope.storage.timeline.facts import last_step
from rnnscope.storage.timeline.heartbeat import Heartbeat, read_heartbeat, write_heartbeat
from rnnscope.storage.timeline.index import frame_name
from rnnscope.ui.app import make_app
from rnnscope.ui.dashboard import page_of
from rnnscope.ui.key_bar import KeyBar
from rnnscope.ui.panels import ConnectivityPanel, EncodingPanel, GradNormsPanel, LossPanel, MemoryPanel
from rnnscope.ui.render.lines import NOT_MEASURED_WATCHED
from rnnscope.watch.attach import UNAVAILABLE, AttachSource
from tests.ui.app_harness import notifications, status_text, wait_until
from tests.ui.test_panels import panel_text


def scope(run_dir, **options):
    torch.manual_seed(0)
    rnn, head = nn.GRU(3, 5, num_layers=2), nn.Linear(5, 4)
    return Scope(rnn, run_dir, probe=torch.randn(6, 3), targets=[0, 1, 2, 3, 0, 1], readout=head,
                 labels=["the", "cat", "sat", "on", "a", "mat"], every=1, **options)


def test_the_source_waits_then_follows_the_newest_frame_and_skips_a_malformed_one(tmp_path):
    source = AttachSource(tmp_path)
    source.poll()
    assert source.parts()["status"].state == "WAITING" and "probe" not in source.parts()
    watched = scope(tmp_path)
    watched.step(0, loss=2.0)
    source.poll()
    parts = source.parts()
    assert parts["status"].state == "WATCHING" and parts["probe"].step == 0 and parts["probe"].labels[1] == "cat"
    assert "GRU 2x5 in 3" in parts["status"].writer and parts["vocab"] == ()
    watched.step(1, loss=1.0)
    newest = TimelineReader(tmp_path).index()[-1]
    (tmp_path / "timeline" / frame_name(newest.id)).write_bytes(b"garbage")  # a torn or hostile file
    source.poll()
    parts = source.parts()
    assert parts["probe"].step == 0 and "1 frame of the timeline could not be loaded" in parts["notice"].text
    assert "the latest: step 1:" in parts["notice"].text
    watched.step(2, loss=0.5)
    source.poll()
    assert source.parts()["probe"].step == 2 and source.parts()["loss_history"].tolist()[-1] == [2.0, 0.5]
    watched.close()
    source.poll()
    assert source.parts()["status"].state == "ENDED"


def test_the_status_step_is_the_writer_s_which_trains_on_between_its_frames(tmp_path, monkeypatch):
    from rnnscope.storage.timeline import heartbeat

    monkeypatch.setattr(heartbeat, "BEAT_EVERY_S", 0.0)  # a beat at every step (every 5 s in a real loop)
    torch.manual_seed(0)
    watched = Scope(nn.GRU(3, 5), tmp_path, probe=torch.randn(6, 3), every=1000)  # one frame, at step 0
    for step in range(40):
        watched.step(step, loss=1.0)
    source = AttachSource(tmp_path)
    source.poll()
    parts = source.parts()
    assert parts["probe"].step == 0 and parts["status"].step == 39
    watched.close()


def test_a_writer_whose_process_is_gone_is_stale(tmp_path):
    scope(tmp_path).step(0)
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    beat = Heartbeat.starting("GRU 2x5 in 3")
    write_heartbeat(tmp_path, Heartbeat(int(gone.stdout), beat.host, 0, beat.model, 0, beat.time, "running",
                                        beat.time))
    source = AttachSource(tmp_path)
    source.poll()
    assert source.parts()["status"].state == "STALE"


@pytest.mark.slow
async def test_the_dashboard_shows_each_new_frame_within_a_second_and_greys_the_training_keys(tmp_path):
    watched = scope(tmp_path)
    app = make_app(lambda: AttachSource(tmp_path), run_label="attached", steering=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(pilot, lambda: "WAITING" in status_text(app), "the waiting line")
        assert "waiting for the first frame" in status_text(app)
        await pilot.press("comma")  # scrubbing before the writer recorded a frame
        await wait_until(pilot, lambda: any("nothing is recorded yet" in n for n in notifications(app)), "why not")
        for step in range(3):
            watched.step(step, loss=1.0)
            written = time.monotonic()
            await wait_until(pilot, lambda: app.latest is not None and app.latest.probe is not None
                             and app.latest.probe.step == step, f"step {step} on screen")  # noqa: B023 (called at once, inside the loop)
            assert time.monotonic() - written < 1.0
        assert "WATCHING" in status_text(app) and "step 2" in status_text(app) and "GRU 2x5" in status_text(app)
        assert app.check_action("toggle_pause", ()) is False and app.check_action("move_cursor", (1,)) is True
        shown = dict(app.query_one(KeyBar).items())  # only this view's keys: none that steers a training run
        assert "space" not in shown and "r" not in shown and shown["e"] == "export" and "?" in shown
        await pilot.press("right")
        assert app.view.cursor_t == 1
        app.client.send(commands.Reset())  # what r would send, were it shown
        await wait_until(pilot, lambda: UNAVAILABLE in notifications(app), "the unavailable notice")
        await pilot.press("e")
        folder = tmp_path / "attached" / "step-000002"
        await wait_until(pilot, lambda: any("exported" in n for n in notifications(app)), "the export")
        assert "WATCHING" in (folder / "screen.svg").read_text()
        assert TimelineReader(tmp_path).load(TimelineReader(tmp_path).index()[-1].id).probe.step == 2
        assert (folder / "frame.npz").read_bytes() == (tmp_path / "timeline" / frame_name(2)).read_bytes()
    watched.close()


@pytest.mark.parametrize("argv, words", [
    (["--attach", "nowhere/at-all"], "neither it nor"),
    (["--attach", ".", "--hidden", "3"], "takes no other options"),
])
def test_bad_attach_arguments_are_one_line_and_exit_2(argv, words, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


@pytest.mark.slow
async def test_attached_to_a_finished_headless_run_it_says_ended_and_scrubs(tmp_path):
    from tests.core_fixtures import write_corpus
    from tests.test_cli import TINY_ARGS

    corpus, run_dir = write_corpus(tmp_path), tmp_path / "run"
    assert main([str(corpus), "--headless", *TINY_ARGS, "--steps", "6", "--export-every", "3", "--clip", "0.01",
                 "--run-dir", str(run_dir)]) == 0
    assert read_heartbeat(run_dir).state == "ended"
    reader = TimelineReader(run_dir)
    stats = last_step(reader.load(reader.index()[-1].id))  # the run's own clipping, recorded after its norms
    assert stats.clip_known and stats.clipped and stats.total_pre > 0.01
    assert stats.total_post == pytest.approx(0.01, rel=1e-3)
    app = make_app(lambda: AttachSource(run_dir), run_label="attached", steering=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(pilot, lambda: "ENDED" in status_text(app) and "step 6" in status_text(app), "ENDED")
        assert "CLIPPED" in panel_text(app.query_one(GradNormsPanel)) and "nats" in panel_text(app.query_one(LossPanel))
        await pilot.press("comma")
        before = reader.index()[-2].step  # 3 (the export's probe), or a cadence probe's on a loaded machine
        await wait_until(pilot, lambda: f"REVIEW step {before}" in status_text(app), "the review on the status line")
        assert app.latest.status.step == 6  # the run's step stays; the panels show the reviewed frame
        await pilot.press("end")
        await wait_until(pilot, lambda: "REVIEW" not in status_text(app), "live again")
        await pilot.press("q")


def test_attach_waits_for_a_folder_about_to_be_made_and_refuses_what_cannot_become_one(tmp_path, capsys):
    from rnnscope.contracts.errors import InputError
    from rnnscope.watch.attach import check_attach_dir

    check_attach_dir(tmp_path / "not-yet")  # its parent exists: the dashboard waits (WAITING)
    source = AttachSource(tmp_path / "not-yet")
    source.poll()
    assert source.status().state == "WAITING" and source.frame is None
    (tmp_path / "file").write_text("x")
    for path, words in ((tmp_path / "file", "file: not a folder"), (tmp_path / "no" / "such", "neither it nor"),
                        (tmp_path / "file" / "run", "file is not a folder")):
        with pytest.raises(InputError, match=words):
            check_attach_dir(path)
    if os.geteuid() != 0:  # root reads every folder
        locked = tmp_path / "locked"
        locked.mkdir(mode=0)
        for path in (locked, locked / "run"):
            with pytest.raises(InputError, match="cannot read"):
                check_attach_dir(path)
    assert main(["--attach", str(tmp_path / "file")]) == 2
    assert capsys.readouterr().err.count("\n") == 1


@pytest.mark.slow
@pytest.mark.parametrize("size", [(160, 48), (100, 30)])
async def test_a_watched_model_on_screen_claims_nothing_only_rnnscope_own_models_have(tmp_path, size):
    torch.manual_seed(0)
    rnn, head = nn.GRU(3, 5, num_layers=2), nn.Linear(5, 4)
    watched = Scope(rnn, tmp_path, probe=torch.randn(6, 3), targets=[0, 1, 2, 3, 0, 1], readout=head, every=1)
    output, _ = rnn(torch.randn(6, 2, 3))  # [T, B, H]
    head(output).square().mean().backward()
    watched.grads(0)  # before the loop's clipping, which the scope never sees
    watched.step(0, loss=1.5)
    app = make_app(lambda: AttachSource(tmp_path), run_label="attached", steering=False)
    async with app.run_test(size=size) as pilot:
        await wait_until(pilot, lambda: app.latest is not None and app.latest.probe is not None, "the frame")
        await pilot.pause()

        async def shown(panel_class) -> str:
            panel = app.query_one(panel_class)
            if not panel.size.height:  # at 100x30 a panel of another page: show its page
                await pilot.press(str(page_of(panel_class.title) + 1))
                await wait_until(pilot, lambda: panel.size.height > 0, f"{panel_class.title} on screen")
            return " ".join(panel_text(panel).split())  # wrapped lines joined

        norms = await shown(GradNormsPanel)
        assert "before clipping" in norms and "total" in norms
        assert not any(claim in norms for claim in ("clip off", "not clipped", "CLIPPED", "→"))
        loss = await shown(LossPanel)
        assert "train 1.500" in loss and not any(claim in loss for claim in ("nats", "bpc", "toggles"))
        assert NOT_MEASURED_WATCHED in await shown(MemoryPanel)
        encoding = await shown(EncodingPanel)  # the module's input at the cursor, and the positions most alike
        assert "token · t=0 · the input at this probe" in encoding and "t=1" in encoding
        assert "t=0: peak" in await shown(ConnectivityPanel)  # no predicted character: the axis has labels' letters
        await pilot.press("q")
    watched.close()


def _unloadable_index(run_dir, rows):
    (run_dir / "timeline").mkdir(parents=True)
    frames = [[i, i, 1.7e9 + i, 1.0, None, 2.0, 0] for i in range(rows)]  # no frame file behind any row
    (run_dir / "timeline" / "index.json").write_text(json.dumps(
        {"format": 2, "next_id": rows, "columns": ["id", "step", "wall_time", "train_loss", "val_loss", "loss", "run"],
         "frames": frames}))


def test_a_poll_over_unloadable_rows_is_linear_bounded_and_says_how_many_it_skipped(tmp_path, monkeypatch):
    from rnnscope.storage.timeline import TimelineError, reader
    from rnnscope.watch import attach

    def unloadable(path):
        raise TimelineError(f"{path} is gone")

    monkeypatch.setattr(reader, "_read", unloadable)  # no file work: what is left is the poll's own bookkeeping
    monkeypatch.setattr(attach, "LOAD_S", 1e9)  # every row tried in one poll
    took = {}
    for rows in (2_000, 20_000):
        _unloadable_index(tmp_path / str(rows), rows)
        took[rows] = float("inf")
        for _ in range(3):  # the best of three: a loaded machine's pauses are not the poll's cost
            source = AttachSource(tmp_path / str(rows))
            started = time.perf_counter()
            source.poll()
            took[rows] = min(took[rows], time.perf_counter() - started)
        assert len(source.skipped) == rows and f"{rows:,} frames of the timeline could not be loaded" in source.notice.text
    assert took[20_000] < 30 * took[2_000]  # linear: 10x (a scan of the index per row made it 100x)
    monkeypatch.setattr(attach, "LOAD_S", 0.0)  # the real bound: the rest waits for the next poll
    source = AttachSource(tmp_path / "20000")
    source.poll()
    assert len(source.skipped) == 1 and source.parts()["status"].state == "WAITING"
    source.poll()
    assert len(source.skipped) == 2


def test_attach_to_a_compare_s_folder_names_its_runs(tmp_path):
    from rnnscope.contracts.errors import InputError
    from rnnscope.watch.attach import check_attach_dir

    scope(tmp_path / "a").step(0)
    with pytest.raises(InputError, match="a compare's folder"):
        check_attach_dir(tmp_path)
    (tmp_path / "b").mkdir()
    source = AttachSource(tmp_path)  # a dashboard that waits while the compare makes a/: it says why it waits
    source.poll()
    assert "attach to one of them" in source.notice.text


def test_a_frame_whose_meta_names_no_vocabulary_draws_with_unnamed_characters(tmp_path):
    from rnnscope.storage.timeline import TimelineWriter
    from rnnscope.storage.timeline.facts import UNNAMED
    from rnnscope.ui.render.accents import DEFAULT_ACCENTS
    from rnnscope.ui.render.encoding import render_encoding
    from tests.fake_frames import make_frame

    frame = make_frame()
    for run, meta in (("none", {"model": "lstm"}), ("short", {"model": "lstm", "vocab": ["a", "b"]})):
        TimelineWriter(tmp_path / run).append(frame.probe, wall_time=time.time(), train_loss=1.0, val_loss=None,
                                              memory=None, meta=meta)
        source = AttachSource(tmp_path / run)
        source.poll()
        shown = source.parts()["vocab"]
        assert len(shown) == frame.probe.embedding.shape[0] and shown[-1] == UNNAMED  # one name for every row
        assert shown[: len(meta.get("vocab", []))] == tuple(meta.get("vocab", []))
        for cursor in range(len(frame.probe.ids)):  # it raised IndexError at the first character the meta did not name
            render_encoding(frame.probe, shown, cursor, 60, "truecolor", DEFAULT_ACCENTS)
