"""Corpus loading, encoding, the 90/10 split and reproducible batches."""

import numpy as np
import pytest

from rnnscope.storage.corpus_file import CorpusError, bundled_sample_path, min_corpus_chars
from rnnscope.training.data import BatchSampler, load_corpus, validation_batches


def test_vocab_ids_and_split_round_trip(tmp_path):
    text = "hello wörld\nthe end ✓ " * 50
    path = tmp_path / "c.txt"
    path.write_text(text, encoding="utf-8")
    corpus = load_corpus(path)
    assert corpus.vocab == tuple(sorted(set(text)))
    assert corpus.decode(corpus.ids) == text
    assert corpus.n_train == int(len(text) * 0.9)
    assert corpus.decode(corpus.train) + corpus.decode(corpus.val) == text
    assert corpus.ids.dtype == np.uint8  # compact: one byte per character for small vocabularies


def test_wide_vocabulary_uses_wider_ids(tmp_path):
    text = "".join(chr(0x4E00 + i) for i in range(300)) * 3
    path = tmp_path / "c.txt"
    path.write_text(text, encoding="utf-8")
    corpus = load_corpus(path)
    assert corpus.ids.dtype == np.uint16
    assert corpus.decode(corpus.ids) == text


def test_other_encoding(tmp_path):
    path = tmp_path / "latin.txt"
    path.write_bytes("café crème brûlée\n".encode("latin-1") * 20)
    with pytest.raises(CorpusError, match="--encoding"):
        load_corpus(path)
    assert "é" in load_corpus(path, encoding="latin-1").vocab


@pytest.mark.parametrize("content, message", [
    (b"", "is empty"),
    (b"\x00\x01\x02binary\x00" * 10, "binary"),
    (b"\xff\xfe\xfa not utf8" * 10, "not valid utf-8"),
])
def test_unusable_files(tmp_path, content, message):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(CorpusError, match=message):
        load_corpus(path)


def test_missing_folder_and_short(tmp_path):
    with pytest.raises(CorpusError, match="does not exist"):
        load_corpus(tmp_path / "nope.txt")
    with pytest.raises(CorpusError, match="is a folder"):
        load_corpus(tmp_path)
    path = tmp_path / "short.txt"
    path.write_text("abc" * 20)
    with pytest.raises(CorpusError, match="needs at least"):
        load_corpus(path, min_chars=min_corpus_chars(64, 64))


def test_probe_with_unknown_characters(tmp_path):
    path = tmp_path / "c.txt"
    path.write_text("abcabc" * 100)
    with pytest.raises(CorpusError, match="'z'"):
        load_corpus(path).encode("abz")


def test_batches_reproducible_and_shifted(tmp_path):
    ids = np.arange(1000, dtype=np.uint16) % 37
    a, b = BatchSampler(ids, 16, 4, seed=3), BatchSampler(ids, 16, 4, seed=3)
    x1, y1 = a.next()
    x2, y2 = b.next()
    assert np.array_equal(x1, x2) and np.array_equal(y1, y2)
    assert x1.shape == (4, 16) and x1.dtype == np.int64
    assert np.array_equal(x1[:, 1:], y1[:, :-1])  # targets are the inputs shifted by one
    state = a.state()
    nxt = a.next()
    a.set_state(state)
    assert np.array_equal(a.next()[0], nxt[0])
    assert not np.array_equal(BatchSampler(ids, 16, 4, seed=4).next()[0], x1)


def test_validation_batches_fixed_and_in_range():
    val = np.arange(200, dtype=np.uint8)
    first = validation_batches(val, 16, 4, 2)
    again = validation_batches(val, 16, 4, 2)
    assert all(np.array_equal(x, y) for (x, _), (y, _) in zip(first, again))
    assert sum(len(x) for x, _ in first) == 8
    assert max(int(y.max()) for _, y in first) <= 199


def test_bundled_sample_is_installed():
    path = bundled_sample_path()
    assert path.is_file() and path.stat().st_size > 1_000_000


CHECKED_TEXTS = [  # (bytes, encoding)
    ("hello wörld\nthe end ✓ ".encode() * 50, "utf-8"),
    ("café crème brûlée\n".encode("latin-1") * 20, "latin-1"),
    (b"plain ascii, Mixed Case; punctuation!\n" * 30, "utf-8"),
    (b"x" * 400, "ascii"),
    ("".join(chr(0x4E00 + i) for i in range(300)).encode("utf-16") * 3, "utf-16"),
    (b"\\ud800 escaped surrogate " * 40, "unicode_escape"),
    (b"", "utf-8"),
    (b"short", "utf-8"),
    (b"\x00\x01binary\x00" * 10, "utf-8"),
    (b"\xff\xfe\xfa not utf8" * 10, "utf-8"),
]


@pytest.mark.parametrize("content, encoding", CHECKED_TEXTS)
def test_the_dashboards_light_check_agrees_with_the_engines_load(tmp_path, content, encoding):
    """The dashboard's process checks the corpus without numpy; the engine's process loads it: same facts,
    same refusals."""
    from rnnscope.storage.corpus_file import check_corpus

    path = tmp_path / "c.txt"
    path.write_bytes(content)
    outcomes = []
    for read in (check_corpus, load_corpus):
        try:
            corpus = read(path, encoding, min_chars=100)
            outcomes.append((corpus.path, corpus.sha256, corpus.vocab))
        except CorpusError as err:
            outcomes.append(str(err))
    assert outcomes[0] == outcomes[1]


def test_validation_windows_go_in_chunks_of_about_8192_characters():
    val = np.arange(50_000, dtype=np.int64) % 200
    default = validation_batches(val, 64, 32, 4)  # the default: 128 windows of 64, one forward
    assert [x.shape for x, _ in default] == [(128, 64)]
    long_windows = validation_batches(val, 512, 32, 4)  # 32 x 512 = 16k characters: no more than `batch` a chunk
    assert [x.shape for x, _ in long_windows] == [(32, 512)] * 4
    small = validation_batches(val, 64, 8, 40)  # 320 windows of 64, 128 to a chunk
    assert sum(len(x) for x, _ in small) == 320 and max(x.size for x, _ in small) <= 8192
    windows = np.concatenate([np.concatenate([x, y[:, -1:]], axis=1) for x, y in small])  # [320, 65]
    starts = np.linspace(0, len(val) - 65, 320).astype(np.int64)  # the evenly spread windows, in order
    assert np.array_equal(windows, val[starts[:, None] + np.arange(65)])
