"""The film's render time: 300 timeline frames of the default LSTM (H=128, E=32, T=64) to a GIF.

    python benchmarks/movie_render.py [--frames 300] [--threads 1]

The frames are real probes of one model (its weights do not change: the render does not care), written with the
run's TimelineWriter to a scratch folder; then `rnnscope --movie` renders them. Prints the seconds per frame of the
render, the encode and the whole, and the GIF's size.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from rnnscope.contracts.config import RunConfig
from rnnscope.exporting import movie
from rnnscope.measuring.probe import run_probe
from rnnscope.storage.corpus_file import bundled_sample_path
from rnnscope.storage.timeline import TimelineReader, TimelineWriter
from rnnscope.training.data import load_corpus
from rnnscope.training.device import configure_threads
from rnnscope.training.model import build_model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=300)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    configure_threads(args.threads)
    config = RunConfig()
    corpus = load_corpus(bundled_sample_path())
    model = build_model(config, len(corpus.vocab))
    ids = np.asarray(corpus.val[: config.seq_len + 1], dtype=np.int64)  # [T+1]
    text = "".join(corpus.vocab[i] for i in ids)
    with tempfile.TemporaryDirectory() as scratch:
        run_dir = Path(scratch)
        writer = TimelineWriter(run_dir)
        for step in range(args.frames):
            probe = run_probe(model, ids[:-1], ids[1:], text, step * 10)
            writer.append(probe, wall_time=time.time(), train_loss=4.0 - step / args.frames, val_loss=None,
                          memory=None, meta={"model": "lstm"})
        sides = [movie.Side("", TimelineReader(run_dir), TimelineReader(run_dir).index())]
        started = time.perf_counter()
        images = list(movie.frames_rgb(sides, args.frames))
        rendered = time.perf_counter()
        count = movie.write_gif(iter(images), run_dir / "film.gif")
        done = time.perf_counter()
        size = (run_dir / "film.gif").stat().st_size
    print(f"{count} frames of {images[0].shape[1]}x{images[0].shape[0]}: render {rendered - started:.1f} s "
          f"({(rendered - started) / count * 1000:.0f} ms/frame), GIF encode {done - rendered:.1f} s, "
          f"total {done - started:.1f} s, {size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
