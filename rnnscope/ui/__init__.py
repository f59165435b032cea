"""The terminal dashboard (Textual); draws numpy frames and never imports torch."""
