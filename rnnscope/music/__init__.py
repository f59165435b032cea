"""Music: texts of blank-line separated tunes, cut, checked with abc2midi, read as MIDI, measured for copying (no torch)."""
