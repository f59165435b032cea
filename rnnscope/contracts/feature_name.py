"""A units feature's name (built-in, `--feature NAME=REGEX`, or a Scope's `features=`): the one rule, without numpy."""

from __future__ import annotations

import re

FEATURE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,23}")  # a letter, then up to 23 letters, digits, _ or -
