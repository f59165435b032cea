"""A corpus file read and checked without numpy: its bytes, its text, its vocabulary and the user-facing refusals.

The dashboard's process checks the corpus with this alone (the engine's process encodes it, rnnscope.training.data),
so its first paint never waits for numpy; the engine's full load refuses exactly the same files.
"""

from __future__ import annotations

import codecs
import hashlib
import math
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

from rnnscope.contracts.errors import InputError

SAMPLE_CORPUS = "tinyshakespeare.txt"
CODE_CORPUS = "python_stdlib.txt"  # ~1.1 MB of Python standard-library modules (PSF licence beside it)
TRAIN_FRACTION = 0.9
_SNIFF_BYTES = 8192
BYTES_OF_MEMORY_PER_BYTE = 6  # loading peaks near raw bytes + decoded str + code points + ids


class CorpusError(InputError):
    """A corpus that cannot be used; the message says what is wrong and what to do."""


@dataclass(frozen=True, eq=False)
class CorpusFile:
    """A checked corpus: where it is, the sha256 of its bytes and its sorted character vocabulary."""

    path: str
    sha256: str
    vocab: tuple[str, ...]  # id -> character

    def check_text(self, text: str) -> None:
        """CorpusError naming the characters of `text` that the vocabulary lacks."""
        known = set(self.vocab)
        missing = sorted({ch for ch in text if ch not in known})
        if missing:
            shown = ", ".join(repr(ch) for ch in missing[:10])
            raise CorpusError(f"the probe text has characters that are not in the corpus: {shown}; "
                              "use only characters that occur in the corpus")


def bundled_sample_path(name: str = SAMPLE_CORPUS) -> Path:
    """A sample shipped with the package (rnnscope/sample_texts/ in an install), or the source tree's (an editable
    install or `python -m rnnscope` in a clone): the Shakespeare sample by default, `irish.abc` for the music lesson,
    CODE_CORPUS for interpretable-cells. Two stat calls: the default run's first paint waits for this, and
    importlib.resources costs more (benchmarks/README.md, ui_latency); it is asked only for an install that is not
    plain files."""
    package = Path(__file__).resolve().parents[1]
    for folder in (package / "sample_texts", package.parent / "sample_texts"):
        if (folder / name).is_file():
            return folder / name
    from importlib import resources

    return Path(str(resources.files("rnnscope.sample_texts") / name))


def check_corpus(path: str | Path, encoding: str = "utf-8", min_chars: int = 0, advice: str = "",
                 raw: bytes | None = None) -> CorpusFile:
    """Read and check a corpus as rnnscope.training.data.load_corpus does, without encoding it (`raw`: its bytes,
    when they are not written yet)."""
    path = Path(path)
    raw, text = read_text(path, encoding, raw)
    check_length(len(text), min_chars, path, advice)
    if text.isascii():  # one memchr per ASCII code: milliseconds where a set of the text takes tens
        vocab = tuple(chr(code) for code in range(128) if raw.find(bytes((code,))) >= 0)
    else:
        vocab = tuple(sorted(set(text)))
        surrogates = [ch for ch in vocab if "\ud800" <= ch <= "\udfff"]
        if surrogates:
            refuse_surrogates(path, encoding, min(text.find(ch) for ch in surrogates))
    return CorpusFile(path=str(path), sha256=hashlib.sha256(raw).hexdigest(), vocab=vocab)


def read_text(path: Path, encoding: str, raw: bytes | None = None) -> tuple[bytes, str]:
    """The file's bytes (or `raw`, the bytes it will hold) and their text; refuses empty, binary and undecodable
    files (callers refuse lone surrogates where they look at every character anyway)."""
    raw = read_bytes(path) if raw is None else raw
    if not raw:
        raise CorpusError(f"{path} is empty: give a text file with some text in it")
    if b"\x00" in raw[:_SNIFF_BYTES] and not encoding.lower().startswith("utf-16"):
        raise CorpusError(f"{path} looks like a binary file (it contains NUL bytes): give a plain text file")
    return raw, _decode(raw, path, encoding)


def refuse_surrogates(path: Path, encoding: str, position: int) -> NoReturn:
    """A lone surrogate (some codecs make them) cannot be shown or saved: the text is refused."""
    raise CorpusError(f"{path} decoded as {encoding} gives characters that are not valid Unicode "
                      f"(a lone surrogate near character {position}): pass another --encoding, e.g. utf-8")


def check_length(n_chars: int, min_chars: int, path: Path, advice: str) -> None:
    if n_chars < min_chars:
        raise CorpusError(f"{path} has {n_chars} characters; this run needs at least {min_chars} "
                          f"(10% is held out for validation): {advice or 'use a longer text or a smaller --seq-len'}")


def short_corpus_advice(seq_len: int, probe_len: int) -> str:
    """What to change when a corpus is too short: the probe when it is what needs the length."""
    if probe_len > seq_len:
        return "use a shorter --probe or a longer text"
    return "use a longer text or a smaller --seq-len"


def min_corpus_chars(seq_len: int, probe_len: int) -> int:
    """Characters needed so both splits hold a window of seq_len + 1 (and the probe) plus slack."""
    need_val = max(seq_len, probe_len) + 2
    need_train = seq_len + 2
    return max(math.ceil(need_val / (1 - TRAIN_FRACTION)), math.ceil(need_train / TRAIN_FRACTION))


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


def read_bytes(path: Path) -> bytes:
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
