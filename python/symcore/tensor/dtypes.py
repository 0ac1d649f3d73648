"""Tensor element types (``symcore.float32``, ...) and PyTorch's type-promotion rules.

Who uses it: shape rules, to give each op's output the dtype PyTorch would, and users porting
PyTorch code (``x.to(symcore.float16)``, ``symcore.result_type(x, 2.5)``).

Promotion follows PyTorch's documented rules: operands fall into the categories
bool < integer < floating < complex; dimensioned tensors decide the result unless a zero-dim
tensor or a Python scalar is of a higher category; a Python ``float`` counts as the default dtype
(``float32``), a Python ``int`` as ``int64``, a Python ``complex`` as ``complex64``.

Examples:
    >>> print(float32, promote_types(int8, uint8), promote_types(float16, bfloat16))
    symcore.float32 symcore.int16 symcore.float32
"""

from __future__ import annotations

import builtins
from typing import Any, Final

__all__ = [
    "bfloat16",
    "bool",
    "cdouble",
    "cfloat",
    "complex64",
    "complex128",
    "double",
    "dtype",
    "float",
    "float16",
    "float32",
    "float64",
    "get_default_dtype",
    "half",
    "int",
    "int8",
    "int16",
    "int32",
    "int64",
    "long",
    "promote_types",
    "result_type",
    "short",
    "to_dtype",
    "uint8",
]

_BOOL, _INT, _FLOAT, _COMPLEX = 0, 1, 2, 3
_CATEGORY_NAMES: Final = ("bool", "integer", "floating point", "complex")


class dtype:
    """An element type: ``symcore.float32`` is ``torch.float32``.

    Attributes:
        name: The short name (``"float32"``), also how graphs record a dtype argument.
        itemsize: Bytes per element.
        is_floating_point: True for float16, bfloat16, float32, float64.
        is_complex: True for complex64, complex128.
        is_signed: False for bool and uint8.
    """

    __slots__ = ("_category", "_rank", "is_complex", "is_floating_point", "is_signed", "itemsize", "name")

    def __init__(self, name: str, itemsize: builtins.int, category: builtins.int, rank: builtins.int) -> None:
        self.name = name
        self.itemsize = itemsize
        self._category = category
        self._rank = rank
        self.is_floating_point = category == _FLOAT
        self.is_complex = category == _COMPLEX
        self.is_signed = name not in ("bool", "uint8")

    def __repr__(self) -> str:
        return f"symcore.{self.name}"

    __str__ = __repr__

    def __reduce__(self) -> str:
        return self.name  # pickles as the module attribute of that name


float16: Final = dtype("float16", 2, _FLOAT, 1)
bfloat16: Final = dtype("bfloat16", 2, _FLOAT, 1)
float32: Final = dtype("float32", 4, _FLOAT, 2)
float64: Final = dtype("float64", 8, _FLOAT, 3)
complex64: Final = dtype("complex64", 8, _COMPLEX, 2)
complex128: Final = dtype("complex128", 16, _COMPLEX, 3)
uint8: Final = dtype("uint8", 1, _INT, 0)
int8: Final = dtype("int8", 1, _INT, 0)
int16: Final = dtype("int16", 2, _INT, 1)
int32: Final = dtype("int32", 4, _INT, 2)
int64: Final = dtype("int64", 8, _INT, 3)
bool: Final = dtype("bool", 1, _BOOL, 0)

# PyTorch's aliases.
half: Final = float16
float: Final = float32
double: Final = float64
cfloat: Final = complex64
cdouble: Final = complex128
short: Final = int16
int: Final = int32
long: Final = int64

_BY_NAME: Final[dict[str, dtype]] = {
    d.name: d
    for d in (float16, bfloat16, float32, float64, complex64, complex128, uint8, int8, int16, int32, int64, bool)
}
_ALIASES: Final[dict[str, dtype]] = {
    "half": half,
    "float": float,
    "double": double,
    "cfloat": cfloat,
    "cdouble": cdouble,
    "short": short,
    "int": int,
    "long": long,
}


def get_default_dtype() -> dtype:
    """The dtype of floating-point factories and of Python floats in promotion: ``float32``."""
    return float32


def to_dtype(value: object) -> dtype:
    """``value`` as a dtype: a dtype, its name (``"float32"``, ``"long"``, ``"torch.int64"``), or the
    Python types ``bool``/``int``/``float``/``complex`` (as PyTorch reads them).

    Raises:
        TypeError: Not a dtype or a dtype name.
    """
    if isinstance(value, dtype):
        return value
    if isinstance(value, str):
        name = value.rsplit(".", 1)[-1]
        found = _BY_NAME.get(name) or _ALIASES.get(name)
        if found is not None:
            return found
    if value is builtins.bool:
        return bool
    if value is builtins.int:
        return int64
    if value is builtins.float:
        return float64
    if value is builtins.complex:
        return complex128
    raise TypeError(f"expected a dtype such as symcore.float32, got {value!r}")


