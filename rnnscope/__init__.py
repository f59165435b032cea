"""rnnscope: train a character-level recurrent network and watch its insides live in the terminal."""

__version__ = "0.1.0"
__all__ = ["Scope"]


def __getattr__(name: str):
    """`from rnnscope import Scope` loads torch then, and neither Textual nor Rich; `import rnnscope` loads nothing."""
    if name == "Scope":
        from rnnscope.watch.scope import Scope

        return Scope
    raise AttributeError(f"module 'rnnscope' has no attribute {name!r}")
