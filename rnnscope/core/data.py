"""Corpus loading: decode, build the character vocabulary, encode compactly, split 90/10, sample windows."""

from __future__ import annotations

import codecs
import hashlib
import os
import stat
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

from rnnscope.errors import InputError

SAMPLE_CORPUS = "tinyshakespeare.txt"
TRAIN_FRACTION = 0.9
_SNIFF_BYTES = 8192
_CHUNK = 1 << 23  # characters per chunk when converting non-ASCII text to code points
_ASCII_SAFE = ("utf-8", "utf8", "ascii", "latin-1", "latin1", "iso-8859-1", "cp1252")  # ASCII bytes = text
BYTES_OF_MEMORY_PER_BYTE = 6  # loading peaks near raw bytes + decoded str + code points + ids


class CorpusError(InputError):
    """A corpus that cannot be used; the message says what is wrong and what to do."""


@dataclass(frozen=True, eq=False)
class Corpus:
    """A decoded corpus as integer ids over its sorted character vocabulary."""

    path: str
    sha256: str
    vocab: tuple[str, ...]  # id -> character
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
        index = {ch: i for i, ch in enumerate(self.vocab)}
        missing = sorted({ch for ch in text if ch not in index})
        if missing:
            shown = ", ".join(repr(ch) for ch in missing[:10])
            raise CorpusError(f"the probe text has characters that are not in the corpus: {shown}; "
                              "use only characters that occur in the corpus")
        return np.array([index[ch] for ch in text], dtype=np.int64)

    def decode(self, ids) -> str:
        return "".join(self.vocab[int(i)] for i in ids)


def bundled_sample_path() -> Path:
    """The Shakespeare sample shipped with the package."""
    return Path(str(resources.files("rnnscope.sample_texts") / SAMPLE_CORPUS))


def load_corpus(path: str | Path, encoding: str = "utf-8", min_chars: int = 0, advice: str = "") -> Corpus:
    """Read, validate and encode a corpus; raises CorpusError with a user-facing message (`advice` says what to
    do when the text is shorter than `min_chars`)."""
    path = Path(path)
    raw = _read_bytes(path)
    if not raw:
        raise CorpusError(f"{path} is empty: give a text file with some text in it")
    if b"\x00" in raw[:_SNIFF_BYTES] and not encoding.lower().startswith("utf-16"):
        raise CorpusError(f"{path} looks like a binary file (it contains NUL bytes): give a plain text file")
    text = _decode(raw, path, encoding)
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
    if len(ids) < min_chars:
        raise CorpusError(f"{path} has {len(ids)} characters; this run needs at least {min_chars} "
                          f"(10% is held out for validation): {advice or 'use a longer text or a smaller --seq-len'}")
    return Corpus(
        path=str(path),
        sha256=hashlib.sha256(raw).hexdigest(),
        vocab=tuple(chr(int(c)) for c in present),
        ids=ids,
        n_train=int(len(ids) * TRAIN_FRACTION),
    )


def short_corpus_advice(seq_len: int, probe_len: int) -> str:
    """What to change when a corpus is too short: the probe when it is what needs the length."""
    if probe_len > seq_len:
        return "use a shorter --probe or a longer text"
    return "use a longer text or a smaller --seq-len"


def min_corpus_chars(seq_len: int, probe_len: int) -> int:
    """Characters needed so both splits hold a window of seq_len + 1 (and the probe) plus slack."""
    need_val = max(seq_len, probe_len) + 2
    need_train = seq_len + 2
    return max(int(np.ceil(need_val / (1 - TRAIN_FRACTION))), int(np.ceil(need_train / TRAIN_FRACTION)))


def available_memory() -> int:
    """Bytes of memory this process may still use (MemAvailable on Linux, physical memory elsewhere)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, AttributeError):
        return 1 << 62  # unknown: do not refuse


def _read_bytes(path: Path) -> bytes:
    """The file's bytes, after checking (without opening it) that it is a regular file that fits in memory."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise CorpusError(f"{path} does not exist: give the path of a text file") from None
    except (OSError, ValueError) as err:  # a path through a file, a symlink loop, a long name, NUL, no permission
        reason = getattr(err, "strerror", None) or err
        raise CorpusError(f"cannot read {path} ({reason}): give the path of a text file") from None
    if stat.S_ISDIR(info.st_mode):
        raise CorpusError(f"{path} is a folder: give the path of a text file")
    if not stat.S_ISREG(info.st_mode):
        kind = ("a FIFO" if stat.S_ISFIFO(info.st_mode) else "a socket" if stat.S_ISSOCK(info.st_mode)
                else "a device" if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode) else "not a file")
        raise CorpusError(f"{path} is {kind}, not a regular file: give the path of a text file")
    if info.st_size * BYTES_OF_MEMORY_PER_BYTE > available_memory():
        raise CorpusError(f"{path} is {info.st_size / 2**30:.1f} GiB, too large to load in the "
                          f"{available_memory() / 2**30:.1f} GiB of free memory: give a smaller text file")
    try:
        return path.read_bytes()
    except OSError as err:
        raise CorpusError(f"cannot read {path}: {err.strerror or err}") from None
    except MemoryError:
        raise CorpusError(f"{path} is too large to load in memory: give a smaller text file") from None


def check_encoding(encoding: str) -> None:
    """CorpusError unless `encoding` names a text codec (not e.g. base64 or rot13)."""
    try:
        info = codecs.lookup(encoding)
    except (LookupError, TypeError, ValueError):
        info = None
    if info is None or not getattr(info, "_is_text_encoding", True):
        raise CorpusError(f"unknown encoding {encoding!r}: give a text codec name such as utf-8, latin-1, cp1252")


def _decode(raw: bytes, path: Path, encoding: str) -> str:
    check_encoding(encoding)
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as err:
        raise CorpusError(f"{path} is not valid {encoding} (byte {err.start}): "
                          "pass its encoding with --encoding, e.g. --encoding latin-1") from None
    except (ValueError, TypeError) as err:  # codecs such as unicode_escape raise their own errors
        raise CorpusError(f"{path} cannot be decoded as {encoding} ({err}): "
                          "pass its encoding with --encoding, e.g. --encoding utf-8") from None
    return text


def _code_points(text: str, path: Path, encoding: str) -> list[np.ndarray]:
    """Non-ASCII text as uint32 code points, in chunks; refuses lone surrogates (they cannot be shown or saved)."""
    try:
        return [np.frombuffer(text[i : i + _CHUNK].encode("utf-32-le"), dtype=np.uint32)  # [chunk]
                for i in range(0, len(text), _CHUNK)]
    except UnicodeEncodeError as err:
        raise CorpusError(f"{path} decoded as {encoding} gives characters that are not valid Unicode "
                          f"(a lone surrogate near character {err.start}): pass another --encoding, e.g. utf-8"
                          ) from None


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
    """Fixed, evenly spread windows of the validation split: the same every evaluation."""
    last_start = len(val_ids) - seq_len - 1
    count = max(1, min(batch * n_batches, last_start + 1))
    starts = np.linspace(0, last_start, count).astype(np.int64)  # [count]
    windows = val_ids[starts[:, None] + np.arange(seq_len + 1)].astype(np.int64)  # [count, T+1]
    return [(w[:, :-1], w[:, 1:]) for w in np.array_split(windows, max(1, count // batch))]
