"""The exceptions symcore raises, in one place.

Users catch these; every one also subclasses the built-in exception a Python user would expect
(``ParseError`` is a ``ValueError``, ``DataDependentError`` a ``RuntimeError``, ...), so code that
catches the built-ins keeps working. Arithmetic raises the built-ins themselves
(``ZeroDivisionError``, ``TypeError``, ``OverflowError`` only for float conversions).
"""

from symcore._core import (
    ContradictionError,
    DataDependentError,
    ExpressionTooLargeError,
    MixedEnvironmentsError,
    ParseError,
    SymbolError,
    UnboundSymbolError,
)

__all__ = [
    "ContradictionError",
    "DataDependentError",
    "ExpressionTooLargeError",
    "MixedEnvironmentsError",
    "ParseError",
    "SymbolError",
    "UnboundSymbolError",
]
