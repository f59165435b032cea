"""--movie: a timeline rendered as a GIF of at most MAX_FRAMES frames spread over the run, each titled with its
step and loss; bad inputs are one line and exit 2."""

import dataclasses

import pytest

from rnnscope.cli import main
from rnnscope.exporting import movie
from rnnscope.storage.timeline import TimelineReader, TimelineWriter
from tests.fake_frames import make_frame


def _timeline(run_dir, steps, model="lstm"):
    writer, probe = TimelineWriter(run_dir), make_frame(model, T=12, H=6, V=5).probe
    for step in steps:
        writer.append(dataclasses.replace(probe, step=step), wall_time=1000.0 + step,
                      train_loss=None if step == 0 else 3.0 - step / 1000, val_loss=None, memory=None,
                      meta={"model": model})


def test_at_most_300_frames_spread_over_a_2000_step_run_the_first_and_last_among_them(tmp_path):
    _timeline(tmp_path, range(0, 2000, 4))  # a frame every 4 steps: 500 frames
    entries = TimelineReader(tmp_path).index()
    picked = movie.chosen(entries)
    assert len(picked) == movie.MAX_FRAMES == 300
    assert picked[0].step == 0 and picked[-1].step == 1996
    gaps = {b.step - a.step for a, b in zip(picked, picked[1:])}
    assert gaps <= {4, 8}  # evenly spread: every frame or every other
    assert [movie.frame_title("", e) for e in (picked[0], picked[150])] == [
        f"step 0 · loss {entries[0].loss:.3f}", f"step {picked[150].step:,} · loss {picked[150].train_loss:.3f}"]
    assert movie.frame_title("B", picked[-1]) == "B · step 1,996 · loss 1.004"
    assert movie.chosen(entries[:7]) == entries[:7]


