"""Pure renderers: numpy arrays in, Rich segments/strips out (no Textual App, no torch)."""
