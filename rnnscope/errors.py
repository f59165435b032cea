"""The one error type for unusable input: the command line prints its message and exits with code 2."""


class InputError(ValueError):
    """Bad arguments or unusable input; the message says what is wrong and what to do."""
