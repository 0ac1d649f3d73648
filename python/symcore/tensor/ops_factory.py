"""Factories: ``empty``, ``empty_strided``, ``zeros``, ``ones``, ``full``, ``arange``, ``eye``,
``linspace``, ``rand``/``randn``/``randint``, ``tensor``, the ``*_like`` functions and the
``x.new_*`` methods.

Who uses it: everyone; sizes may be ints or SymInts (``symcore.zeros(b, 8)``). ``device``,
``requires_grad``, ``pin_memory``, ``layout`` and ``memory_format`` are accepted and ignored.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from symcore._core import SymFloat, SymInt
from symcore.tensor import dtypes
from symcore.tensor.dtypes import dtype, to_dtype
from symcore.tensor.fake import (
    FakeTensor,
    IntLike,
    _check_size_arg,
    check,
    int_arg,
    make,
    tensor_arg,
)
from symcore.tensor.registry import register

__all__: list[str] = []

_IGNORED = ("device", "requires_grad", "pin_memory", "layout", "memory_format", "generator", "out", "names")


def _dtype(value: Any, default: dtype) -> dtype:
    return default if value is None else to_dtype(value)


def _check_kwargs(op: str, kwargs: dict[str, Any]) -> None:
    for k in kwargs:
        if k not in _IGNORED:
            raise TypeError(f"{op}() got an unexpected keyword argument '{k}'")


def _factory(name: str) -> Any:
    def rule(*size: Any, dtype: Any = None, **kwargs: Any) -> FakeTensor:
        _check_kwargs(name, kwargs)
        return make(_check_size_arg(size, name), _dtype(dtype, dtypes.get_default_dtype()))

    rule.__name__ = name
    rule.__doc__ = f"``torch.{name}(*size, dtype=None)``: a new contiguous tensor (default dtype float32)."
    return rule


empty = register("empty")(_factory("empty"))
zeros = register("zeros")(_factory("zeros"))
ones = register("ones")(_factory("ones"))
rand = register("rand")(_factory("rand"))
randn = register("randn")(_factory("randn"))


@register("empty_strided")
def empty_strided(size: Sequence[Any], stride: Sequence[Any], *, dtype: Any = None, **kwargs: Any) -> FakeTensor:
    """A tensor with the given sizes and strides.

    Raises:
        RuntimeError: ``size`` and ``stride`` differ in length, or a negative size.
    """
    _check_kwargs("empty_strided", kwargs)
    sz = _check_size_arg((size,), "empty_strided")
    st = _check_size_arg((stride,), "empty_strided")
    if len(sz) != len(st):
        raise RuntimeError(f"empty_strided: mismatch in length of strides and shape ({len(st)} vs {len(sz)})")
    return make(sz, _dtype(dtype, dtypes.get_default_dtype()), st)


def _fill_dtype(value: Any) -> dtype:
    if isinstance(value, bool):
        return dtypes.bool
    if isinstance(value, (int, SymInt)):
        return dtypes.int64
    if isinstance(value, complex):
        return dtypes.complex64
    return dtypes.get_default_dtype()


@register("full")
def full(size: Sequence[Any], fill_value: Any, *, dtype: Any = None, **kwargs: Any) -> FakeTensor:
    """A tensor of ``size`` filled with ``fill_value``; the dtype follows the value (bool, int64,
    float32) unless given."""
    _check_kwargs("full", kwargs)
    return make(_check_size_arg((size,), "full"), _dtype(dtype, _fill_dtype(fill_value)))


@register("randint")
def randint(*args: Any, dtype: Any = None, **kwargs: Any) -> FakeTensor:
    """``randint(high, size)`` or ``randint(low, high, size)``: int64 by default."""
    _check_kwargs("randint", kwargs)
    size = kwargs.pop("size", None) if "size" in kwargs else None
    if size is None:
        if not args:
            raise TypeError("randint() missing required argument 'size'")
        size = args[-1]
    return make(_check_size_arg((size,), "randint"), _dtype(dtype, dtypes.int64))


def _is_float(x: Any) -> bool:
    return isinstance(x, (float, SymFloat))


@register("arange")
def arange(start: Any, end: Any = None, step: Any = 1, *, dtype: Any = None, **kwargs: Any) -> FakeTensor:
    """``arange(end)``, ``arange(start, end[, step])``: ``ceil((end - start) / step)`` elements;
    int64 unless a bound is a float (then the default dtype).

    Raises:
        RuntimeError: ``step`` is 0, or its sign disagrees with the range.
    """
    _check_kwargs("arange", kwargs)
    if end is None:
        start, end = 0, start
    for v, what in ((start, "start"), (end, "end"), (step, "step")):
        if not isinstance(v, (int, float, SymInt, SymFloat)):
            raise TypeError(f"arange(): argument '{what}' must be Number, not {type(v).__name__}")
    floating = _is_float(start) or _is_float(end) or _is_float(step)
    d = _dtype(dtype, dtypes.get_default_dtype() if floating else dtypes.int64)
    if isinstance(step, (int, float)) and step == 0:
        raise RuntimeError("arange: step must be nonzero")
    length: IntLike
    if floating:
        length = math.ceil((end - start) / step)
        if not isinstance(length, int):
            length = int_arg(length, "arange", "length")
    else:
        if isinstance(step, int) and step > 0:
            length = (end - start + step - 1) // step
        elif isinstance(step, int):
            length = (start - end + (-step) - 1) // (-step)
        else:
            length = (end - start + step - 1) // step
    if isinstance(length, int):
        if length < 0:
            raise RuntimeError(
                f"arange: upper bound and larger bound inconsistent with step sign (start={start}, "
                f"end={end}, step={step})"
            )
    else:
        check(
            length >= 0,
            lambda: (
                f"arange: upper bound and larger bound inconsistent with step sign (start={start}, "
                f"end={end}, step={step})"
            ),
        )
    return make((length,), d)


@register("linspace")
def linspace(start: Any, end: Any, steps: Any, *, dtype: Any = None, **kwargs: Any) -> FakeTensor:
    """``steps`` evenly spaced values (default dtype)."""
    _check_kwargs("linspace", kwargs)
    n = int_arg(steps, "linspace", "steps")
    check(n >= 0, lambda: "linspace: number of steps must be non-negative")
    return make((n,), _dtype(dtype, dtypes.get_default_dtype()))


@register("eye")
def eye(n: Any, m: Any = None, *, dtype: Any = None, **kwargs: Any) -> FakeTensor:
    """An ``[n, m]`` identity (``m`` defaults to ``n``)."""
    _check_kwargs("eye", kwargs)
    rows = int_arg(n, "eye", "n")
    cols = rows if m is None else int_arg(m, "eye", "m")
    return make(_check_size_arg((rows, cols), "eye"), _dtype(dtype, dtypes.get_default_dtype()))


def _data_shape(data: Any, depth: int = 0) -> tuple[list[int], dtype]:
    if isinstance(data, FakeTensor):
        return list(data._size), data.dtype
    if isinstance(data, (list, tuple)):
        if depth > 64:
            raise ValueError("tensor(): data nests too deeply")
        if not data:
            return [0], dtypes.get_default_dtype()
        shapes = [_data_shape(d, depth + 1) for d in data]
        first = shapes[0][0]
        for s, _ in shapes[1:]:
            if s != first:
                raise ValueError(
                    f"expected sequence of length {first[0] if first else 0} at dim {depth + 1} (got "
                    f"{s[0] if s else 0})"
                )
        d = shapes[0][1]
        for _, e in shapes[1:]:
            d = dtypes.promote_types(d, e)
        return [len(data), *first], d
    if isinstance(data, (bool, int, float, complex, SymInt, SymFloat)):
        return [], _fill_dtype(data)
    raise TypeError(f"tensor(): could not infer dtype of {type(data).__name__}")


@register("tensor", aliases=("as_tensor", "asarray"))
def tensor(data: Any, *, dtype: Any = None, **kwargs: Any) -> FakeTensor:
    """A tensor with the shape of nested lists ``data`` (the values are dropped)."""
    _check_kwargs("tensor", kwargs)
    shape, d = _data_shape(data)
    return make(tuple(shape), _dtype(dtype, d))


@register("scalar_tensor")
def scalar_tensor(s: Any, *, dtype: Any = None, **kwargs: Any) -> FakeTensor:
    """A 0-d tensor (default dtype)."""
    _check_kwargs("scalar_tensor", kwargs)
    return make((), _dtype(dtype, dtypes.get_default_dtype()))


# -- *_like and new_* --------------------------------------------------------------------------


def _like(name: str, fill: bool = False) -> Any:
    def rule(input: FakeTensor, *args: Any, dtype: Any = None, **kwargs: Any) -> FakeTensor:
        _check_kwargs(name, kwargs)
        x = tensor_arg(input, name)
        if fill and not args:
            raise TypeError(f"{name}() missing required argument 'fill_value'")
        return make(x._size, _dtype(dtype, x.dtype))

    rule.__name__ = name
    rule.__doc__ = f"``torch.{name}``: a contiguous tensor with the input's shape and (by default) dtype."
    return rule


empty_like = register("empty_like")(_like("empty_like"))
zeros_like = register("zeros_like")(_like("zeros_like"))
ones_like = register("ones_like")(_like("ones_like"))
rand_like = register("rand_like")(_like("rand_like"))
randn_like = register("randn_like")(_like("randn_like"))
full_like = register("full_like")(_like("full_like", fill=True))


def _new(name: str, fill: bool = False) -> Any:
    def rule(input: FakeTensor, *size: Any, dtype: Any = None, **kwargs: Any) -> FakeTensor:
        _check_kwargs(name, kwargs)
        x = tensor_arg(input, name)
        if fill:
            if len(size) != 2:
                raise TypeError(f"{name}() takes a size and a fill_value")
            size = (size[0],)
        return make(_check_size_arg(size, name), _dtype(dtype, x.dtype))

    rule.__name__ = name
    rule.__doc__ = f"``x.{name}(size)``: a new tensor of ``size`` with ``x``'s dtype by default."
    return rule


new_empty = register("new_empty", method=True, function=False)(_new("new_empty"))
new_zeros = register("new_zeros", method=True, function=False)(_new("new_zeros"))
new_ones = register("new_ones", method=True, function=False)(_new("new_ones"))
new_full = register("new_full", method=True, function=False)(_new("new_full", fill=True))


@register("new_tensor", method=True, function=False)
def new_tensor(input: FakeTensor, data: Any, *, dtype: Any = None, **kwargs: Any) -> FakeTensor:
    """``tensor(data)`` with ``x``'s dtype by default."""
    x = tensor_arg(input, "new_tensor")
    shape, _ = _data_shape(data)
    return make(tuple(shape), _dtype(dtype, x.dtype))
