"""A MIDI file's notes, read with mido, and a tune's piano roll: pitches by time as a grid of on/off cells."""

from __future__ import annotations

import io

import numpy as np

NOTE_NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")


def read_notes(midi: bytes) -> np.ndarray:
    """The notes of a MIDI file's bytes as rows (start s, end s, pitch), by start time then pitch: every track
    merged, tempo changes applied (mido's own playback timing)."""
    import mido  # only where tunes are read: start-up stays light

    song = mido.MidiFile(file=io.BytesIO(midi))
    now, sounding, notes = 0.0, {}, []
    for message in song:  # merged tracks, .time in seconds since the previous message
        now += message.time
        if message.type not in ("note_on", "note_off"):
            continue
        key = (message.channel, message.note)
        if message.type == "note_on" and message.velocity > 0:
            sounding.setdefault(key, []).append(now)
        elif sounding.get(key):
            notes.append((sounding[key].pop(0), now, message.note))
    return np.array(sorted(notes, key=lambda n: (n[0], n[2])), dtype=np.float64).reshape(-1, 3)  # [n, 3]


def note_name(pitch: int) -> str:
    """MIDI pitch -> scientific name: 60 -> "C4", 69 -> "A4"."""
    return f"{NOTE_NAMES[pitch % 12]}{pitch // 12 - 1}"


def piano_roll(notes: np.ndarray, columns: int) -> tuple[np.ndarray, int, float]:
    """The notes on a grid: [pitches, columns] booleans from the lowest pitch (row 0) to the highest, the whole tune
    across the columns; returns (grid, lowest pitch, seconds per column)."""
    if len(notes) == 0 or columns < 1:
        return np.zeros((0, max(columns, 0)), dtype=bool), 0, 0.0
    low, high = int(notes[:, 2].min()), int(notes[:, 2].max())
    step = max(float(notes[:, 1].max()), 1e-9) / columns  # seconds a column
    grid = np.zeros((high - low + 1, columns), dtype=bool)  # [pitches, columns]
    for start, end, pitch in notes:
        first = int(start / step)
        last = max(first, int(np.ceil(end / step)) - 1)
        if first < columns:
            grid[int(pitch) - low, first : min(last, columns - 1) + 1] = True
    return grid, low, step
