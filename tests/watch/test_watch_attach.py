"""--attach: the source that follows another process's timeline, the dashboard on it, the command line."""

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
from rnnscope.storage.timeline.index import frame_name
from rnnscope.ui.app import make_app
from rnnscope.watch.attach import UNAVAILABLE, AttachSource
from rnnscope.watch.heartbeat import Heartbeat, read_heartbeat, write_heartbeat
from tests.ui.app_harness import notifications, status_text, wait_until


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
    assert parts["probe"].step == 0 and "frame of step 1 skipped" in parts["notice"].text
    watched.step(2, loss=0.5)
    source.poll()
    assert source.parts()["probe"].step == 2 and source.parts()["loss_history"].tolist()[-1] == [2.0, 0.5]
    watched.close()
    source.poll()
    assert source.parts()["status"].state == "ENDED"


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
        for step in range(3):
            watched.step(step, loss=1.0)
            written = time.monotonic()
            await wait_until(pilot, lambda: app.latest is not None and app.latest.probe is not None
                             and app.latest.probe.step == step, f"step {step} on screen")  # noqa: B023 (called at once, inside the loop)
            assert time.monotonic() - written < 1.0
        assert "WATCHING" in status_text(app) and "step 2" in status_text(app) and "GRU 2x5" in status_text(app)
        assert app.check_action("toggle_pause", ()) is None and app.check_action("move_cursor", (1,)) is True
        await pilot.press("right")
        assert app.view.cursor_t == 1
        app.client.send(commands.Reset())  # what r would send, were it not greyed
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
    from tests.runner.test_cli import TINY_ARGS

    corpus, run_dir = write_corpus(tmp_path), tmp_path / "run"
    assert main([str(corpus), "--headless", *TINY_ARGS, "--steps", "6", "--export-every", "3",
                 "--run-dir", str(run_dir)]) == 0
    assert read_heartbeat(run_dir).state == "ended"
    app = make_app(lambda: AttachSource(run_dir), run_label="attached", steering=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(pilot, lambda: "ENDED" in status_text(app) and "step 6" in status_text(app), "ENDED")
        await pilot.press("comma")
        await wait_until(pilot, lambda: "REVIEW step 3" in status_text(app), "the review on the status line")
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
    for path, words in ((tmp_path / "file", "not a folder"), (tmp_path / "no" / "such", "neither it nor")):
        with pytest.raises(InputError, match=words):
            check_attach_dir(path)
    assert main(["--attach", str(tmp_path / "file")]) == 2
    assert capsys.readouterr().err.count("\n") == 1