@pytest.mark.slow
def test_the_gif_has_one_frame_per_chosen_frame_and_a_compare_is_side_by_side(tmp_path, monkeypatch, capsys):
    from PIL import Image

    monkeypatch.setattr(movie, "MAX_FRAMES", 4)
    _timeline(tmp_path / "run", range(0, 2000, 100))
    assert main(["--movie", str(tmp_path / "run"), str(tmp_path / "film.gif")]) == 0
    with Image.open(tmp_path / "film.gif") as gif:
        assert gif.n_frames == 4 and gif.size == (800, 480)
    assert "wrote" in capsys.readouterr().err and [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    _timeline(tmp_path / "pair" / "a", range(0, 2000, 100))
    _timeline(tmp_path / "pair" / "b", range(0, 2000, 150), model="gru")
    assert main(["--movie", str(tmp_path / "pair"), str(tmp_path / "pair.gif")]) == 0
    with Image.open(tmp_path / "pair.gif") as gif:
        assert gif.n_frames == 4 and gif.size == (1600, 480)


@pytest.mark.parametrize("case, words", [
    ("no folder", "no such folder"),
    ("no timeline", "has no timeline"),
    ("unknown format", "writes .gif or .mp4"),
    ("unwritable", "cannot write"),
    ("output is a folder", "is a folder"),
    ("other options", "takes no other options"),
])
def test_bad_inputs_are_one_line_and_exit_2(tmp_path, capsys, case, words):
    _timeline(tmp_path / "run", [0, 10])
    (tmp_path / "empty").mkdir()
    (tmp_path / "folder.gif").mkdir()
    run, out = str(tmp_path / "run"), str(tmp_path / "film.gif")
    argv = {"no folder": [str(tmp_path / "missing"), out], "no timeline": [str(tmp_path / "empty"), out],
            "unknown format": [run, str(tmp_path / "film.avi")], "unwritable": [run, "/proc/no/film.gif"],
            "output is a folder": [run, str(tmp_path / "folder.gif")]}.get(case, [run, out])
    extra = ["--hidden", "8"] if case == "other options" else []
    assert main(["--movie", *argv, *extra]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and words in err and "Traceback" not in err
    assert not (tmp_path / "film.gif").exists()


def test_corrupt_frames_are_skipped_and_counted_not_the_whole_film(tmp_path, monkeypatch, capsys):
    import os

    from PIL import Image

    from rnnscope.storage.timeline.index import frame_name

    monkeypatch.setattr(movie, "MAX_FRAMES", 6)
    _timeline(tmp_path / "run", [0, 10, 20, 30, 40, 50])
    entries = TimelineReader(tmp_path / "run").index()
    for entry, kind in zip(entries[1::2], ("garbage", "fifo", "gone")):
        bad = tmp_path / "run" / "timeline" / frame_name(entry.id)
        bad.unlink()
        if kind == "garbage":
            bad.write_bytes(b"PK\x03\x04 torn")
        elif kind == "fifo":
            os.mkfifo(bad)
    assert main(["--movie", str(tmp_path / "run"), str(tmp_path / "film.gif")]) == 0
    with Image.open(tmp_path / "film.gif") as gif:
        assert gif.n_frames == 3
    lines = [line for line in capsys.readouterr().err.splitlines() if line]  # the progress bar leaves a blank one
    assert len(lines) == 1 and "3 frames of steps 0-50" in lines[0] and "3 frame(s) skipped" in lines[0]


def test_a_film_of_frames_none_of_which_loads_is_one_line_and_no_file(tmp_path, capsys):
    _timeline(tmp_path / "run", [0, 10])
    for path in (tmp_path / "run" / "timeline").glob("frame-*.npz"):
        path.write_bytes(b"garbage")
    assert main(["--movie", str(tmp_path / "run"), str(tmp_path / "film.gif")]) == 2
    lines = [line for line in capsys.readouterr().err.splitlines() if line]
    assert len(lines) == 1 and "none of its 2 frames could be loaded" in lines[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


@pytest.mark.slow
def test_sigterm_sighup_or_ctrl_c_mid_film_leaves_no_temporary_and_no_partial_film(tmp_path):
    import signal
    import subprocess
    import sys
    import time

    _timeline(tmp_path / "run", range(0, 400, 4))  # 100 frames: 20 s or more to render
    films = {}
    for signum in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        out = tmp_path / signum.name
        out.mkdir()
        films[signum] = out, subprocess.Popen([sys.executable, "-m", "rnnscope", "--movie", str(tmp_path / "run"),
                                               str(out / "f.gif")], stderr=subprocess.PIPE, text=True)
    time.sleep(4)  # rendering under way
    for signum, (_out, film) in films.items():
        assert film.poll() is None, film.stderr.read()
        film.send_signal(signum)
    for signum, (out, film) in films.items():
        err = film.communicate(timeout=60)[1]
        said = "interrupted" if signum == signal.SIGINT else f"stopped by {signum.name}"
        assert film.returncode == 128 + signum and list(out.iterdir()) == []
        assert said in err and "Traceback" not in err


def test_a_watched_model_s_loss_is_not_labelled_in_nats_per_character():
    import numpy as np
    from matplotlib.figure import Figure

    from rnnscope.exporting.movie import _loss

    loss = np.array([[1.0, 3.0], [2.0, 2.5]])  # [2, 2]
    own, watched = Figure().add_subplot(), Figure().add_subplot()
    _loss(own, loss, 2)
    _loss(watched, loss, 2, own=False)
    assert "nats / char" in own.get_title() and "nats" not in watched.get_title()


def test_a_frame_takes_the_memory_of_the_snapshot_at_its_step(tmp_path):
    import dataclasses
    import json

    from rnnscope.exporting.movie import with_snapshot_memory
    from rnnscope.storage.snapshot_io import memory_to_json
    from tests.fake_frames import make_frame

    frame = make_frame(step=1200)
    older = dataclasses.replace(frame.memory, step=1100, full=2.5)
    recorded = dataclasses.make_dataclass("Recorded", [("memory", object)], frozen=True)(older)  # as the timeline
    # recorded it: the memory measured last before the probe, at step 1,100
    assert with_snapshot_memory(recorded, tmp_path, 1200).memory is older  # no snapshot at 1,200: as recorded
    folder = tmp_path / "step-001200"
    folder.mkdir()
    (folder / "meta.json").write_text(json.dumps({"memory": memory_to_json(frame.memory)}))
    taken = with_snapshot_memory(recorded, tmp_path, 1200).memory
    assert taken.step == 1200 and taken.full == frame.memory.full  # the snapshot's, measured at the frame's step


def test_the_gif_s_frame_count_is_what_the_file_holds(tmp_path):
    import numpy as np
    from PIL import Image

    from rnnscope.exporting.movie import write_gif

    black, white = np.zeros((8, 8, 3), np.uint8), np.full((8, 8, 3), 255, np.uint8)
    path = tmp_path / "film.gif"
    count = write_gif(iter([black, black, white]), path)  # two identical neighbours: Pillow keeps one of them
    with Image.open(path) as gif:
        assert count == gif.n_frames == 2


def test_the_flow_subplot_title_is_wrapped_not_cut():
    from matplotlib.figure import Figure

    from rnnscope.exporting.movie import TITLE_CHARS, _flow
    from tests.fake_frames import make_frame

    ax = Figure().add_subplot()
    _flow(ax, make_frame(layers=3))  # three layers' verdicts: one line would run past the subplot
    lines = ax.get_title().split("\n")
    assert len(lines) > 1 and all(len(line) <= TITLE_CHARS for line in lines) and "l2" in ax.get_title()
