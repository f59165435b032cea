"""The training engine, one run: its collaborators, its public surface (rnnscope.engine.engine.Engine) and the features it carries."""
