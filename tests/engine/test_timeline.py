"""The engine records every probe it computes in RUN_DIR/timeline/, and a folder that refuses it stops only that."""

from __future__ import annotations

import numpy as np

from rnnscope.storage.timeline import TimelineReader
from tests.core_fixtures import tiny_engine


def test_every_probe_the_engine_computes_is_recorded(tmp_path):
    engine = tiny_engine(tmp_path, model="gru")
    engine.budget.budget = 1e9  # room for the memory pass at the validation
    engine.refresh_probe()
    for _ in range(6):  # a validation at step 5 sets val_loss and memory
        engine.train_step()
    engine.refresh_probe()
    reader = TimelineReader(engine.run_dir)
    entries = reader.index()
    assert [e.step for e in entries] == [0, 6]
    assert entries[0].train_loss is None and entries[1].val_loss == engine.frame().val_history[-1, 1]
    last = reader.load(entries[-1].id)
    np.testing.assert_allclose(last.probe.layers[0].hidden, engine.probe.layers[0].hidden, atol=1e-3)
    assert last.memory.step == 5 and last.meta["model"] == "gru"


def test_an_unwritable_timeline_is_one_notice_and_training_goes_on(tmp_path):
    engine = tiny_engine(tmp_path)
    engine.run_dir.mkdir(parents=True)
    (engine.run_dir / "timeline").write_text("a file where the folder goes")
    engine.refresh_probe()
    assert engine.notice.level == "warning" and engine.notice.text.startswith("timeline stopped: cannot write")
    seq = engine.notice.seq
    engine.train_step()
    engine.refresh_probe()
    assert engine.step == 1 and engine.probe.step == 1 and engine.notice.seq == seq  # said once


def test_a_headless_compare_records_both_sides_from_the_first_step(tmp_path, capsys):
    from rnnscope.cli import main
    from tests.core_fixtures import write_corpus

    corpus, run_dir = write_corpus(tmp_path), tmp_path / "run"
    assert main([str(corpus), "--headless", "--steps", "3", "--hidden", "8", "--embed", "4", "--seq-len", "16",
                 "--batch", "2", "--threads", "1", "--run-dir", str(run_dir), "--compare", "clip=0"]) == 0
    for side in ("a", "b"):
        reader = TimelineReader(run_dir / side)
        entries = reader.index()
        assert entries[0].step == 0 and reader.load(entries[0].id).meta["clip"] == (1.0 if side == "a" else None)


def test_a_paused_run_keeps_its_heartbeat_and_its_end_marks_it_ended(tmp_path):
    from rnnscope.storage.timeline.heartbeat import BEAT_EVERY_S, read_heartbeat

    engine = tiny_engine(tmp_path)
    engine.alive()  # before the first frame: this run does not write the timeline yet, so no heartbeat
    assert read_heartbeat(engine.run_dir) is None
    engine.refresh_probe()
    first = read_heartbeat(engine.run_dir)
    assert first.state == "running" and first.step == 0 and first.model == "rnnscope lstm 1x16"
    engine.alive()  # within BEAT_EVERY_S of the last beat: not rewritten
    assert read_heartbeat(engine.run_dir) == first
    engine.timeline.heartbeat.written_at -= BEAT_EVERY_S  # as if paused that long since
    engine.alive()
    beat = read_heartbeat(engine.run_dir)
    assert beat.state == "running" and beat.time > first.time
    engine.end_run()
    assert read_heartbeat(engine.run_dir).state == "ended"


def test_a_headless_run_records_its_last_step_and_ends_its_heartbeat_there(tmp_path):
    from rnnscope.cli import main
    from rnnscope.storage.timeline.heartbeat import read_heartbeat
    from tests.core_fixtures import write_corpus

    corpus, run_dir = write_corpus(tmp_path), tmp_path / "run"
    assert main([str(corpus), "--headless", "--steps", "7", "--hidden", "8", "--embed", "4", "--seq-len", "16",
                 "--batch", "2", "--threads", "1", "--run-dir", str(run_dir)]) == 0
    entries = TimelineReader(run_dir).index()
    assert entries[0].step == 0 and entries[-1].step == 7 and entries[-1].train_loss is not None
    beat = read_heartbeat(run_dir)
    assert beat.state == "ended" and beat.step == 7  # --attach: ENDED at step 7, the film ends where the run did


def test_a_headless_run_prints_the_warning_of_its_last_probe(tmp_path, monkeypatch, capsys):
    from rnnscope.cli import main
    from rnnscope.runner.headless_probes import HeadlessProbes
    from rnnscope.storage.timeline import TimelineWriter
    from tests.core_fixtures import write_corpus
    from tests.test_cli import TINY_ARGS

    real_last = HeadlessProbes.last

    def disk_full_at_the_end(self):
        def append(*_args, **_kwargs):
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(TimelineWriter, "append", append)
        return real_last(self)

    monkeypatch.setattr(HeadlessProbes, "last", disk_full_at_the_end)
    corpus = write_corpus(tmp_path)
    assert main([str(corpus), "--headless", *TINY_ARGS, "--steps", "3", "--run-dir", str(tmp_path / "run")]) == 0
    err = capsys.readouterr().err
    assert "rnnscope: warning: timeline stopped: cannot write" in err and "No space left" in err
