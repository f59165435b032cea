"""Time and peak memory to load a large corpus (default 100 MB, the bundled sample repeated).

    python benchmarks/load_corpus.py [--mb 100] [--unicode]
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from rnnscope.storage.corpus_file import bundled_sample_path
from rnnscope.training.data import load_corpus


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=100)
    parser.add_argument("--unicode", action="store_true", help="add non-ASCII characters (slower path)")
    args = parser.parse_args()
    sample = bundled_sample_path().read_text(encoding="utf-8")
    if args.unicode:
        sample = sample.replace("e", "é").replace("o", "ø")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "big.txt"
        copies = max(1, args.mb * 1_000_000 // len(sample.encode("utf-8")))
        path.write_text(sample * copies, encoding="utf-8")
        size_mb = path.stat().st_size / 1e6
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        started = time.perf_counter()
        corpus = load_corpus(path)
        elapsed = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{size_mb:.0f} MB, {len(corpus.ids):,} chars, vocab {len(corpus.vocab)}, ids {corpus.ids.dtype}: "
          f"loaded in {elapsed:.2f} s; peak RSS {peak:.0f} MB (before loading {before:.0f} MB)")


if __name__ == "__main__":
    main()
