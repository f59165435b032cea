"""A snapshot's tunes/: each kept tune as .abc and .mid (and .wav through timidity where installed), what abc2midi
said of each (tunes.json), and the piano roll of the newest valid tune (piano-roll.png); written whole or not at all."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from rnnscope.contracts.json_numbers import json_number
from rnnscope.music.abc2midi import render_wav
from rnnscope.music.checker import Checked
from rnnscope.music.midi import note_name
from rnnscope.storage.atomic_file import move_into_place, temp_path

TUNES = "tunes"


def write_tunes(folder: Path, kept: list[Checked], newest: Checked | None) -> Path:
    """FOLDER/tunes/ built in a temporary folder beside it and renamed into place (one there is replaced). File
    names are the tunes' order and step, never generated text."""
    target = Path(folder) / TUNES
    temp = temp_path(target)
    temp.mkdir()
    try:
        listing = []
        for k, checked in enumerate(kept):
            name = f"tune-{k:02d}-step-{checked.tune.step:06d}"
            (temp / f"{name}.abc").write_text(checked.tune.text + "\n", encoding="utf-8")
            files = [f"{name}.abc"]
            if checked.midi:
                (temp / f"{name}.mid").write_bytes(checked.midi)
                files.append(f"{name}.mid")
                if checked.tune.status == "valid" and render_wav(checked.midi, temp / f"{name}.wav"):
                    files.append(f"{name}.wav")
            listing.append({"files": files, "step": checked.tune.step, "status": checked.tune.status,
                            "said": checked.tune.said, "longest_copied": checked.tune.longest_copied,
                            "copied_share": json_number(checked.tune.copied_share),
                            "newest_valid": checked is newest})
        (temp / "tunes.json").write_text(json.dumps(listing, indent=2, ensure_ascii=False), encoding="utf-8")
        if newest is not None:
            piano_roll_figure(newest, temp / "piano-roll.png")
        move_into_place(temp, target)
    finally:
        shutil.rmtree(temp, ignore_errors=True)
    return target


def piano_roll_figure(checked: Checked, path: Path) -> None:
    """The newest valid tune's notes as bars (time across, pitch up), titled with its step and first line."""
    from matplotlib.figure import Figure

    from rnnscope.contracts.visible import safe_text
    from rnnscope.exporting.figure import quiet_matplotlib

    notes = checked.notes  # [n, 3] start s, end s, pitch
    fig = Figure(figsize=(10, 4), dpi=100)
    ax = fig.add_subplot()
    with quiet_matplotlib():
        ax.barh(notes[:, 2], notes[:, 1] - notes[:, 0], left=notes[:, 0], height=0.8, color="tab:blue")
        low, high = (int(notes[:, 2].min()), int(notes[:, 2].max())) if len(notes) else (60, 72)
        ticks = [p for p in range(low, high + 1) if p % 12 in (0, 4, 7)] or [low]
        ax.set_yticks(ticks, [note_name(p) for p in ticks])
        ax.set_xlabel("seconds", fontsize=8)
        ax.set_ylabel("pitch", fontsize=8)
        title = safe_text(checked.tune.text.split("\n", 2)[1] if "\n" in checked.tune.text else checked.tune.text)
        ax.set_title(f"piano roll: the newest valid tune (step {checked.tune.step:,}; {title[:60]}), "
                     f"{len(notes)} notes, copied {checked.tune.copied_share:.0%}", fontsize=9)
        ax.grid(True, alpha=0.3)
        fig.tight_layout()
        fig.savefig(path)
