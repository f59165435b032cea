"""Numbers between strict JSON and Python: nan and ±inf become null on the way out, null becomes nan on the way in."""

from __future__ import annotations

import math


def json_number(value, digits: int | None = None) -> float | None:
    """A finite number as a float (rounded to `digits` when given); None (null) for nan, ±inf and non-numbers."""
    try:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            return None
    except OverflowError:  # an int past float's range
        return None
    return float(value) if digits is None else round(float(value), digits)


def number_or_nan(value: float | None, missing: float = math.nan) -> float:
    """A number read back: `missing` (nan) where JSON had null."""
    return missing if value is None else float(value)
