"""Comparison helpers shared by the tests (importable because pytest puts ``tests/`` on
``sys.path`` for ``tests/conftest.py``)."""

import math
import operator
from typing import Any, Callable

from symcore import sym_max, sym_min


def same_value(actual: Any, expected: Any) -> bool:
    """Equal value and type; floats bit-for-bit (so 0.0 and -0.0 differ) up to NaN payloads."""
    if type(actual) is not type(expected):
        return False
    if isinstance(expected, float):
        if math.isnan(expected):
            return math.isnan(actual)
        return actual == expected and math.copysign(1.0, actual) == math.copysign(1.0, expected)
    return actual == expected


# Expression trees computed twice with the same Python operators: on plain ints (the oracle) and
# on symcore values. A tree is a symbol name, an int, or ``(op, left, right)`` with ``op`` a key
# of ``PLAIN_BINARY``.
PLAIN_BINARY: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "//": operator.floordiv,
    "%": operator.mod,
    "min": min,
    "max": max,
}
SYMBOLIC_BINARY: dict[str, Callable[[Any, Any], Any]] = {**PLAIN_BINARY, "min": sym_min, "max": sym_max}
COMPARISONS: dict[str, Callable[[Any, Any], Any]] = {
    "<": operator.lt,
    "<=": operator.le,
    "==": operator.eq,
    "!=": operator.ne,
    ">": operator.gt,
    ">=": operator.ge,
}


def compute_tree(tree: Any, leaves: dict[str, Any], symbolic: bool = False) -> Any:
    """The tree's value with ``leaves`` for the names, through the plain or symbolic operators."""
    if isinstance(tree, str):
        return leaves[tree]
    if isinstance(tree, int):
        return tree
    op, x, y = tree
    fn = (SYMBOLIC_BINARY if symbolic else PLAIN_BINARY)[op]
    return fn(compute_tree(x, leaves, symbolic), compute_tree(y, leaves, symbolic))
