"""The command line's exceptions: unusable input (exit code 2), and the dashboard asking for another lesson."""


class InputError(ValueError):
    """Bad arguments or unusable input; the message says what is wrong and what to do."""


class CheckpointError(InputError):
    """A checkpoint that cannot be resumed; the message says why and what to do."""


class NextLesson(Exception):
    """The dashboard's lesson list chose this lesson: the CLI starts it (rnnscope.cli.main)."""

    def __init__(self, name: str):
        super().__init__(name)
        self.name = name


class UsageError(InputError):
    """Bad arguments or unusable input: one line on stderr, exit code 2."""
