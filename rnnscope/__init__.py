"""rnnscope: train a character-level recurrent network and watch its insides live in the terminal."""

__version__ = "0.1.0"