def _complex_of(d: dtype) -> dtype:
    return complex128 if d is float64 or d is complex128 else complex64


def promote_types(a: dtype, b: dtype) -> dtype:
    """The smallest dtype both ``a`` and ``b`` convert to without losing category or size
    (``torch.promote_types``).

    Examples:
        >>> print(promote_types(int32, float16), promote_types(uint8, int8), promote_types(float64, complex64))
        symcore.float16 symcore.int16 symcore.complex128
    """
    if a is b:
        return a
    ca, cb = a._category, b._category
    if ca != cb:
        hi, lo = (a, b) if ca > cb else (b, a)
        if hi._category == _COMPLEX and lo is float64:
            return complex128
        return hi
    if ca == _COMPLEX:
        return a if a._rank >= b._rank else b
    if ca == _FLOAT:
        if a._rank == b._rank:  # float16 with bfloat16
            return float32
        return a if a._rank > b._rank else b
    # Integers: uint8 with a signed type needs a signed type holding both.
    if a is uint8 or b is uint8:
        other = b if a is uint8 else a
        return int16 if other is int8 else other
    return a if a._rank >= b._rank else b


def _scalar_dtype(value: object) -> dtype | None:
    if isinstance(value, builtins.bool) or type(value).__name__ == "SymBool":
        return bool
    if isinstance(value, builtins.int) or type(value).__name__ == "SymInt":
        return int64
    if isinstance(value, builtins.float) or type(value).__name__ == "SymFloat":
        return get_default_dtype()
    if isinstance(value, builtins.complex):
        return complex64
    return None


def _combine(higher: dtype | None, lower: dtype | None) -> dtype | None:
    """Result of a group of higher priority with one of lower priority: the higher group wins
    unless the lower one is of a higher category."""
    if higher is None:
        return lower
    if lower is None or lower._category <= higher._category:
        return higher
    if lower._category == _COMPLEX and higher._category == _FLOAT:
        return _complex_of(higher)
    return lower


def result_type(*operands: Any) -> dtype:
    """The dtype of an elementwise op on ``operands`` (tensors, Python numbers, symbolic numbers),
    as ``torch.result_type``.

    Raises:
        TypeError: An operand is neither a tensor nor a number, or there are none.

    Examples:
        >>> from symcore.tensor import empty
        >>> print(result_type(empty(2, dtype=int32), 2.5), result_type(empty(2, dtype=int8), 300))
        symcore.float32 symcore.int8
    """
    dims: dtype | None = None
    zeros: dtype | None = None
    wrapped: dtype | None = None
    for op in operands:
        d = getattr(op, "dtype", None)
        if isinstance(d, dtype) and hasattr(op, "ndim"):
            if op.ndim == 0:
                zeros = d if zeros is None else promote_types(zeros, d)
            else:
                dims = d if dims is None else promote_types(dims, d)
            continue
        s = _scalar_dtype(op)
        if s is None:
            raise TypeError(f"result_type: expected tensors or numbers, got {type(op).__name__}")
        wrapped = s if wrapped is None else promote_types(wrapped, s)
    result = _combine(dims, _combine(zeros, wrapped))
    if result is None:
        raise TypeError("result_type: needs at least one operand")
    return result


def can_cast(from_: dtype, to: dtype) -> builtins.bool:
    """Whether ``from_`` may be cast to ``to`` under the same-kind rule (``torch.can_cast``)."""
    return from_._category <= to._category


_SCALAR_NAMES = {
    "bool": "Bool", "uint8": "Byte", "int8": "Char", "int16": "Short", "int32": "Int", "int64": "Long",
    "float16": "Half", "bfloat16": "BFloat16", "float32": "Float", "float64": "Double",
    "complex64": "ComplexFloat", "complex128": "ComplexDouble",
}  # fmt: skip


def scalar_name(d: dtype) -> str:
    """PyTorch's name of the scalar type in its error messages (``"Long"`` for int64)."""
    return _SCALAR_NAMES.get(d.name, d.name)


def category_name(d: dtype) -> str:
    """``"bool"``, ``"integer"``, ``"floating point"`` or ``"complex"``."""
    return _CATEGORY_NAMES[d._category]
