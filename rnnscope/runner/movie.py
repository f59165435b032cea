"""`rnnscope --movie RUN_DIR OUT.gif|OUT.mp4`: check the folder and the output, render the timeline with a progress
bar on stderr, write the file atomically; under the signal guard (SIGTERM/SIGHUP leave no temporary and no partial
film), a frame that cannot be loaded skipped and counted."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from rnnscope import startup
from rnnscope.contracts.errors import InputError
from rnnscope.contracts.visible import safe_text
from rnnscope.runner.signals import SignalGuard
from rnnscope.storage.atomic_file import replace_atomically
from rnnscope.storage.timeline import TimelineError, TimelineReader

FORMATS = (".gif", ".mp4")


def movie_sides(run_dir: Path) -> list:
    """The runs to film: RUN_DIR's timeline, or a compare's (a lesson's) RUN_DIR/a and RUN_DIR/b side by side."""
    from rnnscope.exporting.movie import Side

    if not run_dir.is_dir():
        raise InputError(f"--movie {run_dir}: no such folder; give the --run-dir of an earlier run")
    paired = not TimelineReader(run_dir).exists() and all(TimelineReader(run_dir / s).exists() for s in "ab")
    folders = {"A": run_dir / "a", "B": run_dir / "b"} if paired else {"": run_dir}
    sides = []
    for name, folder in folders.items():
        reader = TimelineReader(folder)
        if not reader.exists():
            raise InputError(f"{folder} has no timeline (no timeline/index.json): give the --run-dir of a run that "
                             "recorded one (every run since the timeline exists does)")
        try:
            entries = reader.index()
        except TimelineError as err:
            raise InputError(f"cannot film {folder}: {err}") from None
        if not entries:
            raise InputError(f"{folder}'s timeline has no frame yet: let the run probe once, then try again")
        sides.append(Side(name, reader, entries))
    return sides


def check_output(out: Path) -> str | None:
    """The ffmpeg to use for .mp4 (None for .gif); InputError for an unknown format or a folder that cannot take it."""
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        raise InputError(f"--movie writes .gif or .mp4, not {out.name!r}: name the output e.g. film.gif")
    ffmpeg = shutil.which("ffmpeg") if suffix == ".mp4" else None
    if suffix == ".mp4" and ffmpeg is None:
        raise InputError("an .mp4 needs ffmpeg, which is not on PATH: install it, or write a .gif")
    if out.is_dir():
        raise InputError(f"{out} is a folder: give a file name, e.g. {out / 'film.gif'}")
    folder = out.parent if str(out.parent) else Path(".")
    try:
        replace_atomically(folder / f".movie-write-check{suffix}", lambda temp: temp.write_bytes(b""), durable=False)
        (folder / f".movie-write-check{suffix}").unlink()
    except OSError as err:
        raise InputError(f"cannot write {out} ({err.strerror or err}): choose a folder you can write to") from None
    return ffmpeg


def run_movie(run_dir: Path, out: Path) -> int:
    """Render and write the film; one line on stderr says what was written. SIGTERM/SIGHUP raise Terminated (exit
    128 + signal): the temporary film is removed on the way out, the output left as it was."""
    with SignalGuard().installed():
        return _film(run_dir, out)


def _film(run_dir: Path, out: Path) -> int:
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from rnnscope.exporting.movie import MAX_FRAMES, chosen, frames_rgb, write_gif, write_mp4

    ffmpeg = check_output(out)
    sides = movie_sides(run_dir)
    startup.started()  # the frames are rendered with collection on
    console = Console(stderr=True)
    started = time.perf_counter()
    total = len(chosen(sides[0].entries, MAX_FRAMES))
    with Progress(TextColumn("film"), BarColumn(), TextColumn("{task.completed}/{task.total} frames"),
                  TimeElapsedColumn(), console=console, transient=True) as bar:
        task = bar.add_task("film", total=total)
        skipped: list[str] = []
        images = frames_rgb(sides, MAX_FRAMES, lambda done, _total: bar.update(task, completed=done), skipped)
        counted = []
        try:
            replace_atomically(out, lambda temp: counted.append(
                write_gif(images, temp) if ffmpeg is None else write_mp4(images, temp, ffmpeg)))
        except ValueError:  # no frame to write (every one skipped)
            raise InputError(f"cannot film {run_dir}: none of its {total} frames could be loaded "
                             f"({skipped[0] if skipped else 'no frame'})") from None
        except OSError as err:
            raise InputError(f"cannot write {out} ({err.strerror or err})") from None
    steps = f"steps {sides[0].entries[0].step:,}-{sides[0].entries[-1].step:,}"
    left_out = f"; {len(skipped)} frame(s) skipped, unreadable (the first: {skipped[0]})" if skipped else ""
    console.print(safe_text(f"rnnscope: wrote {out}: {counted[0]} frames of {steps} in "
                            f"{time.perf_counter() - started:.0f} s{left_out}"), highlight=False, soft_wrap=True,
                  markup=False)
    return 0
