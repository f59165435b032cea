"""Bundled sample corpora (installed as the package ``rnnscope.sample_texts``)."""
