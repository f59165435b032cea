"""The engine in its own process: frames and commands cross, failures come back as a reason, quit ends it."""

import dataclasses
import queue
import threading

import pytest

from rnnscope import commands
from rnnscope.core.data import load_corpus
from rnnscope.frames import PAUSED
from rnnscope.tui import engine_source
from tests.core_fixtures import tiny_config, write_corpus


def _run_in_thread(source):
    frames, inbox, stop, errors = queue.Queue(), queue.Queue(), threading.Event(), []

    def target():
        try:
            source.run(frames.put, inbox, stop)
        except Exception as err:  # what the dashboard's source link reports
            errors.append(err)

    thread = threading.Thread(target=target)
    thread.start()
    return frames, inbox, thread, errors


def test_child_trains_on_command_and_quits(tmp_path):
    corpus_path = write_corpus(tmp_path)
    source = engine_source(tiny_config(corpus_path), load_corpus(corpus_path), tmp_path / "run",
                           start_paused=True).start()
    frames, inbox, thread, errors = _run_in_thread(source)
    first = frames.get(timeout=60)
    assert first.status.state == PAUSED and first.probe.layers[0].hidden.shape == (16, 16)
    inbox.put(commands.Step())
    inbox.put(commands.ToggleClip())
    frame = first
    while frame.status.step < 1 or frame.status.clip is not None:
        frame = frames.get(timeout=30)
    assert frame.probe.step == 1
    inbox.put(commands.Quit())
    thread.join(timeout=10)
    assert not thread.is_alive() and not errors
    source.child.join(timeout=5)
    assert source.child.exitcode == 0


def test_a_failing_child_reports_its_reason(tmp_path):
    corpus_path = write_corpus(tmp_path)
    config = dataclasses.replace(tiny_config(corpus_path), probe="qqq")  # not in the corpus: the engine refuses
    source = engine_source(config, load_corpus(corpus_path), tmp_path / "run")
    frames, inbox, thread, errors = _run_in_thread(source)
    thread.join(timeout=60)
    assert not thread.is_alive()
    with pytest.raises(RuntimeError, match="not in the corpus"):
        raise errors[0]
