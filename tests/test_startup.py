"""Start-up without garbage collection, and collection on again in every mode once its start-up is over: a mode
that forgot would run for hours without collecting a cycle."""

import gc
import queue
import threading

import pytest

from rnnscope import startup
from rnnscope.cli import main
from rnnscope.contracts import commands
from rnnscope.exporting import movie
from rnnscope.runner import prepare, run_loop
from rnnscope.runner.engine_source import EngineSource
from tests.core_fixtures import tiny_config, write_corpus
from tests.exporting.test_movie import _timeline
from tests.test_cli import TINY_ARGS
from tests.ui.app_harness import running_app
from tests.ui.fake_source import FakeSource


@pytest.fixture(autouse=True)
def collection_on_afterwards():
    yield
    gc.enable()


def _recording(monkeypatch, module, name, seen, label):
    real = getattr(module, name)

    def recorded(*args, **kwargs):
        seen.setdefault(label, gc.isenabled())
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, recorded)


def test_a_headless_run_starts_without_collection_and_trains_with_it(tmp_path, monkeypatch, capsys):
    seen = {}
    _recording(monkeypatch, prepare, "prepare", seen, "start-up")
    _recording(monkeypatch, run_loop.HeadlessProbes, "tick", seen, "loop")
    corpus = write_corpus(tmp_path)
    assert main([str(corpus), "--headless", *TINY_ARGS, "--steps", "3", "--run-dir", str(tmp_path / "run")]) == 0
    assert seen == {"start-up": False, "loop": True}
    assert gc.isenabled()


def test_a_refused_command_line_leaves_collection_on(tmp_path, capsys):
    assert main([str(tmp_path / "missing.txt"), "--headless", "--steps", "3"]) == 2
    assert gc.isenabled()


def test_the_engine_collects_again_after_its_first_picture(tmp_path):
    corpus = write_corpus(tmp_path)
    source = EngineSource(tiny_config(corpus), str(corpus), tmp_path / "run", threads=1, start_paused=True)
    seen, inbox = [], queue.Queue()

    def publish(_parts):
        seen.append(gc.isenabled())
        inbox.put(commands.Quit())

    startup.starting()  # as the engine's process does (engine_process.child_main)
    thread = threading.Thread(target=source.run, args=(publish, inbox))
    thread.start()
    thread.join(timeout=60)
    assert seen[0] is False and gc.isenabled()


async def test_the_dashboard_collects_again_once_its_panels_are_up():
    startup.starting()  # as `rnnscope` does before the dashboard's imports
    async with running_app(FakeSource()) as (app, pilot):
        await pilot.pause()
        assert app.dashboard.panels and gc.isenabled()


def test_a_film_is_rendered_with_collection_on(tmp_path, monkeypatch, capsys):
    seen = {}
    monkeypatch.setattr(movie, "MAX_FRAMES", 2)
    _recording(monkeypatch, movie, "frames_rgb", seen, "render")
    _timeline(tmp_path / "run", range(0, 40, 10))

    def write_gif(images, path):  # the encoder is not what this test is about
        frames = list(images)
        path.write_bytes(b"GIF89a")
        return len(frames)

    monkeypatch.setattr(movie, "write_gif", write_gif)
    assert main(["--movie", str(tmp_path / "run"), str(tmp_path / "film.gif")]) == 0
    assert seen == {"render": True}
