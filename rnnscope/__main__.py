"""`python -m rnnscope`: the same as the `rnnscope` command."""

import sys

from rnnscope.cli import main

if __name__ == "__main__":  # a spawned engine process imports this module without running it
    sys.exit(main())
