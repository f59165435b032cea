"""The one strict parser of command-line numbers: ASCII digits only, bounded length (no superscripts, no other
scripts' digits, no underscores, no thousand-digit values that take seconds to convert)."""

from __future__ import annotations

import argparse
import re

MAX_INT_DIGITS = 19  # 2**63 - 1, the largest seed, has 19
MAX_FLOAT_CHARS = 40
_WHOLE = re.compile(rf"[0-9]{{1,{MAX_INT_DIGITS}}}")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]{1,4})?|[+-]?(?:inf|infinity|nan)",
                      re.IGNORECASE)


def _shown(text: str) -> str:
    return repr(text if len(text) <= 24 else text[:24] + "…")


def whole_number(text: str) -> int:
    """A non-negative whole number written in ASCII digits (at most 19); ValueError otherwise."""
    if not isinstance(text, str) or not _WHOLE.fullmatch(text.strip()):
        raise ValueError(f"{_shown(str(text))} is not a whole number: write 0-9 digits, at most {MAX_INT_DIGITS}")
    return int(text.strip())


def decimal_number(text: str) -> float:
    """A decimal number in ASCII (0.003, 1e-3, -2; inf and nan pass to the option's own range check)."""
    if not isinstance(text, str) or len(text) > MAX_FLOAT_CHARS or not _DECIMAL.fullmatch(text.strip()):
        raise ValueError(f"{_shown(str(text))} is not a number: write e.g. 0.003 or 1e-3")
    return float(text.strip())


def int_option(text: str) -> int:
    """argparse type for whole-number options; negative numbers are refused by the options' own checks."""
    negative = isinstance(text, str) and text.strip().startswith("-")
    try:
        value = whole_number(text.strip()[1:] if negative else text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"invalid int value: {err}") from None
    return -value if negative else value


def float_option(text: str) -> float:
    """argparse type for decimal options."""
    try:
        return decimal_number(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"invalid float value: {err}") from None
