"""Watching a user's own recurrent module: Scope writes its timeline (torch side); --attach reads it (no torch)."""
