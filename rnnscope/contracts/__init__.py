"""What both sides share: settings, commands, frames and their parts, states, errors, visible text (no torch, no Textual)."""
