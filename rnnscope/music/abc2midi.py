"""Is a tune valid? abc2midi, in a subprocess with a timeout, writes a MIDI file and prints no `Error` line (its
exit code is 0 even for a broken tune); timidity, where installed, renders a MIDI file as a .wav."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

TIMEOUT_S = 5.0  # far above what a tune takes (benchmarks/README.md, by hand): a tool that hangs is given up on after this
INSTALL_HINT = "abc2midi is not installed: tunes are written but not checked (apt install abcmidi, or brew install abcmidi)"
VALID, BROKEN, MISSING, TIMEOUT = "valid", "broken", "missing", "timeout"


@dataclass(frozen=True)
class TuneCheck:
    """What abc2midi said about one tune."""

    status: str  # VALID, BROKEN (an Error line or no MIDI file), MISSING (no abc2midi), TIMEOUT
    said: str  # abc2midi's output (stdout and stderr), or why there is none
    midi: bytes | None  # the MIDI file it wrote (also for a broken tune: abc2midi writes one anyway)

    @property
    def valid(self) -> bool:
        return self.status == VALID


def find_abc2midi() -> str | None:
    return shutil.which("abc2midi")


def check_tune(tune: str, timeout: float = TIMEOUT_S) -> TuneCheck:
    """Run abc2midi on `tune` in a fresh temporary folder; never raises for the tool's failures."""
    tool = find_abc2midi()
    if tool is None:
        return TuneCheck(MISSING, INSTALL_HINT, None)
    with tempfile.TemporaryDirectory(prefix="rnnscope-abc-") as folder:
        abc, mid = Path(folder) / "tune.abc", Path(folder) / "tune.mid"
        abc.write_text(tune + "\n", encoding="utf-8")
        try:
            done = subprocess.run([tool, str(abc), "-o", str(mid)], capture_output=True, timeout=timeout,
                                  cwd=folder, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            return TuneCheck(TIMEOUT, f"abc2midi did not finish within {timeout:g} s", None)
        except OSError as err:
            return TuneCheck(MISSING, f"abc2midi could not be run ({err.strerror or err})", None)
        said = (done.stdout + done.stderr).decode("utf-8", errors="replace").replace(folder + "/", "")
        midi = mid.read_bytes() if mid.is_file() else None
    erred = any(line.lstrip().startswith("Error") for line in said.splitlines())
    status = VALID if midi and not erred else BROKEN
    return TuneCheck(status, said, midi)


def render_wav(midi: bytes, target: Path, timeout: float = 30.0) -> bool:
    """MIDI bytes -> `target` (.wav, 22 kHz mono) through timidity; False where timidity is missing or fails."""
    tool = shutil.which("timidity")
    if tool is None:
        return False
    with tempfile.TemporaryDirectory(prefix="rnnscope-wav-") as folder:
        mid = Path(folder) / "tune.mid"
        mid.write_bytes(midi)
        try:
            done = subprocess.run([tool, str(mid), "-Ow", "-s", "22050", "--output-mono", "-o", str(target)],
                                  capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL)
        except (subprocess.TimeoutExpired, OSError):
            return False
    return done.returncode == 0 and target.is_file()
