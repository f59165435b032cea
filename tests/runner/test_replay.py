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
from tests.runner.test_cli import TINY_ARGS


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
