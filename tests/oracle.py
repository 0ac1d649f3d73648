"""Comparison helpers shared by the tests (importable because pytest puts ``tests/`` on
``sys.path`` for ``tests/conftest.py``)."""

import math
from typing import Any


def same_value(actual: Any, expected: Any) -> bool:
    """Equal value and type; floats bit-for-bit (so 0.0 and -0.0 differ) up to NaN payloads."""
    if type(actual) is not type(expected):
        return False
    if isinstance(expected, float):
        if math.isnan(expected):
            return math.isnan(actual)
        return actual == expected and math.copysign(1.0, actual) == math.copysign(1.0, expected)
    return actual == expected
