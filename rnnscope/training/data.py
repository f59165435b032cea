"""Corpus loading: encode the checked text compactly as ids, split 90/10, sample windows."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rnnscope.storage.corpus_file import TRAIN_FRACTION, CorpusFile, check_length, read_text, refuse_surrogates

_CHUNK = 1 << 23  # characters per chunk when converting non-ASCII text to code points
_ASCII_SAFE = ("utf-8", "utf8", "ascii", "latin-1", "latin1", "iso-8859-1", "cp1252")  # ASCII bytes = text
VAL_CHUNK_CHARS = 8192  # characters per validation forward (a command waiting stops it between two)


@dataclass(frozen=True, eq=False)
class Corpus(CorpusFile):
    """A decoded corpus as integer ids over its sorted character vocabulary."""

    ids: np.ndarray  # [N] uint8/uint16/uint32, the whole text encoded
    n_train: int  # the first n_train ids train, the rest validate

    @property
    def train(self) -> np.ndarray:
        return self.ids[: self.n_train]  # [N_train]

    @property
    def val(self) -> np.ndarray:
        return self.ids[self.n_train :]  # [N_val]

    def encode(self, text: str) -> np.ndarray:
        """Ids of `text`; CorpusError names the characters the vocabulary lacks."""
        self.check_text(text)
        index = {ch: i for i, ch in enumerate(self.vocab)}
        return np.array([index[ch] for ch in text], dtype=np.int64)  # [len(text)]

    def decode(self, ids) -> str:
        return "".join(self.vocab[int(i)] for i in ids)


def load_corpus(path: str | Path, encoding: str = "utf-8", min_chars: int = 0, advice: str = "",
                raw: bytes | None = None) -> Corpus:
    """Read, validate and encode a corpus (`raw`: its bytes, when they are not written yet); raises CorpusError
    with a user-facing message (`advice` says what to do when the text is shorter than `min_chars`)."""
    path = Path(path)
    raw, text = read_text(path, encoding, raw)
    if text.isascii():  # the common case: the bytes are the code points, no copy needed
        chunks = [np.frombuffer(text.encode("ascii") if encoding.lower() not in _ASCII_SAFE else raw,
                                dtype=np.uint8)]  # [N]
    else:
        chunks = _code_points(text, path, encoding)
    del text
    size = 0x110000 if chunks[0].dtype == np.uint32 else 256
    counts = sum(np.bincount(chunk[i : i + _CHUNK], minlength=size)  # bincount copies to int64: slice it
                 for chunk in chunks for i in range(0, len(chunk), _CHUNK))
    present = np.flatnonzero(counts)  # [V] sorted code points that occur
    lookup = np.zeros(len(counts), dtype=_id_dtype(len(present)))
    lookup[present] = np.arange(len(present))
    ids = np.concatenate([lookup[chunk] for chunk in chunks])  # [N]
    check_length(len(ids), min_chars, path, advice)
    return Corpus(
        path=str(path),
        sha256=hashlib.sha256(raw).hexdigest(),
        vocab=tuple(chr(int(c)) for c in present),
        ids=ids,
        n_train=int(len(ids) * TRAIN_FRACTION),
    )


def _code_points(text: str, path: Path, encoding: str) -> list[np.ndarray]:
    """Non-ASCII text as uint32 code points, in chunks; refuses lone surrogates (the encoder finds them)."""
    chunks = []
    for i in range(0, len(text), _CHUNK):
        try:
            chunks.append(np.frombuffer(text[i : i + _CHUNK].encode("utf-32-le"), dtype=np.uint32))  # [chunk]
        except UnicodeEncodeError as err:
            refuse_surrogates(path, encoding, i + err.start)
    return chunks


def _id_dtype(vocab_size: int) -> type:
    if vocab_size <= 256:
        return np.uint8
    return np.uint16 if vocab_size <= 65536 else np.uint32


class BatchSampler:
    """Random training windows, reproducible from a seed; its state is saved in checkpoints."""

    def __init__(self, ids: np.ndarray, seq_len: int, batch: int, seed: int):
        self.ids = ids  # [N_train]
        self.seq_len = seq_len
        self.batch = batch
        self.rng = np.random.Generator(np.random.PCG64(seed))
        self._span = np.arange(seq_len + 1)  # [T+1]

    def next(self) -> tuple[np.ndarray, np.ndarray]:
        """(inputs [B, T], targets [B, T]) as int64."""
        starts = self.rng.integers(0, len(self.ids) - self.seq_len - 1, size=self.batch, endpoint=True)
        windows = self.ids[starts[:, None] + self._span].astype(np.int64)  # [B, T+1]
        return windows[:, :-1], windows[:, 1:]

    def state(self) -> dict:
        return self.rng.bit_generator.state

    def set_state(self, state: dict) -> None:
        self.rng.bit_generator.state = state


def validation_batches(val_ids: np.ndarray, seq_len: int, batch: int, n_batches: int) -> list:
    """Fixed, evenly spread windows of the validation split (`n_batches` x `batch` of them): the same every
    evaluation. They go through the model in chunks of about VAL_CHUNK_CHARS characters, at least `batch` windows
    each: one forward of 128 windows at the default size instead of four of 32 (cost: benchmarks/README.md,
    train_throughput)."""
    last_start = len(val_ids) - seq_len - 1
    count = max(1, min(batch * n_batches, last_start + 1))
    starts = np.linspace(0, last_start, count).astype(np.int64)  # [count]
    windows = val_ids[starts[:, None] + np.arange(seq_len + 1)].astype(np.int64)  # [count, T+1]
    per_chunk = max(batch, VAL_CHUNK_CHARS // seq_len)
    return [(w[:, :-1], w[:, 1:]) for w in np.array_split(windows, -(-count // per_chunk))]
