"""The engine in its own process: updates and commands cross, failures come back as a reason, Quit ends it,
an export in progress is finished before the process ends, SIGTERM abandons it without debris."""

import asyncio
import dataclasses
import os
import signal
import time
from pathlib import Path

import pytest

from rnnscope.contracts import commands
from rnnscope.contracts.frames import PAUSED
from rnnscope.contracts.parts import PartStore
from rnnscope.runner import engine_process
from rnnscope.runner.tui import engine_client
from rnnscope.storage.timeline.heartbeat import read_heartbeat
from rnnscope.training.data import load_corpus
from tests.core_fixtures import tiny_config, tiny_engine, write_corpus


async def _collect(client, until, timeout=60.0):
    """Connect on this loop; receive updates until `until(frame)` holds; the failure reason if there is one."""
    store, done, failures = PartStore(), asyncio.Event(), []

    def deliver(updates):
        for update in updates:
            store.receive(update)
        if until(store.frame()):
            done.set()

    def fail(reason):
        failures.append(reason)
        done.set()

    client.connect(deliver, fail)
    await asyncio.wait_for(done.wait(), timeout)
    return store, failures


def _client(tmp_path, **changes):
    corpus_path = write_corpus(tmp_path)
    config = dataclasses.replace(tiny_config(corpus_path), **changes)
    return engine_client(config, load_corpus(corpus_path), tmp_path / "run", start_paused=True).start()


@pytest.mark.slow
def test_child_trains_on_command_and_quits(tmp_path):
    client = _client(tmp_path)

    async def scenario():
        store, _ = await _collect(client, lambda f: f is not None and f.probe is not None)
        first = store.frame()
        assert first.status.state == PAUSED and first.probe.layers[0].hidden.shape == (16, 16)
        client.send(commands.Step())
        client.send(commands.ToggleClip())
        store, failures = await _collect(client, lambda f: f.status.step == 1 and f.status.config.clip is None)
        client.stop()
        return store.frame(), failures

    frame, failures = asyncio.run(scenario())
    said = []
    started = time.perf_counter()
    client.finish(say=said.append)
    print(f"quit took {time.perf_counter() - started:.2f} s")
    assert frame.probe.step == 1 and not failures
    assert client.process.exitcode == 0 and not said  # nothing in progress: it quits at once
    assert read_heartbeat(tmp_path / "run").state == "ended"  # `rnnscope --attach` says ENDED, not STALE


@pytest.mark.slow
def test_a_child_ended_by_sigterm_marks_its_run_ended(tmp_path):
    client = _client(tmp_path)
    asyncio.run(_collect(client, lambda f: f is not None and f.probe is not None))
    assert read_heartbeat(tmp_path / "run").state == "running"
    os.kill(client.process.pid, signal.SIGTERM)
    client.process.join(30)
    assert client.process.exitcode == 128 + signal.SIGTERM
    assert read_heartbeat(tmp_path / "run").state == "ended"
    client.finish(say=lambda line: None)


@pytest.mark.slow
def test_a_failing_child_reports_its_reason(tmp_path):
    client = _client(tmp_path, probe="qqq")  # not in the corpus: the engine refuses

    async def scenario():
        return await _collect(client, lambda f: False)

    _, failures = asyncio.run(scenario())
    client.finish()
    assert len(failures) == 1 and "not in the corpus" in failures[0]


@pytest.mark.slow
def test_quit_right_after_export_finishes_the_export(tmp_path):
    client = _client(tmp_path)

    async def scenario():
        await _collect(client, lambda f: f is not None and f.probe is not None)
        client.send(commands.Export())
        client.stop()

    asyncio.run(scenario())
    client.finish(say=lambda line: None)
    run_dir = tmp_path / "run"
    assert (run_dir / "step-000000" / "meta.json").is_file()
    assert not [p for p in run_dir.iterdir() if p.name.startswith(".tmp-")]


@pytest.mark.slow
def test_a_big_command_sent_before_the_start_neither_blocks_nor_is_lost(tmp_path):
    corpus_path = write_corpus(tmp_path)
    client = engine_client(tiny_config(corpus_path), load_corpus(corpus_path), tmp_path / "run", start_paused=True)
    screen = "<svg>" + "x" * 1_000_000 + "</svg>"  # far more than a pipe holds while nobody reads it
    import threading

    sender = threading.Thread(target=client.send, args=(commands.Export(screen_svg=screen),), daemon=True)
    sender.start()  # a key pressed before the app started the engine
    sender.join(2.0)
    assert not sender.is_alive(), "the send blocked the dashboard's event loop"
    client.start()

    async def scenario():
        await _collect(client, lambda f: f is not None and f.probe is not None and f.notice is not None)
        client.stop()

    asyncio.run(scenario())
    client.finish(say=lambda line: None)
    assert (tmp_path / "run" / "step-000000" / "screen.svg").read_text() == screen


def test_sigterm_during_an_export_removes_its_temporary_folder(tmp_path, monkeypatch):
    from rnnscope.exporting import export
    engine = tiny_engine(tmp_path)
    engine.refresh_probe()
    written = export._write_contents

    def write_then_terminated(folder, *args):
        written(folder, *args)
        os.kill(os.getpid(), signal.SIGTERM)  # arrives while the folder is still temporary

    monkeypatch.setattr(export, "_write_contents", write_then_terminated)
    previous = signal.signal(signal.SIGTERM, engine_process._abandon)
    try:
        with pytest.raises(SystemExit) as ended:
            engine.export()
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert ended.value.code == 128 + signal.SIGTERM
    assert [p.name for p in (tmp_path / "run").iterdir()] == ["timeline"]  # the run's timeline, no export


def test_the_command_reader_turns_a_closed_dashboard_end_into_quit():
    import multiprocessing as mp
    import queue
    import threading

    commands_in, commands_out = mp.Pipe(duplex=False)
    inbox = queue.Queue()
    reader = threading.Thread(target=engine_process.read_commands, args=(commands_in, inbox), daemon=True)
    reader.start()
    commands_out.send(commands.Step())
    commands_out.close()  # the dashboard quit or died
    reader.join(5)
    assert not reader.is_alive()
    assert [type(inbox.get_nowait()) for _ in range(2)] == [commands.Step, commands.Quit]


ORPHAN_SCRIPT = """
import sys, time
from pathlib import Path
from rnnscope.training.data import load_corpus
from rnnscope.storage.timeline.heartbeat import read_heartbeat
from rnnscope.runner.tui import engine_client
from tests.core_fixtures import tiny_config
corpus = Path(sys.argv[1])
client = engine_client(tiny_config(corpus), load_corpus(corpus), Path(sys.argv[2]), start_paused=True).start()
client._updates.poll(60)  # its first picture is out: paused, it now only waits for commands (sends nothing)
print(client.process.pid, flush=True)
time.sleep(600)
"""


@pytest.mark.slow
def test_an_orphaned_engine_quits_when_the_dashboard_is_killed(tmp_path):
    import subprocess
    import sys

    corpus_path = write_corpus(tmp_path)
    dashboard = subprocess.Popen([sys.executable, "-c", ORPHAN_SCRIPT, str(corpus_path), str(tmp_path / "run")],
                                 stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parents[2])
    child = int(dashboard.stdout.readline())
    dashboard.kill()  # SIGKILL: no Quit is ever sent
    dashboard.wait()
    deadline = time.monotonic() + 60
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(child), "the engine kept training after its dashboard died"


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has exited
    except FileNotFoundError:
        return False
