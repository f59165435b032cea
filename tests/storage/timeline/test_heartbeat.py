"""The heartbeat file (storage.timeline.heartbeat): written atomically, read back validated, judged WATCHING / ENDED / STALE."""

import json
import os
import socket
import subprocess
import sys

import pytest

from rnnscope.storage.timeline.heartbeat import (
    ENDED,
    FILE_NAME,
    STALE_AFTER_S,
    Heartbeat,
    HeartbeatError,
    heartbeat_path,
    read_heartbeat,
    write_heartbeat,
    writer_state,
)


def test_a_heartbeat_round_trips_and_leaves_no_temporary_file(tmp_path):
    (tmp_path / "timeline").mkdir()
    beat = Heartbeat.starting("LSTM 2x8 in 4", rank=0).beat(12)
    write_heartbeat(tmp_path, beat)
    assert read_heartbeat(tmp_path) == beat
    assert os.listdir(tmp_path / "timeline") == [FILE_NAME]
    assert read_heartbeat(tmp_path / "nothing-here") is None


def test_states_running_ended_stale():
    beat = Heartbeat.starting("GRU 1x4 in 2")
    assert writer_state(beat) == "WATCHING"
    assert writer_state(beat.beat(3, ENDED)) == "ENDED"
    assert writer_state(beat, now=beat.time + STALE_AFTER_S + 1) == "STALE"
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead = Heartbeat(int(gone.stdout), socket.gethostname(), 0, "m", 1, beat.time, "running", beat.time)
    assert writer_state(dead, now=beat.time) == "STALE"  # same host, the process is gone
    elsewhere = Heartbeat(int(gone.stdout), "another-host", 0, "m", 1, beat.time, "running", beat.time)
    assert writer_state(elsewhere, now=beat.time) == "WATCHING"  # another host's pid cannot be judged here


@pytest.mark.parametrize("content", [b"\xff\xfe", b"[1, 2]", b"{}", b'{"pid": "1"}', b"not json"])
def test_a_malformed_heartbeat_is_one_error(tmp_path, content):
    heartbeat_path(tmp_path).parent.mkdir()
    heartbeat_path(tmp_path).write_bytes(content)
    with pytest.raises(HeartbeatError, match="heartbeat|field"):
        read_heartbeat(tmp_path)


def test_wrong_field_values_are_refused(tmp_path):
    good = json.loads(json.dumps(Heartbeat.starting("m").__dict__))
    heartbeat_path(tmp_path).parent.mkdir()
    for name, value in [("time", float("inf")), ("state", "zombie"), ("rank", True), ("host", None)]:
        heartbeat_path(tmp_path).write_text(json.dumps(dict(good, **{name: value})))
        with pytest.raises(HeartbeatError):
            read_heartbeat(tmp_path)
