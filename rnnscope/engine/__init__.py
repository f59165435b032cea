"""The training engine, one run: its collaborators, its public surface and the features it carries."""
