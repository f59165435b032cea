"""The one timeline recorder (rnnscope.storage.timeline.recorder), as an engine hook: each probe after_probe hands it
becomes a frame whose meta the facts read back; a folder that cannot take a frame stops it with one notice."""

import dataclasses

from rnnscope.storage.timeline import TimelineReader
from rnnscope.storage.timeline.facts import last_step, settings, vocab
from rnnscope.storage.timeline.frame_meta import FrameMeta
from rnnscope.storage.timeline.heartbeat import read_heartbeat
from rnnscope.storage.timeline.recorder import Beside, TimelineRecorder
from tests.fake_frames import make_frame

META = FrameMeta(model="gru", clip=0.0, init="xavier", vocab=("a", "b"), grad_step=4, grad_norms={"w": 2.0, "b": None},
                 grad_total=2.0)


class _Engine:
    """What `beside` reads of an engine here: only the step it is at."""

    def __init__(self, step: int) -> None:
        self.step = step


def _beside(engine: _Engine) -> Beside:
    return Beside(train_loss=1.5, val_loss=None, memory=None, meta=dataclasses.replace(META, grad_step=engine.step))


def test_each_probe_after_probe_hands_it_is_a_frame_the_facts_read_back(tmp_path):
    notices = []
    recorder = TimelineRecorder(tmp_path, "rnnscope gru 1x5", notices.append, beside=_beside)
    probe = make_frame("gru", T=6, H=5, V=4).probe
    assert read_heartbeat(tmp_path) is None and not recorder.writes
    for step in (0, 3):
        recorder.after_probe(_Engine(step), dataclasses.replace(probe, step=step))
    recorder.end(3)
    reader = TimelineReader(tmp_path)
    entries = reader.index()
    frame = reader.load(entries[-1].id)
    assert [e.step for e in entries] == [0, 3] and entries[-1].train_loss == 1.5 and notices == []
    assert FrameMeta.decode(frame.meta) == dataclasses.replace(META, grad_step=3)
    assert settings(frame.meta) == {"clip": None, "init": "xavier"} and vocab(frame.meta) == ("a", "b")
    assert last_step(frame).grad_norms == {"w": 2.0} and last_step(frame).total_pre == 2.0
    beat = read_heartbeat(tmp_path)
    assert (beat.state, beat.step, beat.model) == ("ended", 3, "rnnscope gru 1x5")


def test_a_folder_that_cannot_take_a_frame_stops_it_with_one_notice(tmp_path):
    (tmp_path / "timeline").write_text("a file where the folder goes")
    notices = []
    recorder = TimelineRecorder(tmp_path, "rnnscope gru 1x5", notices.append, beside=_beside)
    probe = make_frame("gru", T=6, H=5, V=4).probe
    for step in range(3):
        recorder.after_probe(_Engine(step), dataclasses.replace(probe, step=step))
    assert len(notices) == 1 and notices[0].startswith("timeline stopped: cannot write") and not recorder.writes
