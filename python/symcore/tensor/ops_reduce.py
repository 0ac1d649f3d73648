"""Reductions and scans: ``sum``, ``mean``, ``prod``, ``amax``/``amin``, ``max``/``min``,
``argmax``/``argmin``, ``std``/``var``, ``norm``, ``logsumexp``, ``all``/``any``,
``count_nonzero``, ``softmax``/``log_softmax``, ``cumsum``/``cumprod``, ``topk``, ``sort``,
``argsort``.

Who uses it: everyone, through ``symcore.ops``, ``symcore.nn.functional`` and FakeTensor
methods. ``dim`` may be an int, a sequence of ints or None (all dims); ``keepdim=True`` keeps
reduced dims as size 1. Ops returning values and indices return a named tuple, as PyTorch's
``torch.return_types``.
"""

from __future__ import annotations

from typing import Any, Callable, NamedTuple

from symcore.tensor import dtypes
from symcore.tensor.dtypes import dtype, to_dtype
from symcore.tensor.fake import FakeTensor, IntLike, check, dims_arg, int_arg, make, tensor_arg, wrap_dim
from symcore.tensor.registry import register

__all__ = ["ValuesIndices"]


class ValuesIndices(NamedTuple):
    """``(values, indices)``, as ``torch.return_types.max`` / ``topk`` / ``sort``."""

    values: FakeTensor
    indices: FakeTensor


def _reduced(x: FakeTensor, dims: tuple[int, ...], keepdim: bool) -> list[IntLike]:
    if keepdim:
        return [1 if i in dims else s for i, s in enumerate(x._size)]
    return [s for i, s in enumerate(x._size) if i not in dims]


def _float_only(op: str, d: dtype) -> None:
    if not (d.is_floating_point or d.is_complex):
        raise RuntimeError(
            f"{op}(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. "
            f"Got: {d.name.capitalize()}"
        )


def _reduction(name: str, kind: str) -> Callable[..., FakeTensor]:
    """``kind``: "sum" (ints widen to int64), "mean" (floating only), "same", "bool", "float"."""

    def rule(
        input: FakeTensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None, out: Any = None
    ) -> FakeTensor:
        x = tensor_arg(input, name)
        if dim == () and name in ("amax", "amin"):
            dim = None
        dims = dims_arg(dim, x.ndim, name) if x.ndim else ()
        d = x.dtype if dtype is None else to_dtype(dtype)
        if kind == "sum" and dtype is None and not (d.is_floating_point or d.is_complex):
            d = dtypes.int64
        elif kind == "mean":
            _float_only(name, d)
        elif kind == "bool":
            d = dtypes.bool
        elif kind == "float" and not (d.is_floating_point or d.is_complex):
            d = dtypes.get_default_dtype()
        return make(_reduced(x, dims, keepdim), d)

    rule.__name__ = name
    rule.__doc__ = f"``torch.{name}`` over ``dim`` (all dims when None)."
    return rule


sum = register("sum", method=True)(_reduction("sum", "sum"))
prod = register("prod", method=True)(_reduction("prod", "sum"))
mean = register("mean", method=True)(_reduction("mean", "mean"))
nansum = register("nansum", method=True)(_reduction("nansum", "sum"))
nanmean = register("nanmean", method=True)(_reduction("nanmean", "mean"))
amax = register("amax", method=True)(_reduction("amax", "same"))
amin = register("amin", method=True)(_reduction("amin", "same"))
logsumexp = register("logsumexp", method=True)(_reduction("logsumexp", "float"))
all = register("all", method=True)(_reduction("all", "bool"))
any = register("any", method=True)(_reduction("any", "bool"))


def _count(input: FakeTensor, dim: Any = None) -> FakeTensor:
    x = tensor_arg(input, "count_nonzero")
    dims = dims_arg(dim, x.ndim, "count_nonzero") if x.ndim else ()
    return make(_reduced(x, dims, False), dtypes.int64)


count_nonzero = register("count_nonzero", method=True)(_count)


def _arg_reduction(name: str) -> Callable[..., FakeTensor]:
    def rule(input: FakeTensor, dim: int | None = None, keepdim: bool = False) -> FakeTensor:
        x = tensor_arg(input, name)
        if dim is None:
            return make([1] * x.ndim if keepdim else (), dtypes.int64)
        d = wrap_dim(dim, x.ndim, name)
        return make(_reduced(x, (d,) if x.ndim else (), keepdim), dtypes.int64)

    rule.__name__ = name
    rule.__doc__ = f"Indices (int64) of ``torch.{name}`` along ``dim`` (of the flattened input when None)."
    return rule


argmax = register("argmax", method=True)(_arg_reduction("argmax"))
argmin = register("argmin", method=True)(_arg_reduction("argmin"))


def _minmax(name: str, pairwise: str) -> Callable[..., Any]:
    def rule(input: FakeTensor, dim: Any = None, keepdim: bool = False, *, out: Any = None) -> Any:
        x = tensor_arg(input, name)
        if isinstance(dim, FakeTensor):
            from symcore.tensor.registry import op_info

            return op_info(pairwise).fn(x, dim)
        if dim is None:
            return make((), x.dtype)
        d = wrap_dim(dim, x.ndim, name)
        size = _reduced(x, (d,) if x.ndim else (), keepdim)
        return ValuesIndices(make(size, x.dtype), make(size, dtypes.int64))

    rule.__name__ = name
    rule.__doc__ = (
        f"``torch.{name}``: of all elements (0-d), along ``dim`` (``(values, indices)``), or the elementwise "
        f"``{pairwise}`` with a tensor."
    )
    return rule


max = register("max", method=True)(_minmax("max", "maximum"))
min = register("min", method=True)(_minmax("min", "minimum"))


def _var_like(name: str) -> Callable[..., FakeTensor]:
    def rule(
        input: FakeTensor,
        dim: Any = None,
        unbiased: Any = None,
        keepdim: bool = False,
        *,
        correction: Any = None,
        out: Any = None,
    ) -> FakeTensor:
        x = tensor_arg(input, name)
        if isinstance(dim, bool):  # std(x, unbiased)
            dim = None
        _float_only(name, x.dtype)
        dims = dims_arg(dim, x.ndim, name) if x.ndim else ()
        return make(_reduced(x, dims, keepdim), x.dtype)

    rule.__name__ = name
    rule.__doc__ = f"``torch.{name}`` over ``dim`` (floating inputs)."
    return rule


std = register("std", method=True)(_var_like("std"))
var = register("var", method=True)(_var_like("var"))


@register("norm", method=True)
def norm(input: FakeTensor, p: Any = "fro", dim: Any = None, keepdim: bool = False, dtype: Any = None) -> FakeTensor:
    """``torch.norm`` over ``dim`` (all when None); the result is floating."""
    x = tensor_arg(input, "norm")
    dims = dims_arg(dim, x.ndim, "norm") if x.ndim else ()
    d = x.dtype if dtype is None else to_dtype(dtype)
    if not (d.is_floating_point or d.is_complex):
        raise RuntimeError(f"linalg.vector_norm: Expected a floating point or complex tensor as input. Got {d.name}")
    if d is dtypes.complex64:
        d = dtypes.float32
    elif d is dtypes.complex128:
        d = dtypes.float64
    return make(_reduced(x, dims, keepdim), d)


def _softmax_like(name: str) -> Callable[..., FakeTensor]:
    def rule(input: FakeTensor, dim: int | None = None, _stacklevel: int = 3, dtype: Any = None) -> FakeTensor:
        x = tensor_arg(input, name)
        if dim is None:
            dim = 0 if x.ndim in (0, 1, 3) else 1  # PyTorch's legacy implicit dim
        wrap_dim(dim, x.ndim, name)
        d = x.dtype if dtype is None else to_dtype(dtype)
        if not d.is_floating_point:
            raise RuntimeError(f"\"{name}_lastdim_kernel_impl\" not implemented for '{d.name}'")
        return make(x._size, d)

    rule.__name__ = name
    rule.__doc__ = f"``torch.{name}`` along ``dim``: same shape (floating inputs)."
    return rule


softmax = register("softmax", method=True, functional=True)(_softmax_like("softmax"))
log_softmax = register("log_softmax", method=True, functional=True)(_softmax_like("log_softmax"))
softmin = register("softmin", function=False, functional=True, primary="functional")(_softmax_like("softmin"))


def _scan(name: str) -> Callable[..., FakeTensor]:
    def rule(input: FakeTensor, dim: int, *, dtype: Any = None, out: Any = None) -> FakeTensor:
        x = tensor_arg(input, name)
        wrap_dim(dim, x.ndim, name)
        d = x.dtype if dtype is None else to_dtype(dtype)
        if dtype is None and not (d.is_floating_point or d.is_complex):
            d = dtypes.int64
        return make(x._size, d)

    rule.__name__ = name
    rule.__doc__ = f"``torch.{name}`` along ``dim``: same shape; integer inputs accumulate in int64."
    return rule


cumsum = register("cumsum", method=True)(_scan("cumsum"))
cumprod = register("cumprod", method=True)(_scan("cumprod"))


@register("topk", method=True)
def topk(input: FakeTensor, k: Any, dim: int = -1, largest: bool = True, sorted: bool = True) -> ValuesIndices:
    """The ``k`` largest (or smallest) elements along ``dim`` and their indices.

    Raises:
        RuntimeError: ``k`` larger than the dim, or negative.
    """
    x = tensor_arg(input, "topk")
    d = wrap_dim(dim, x.ndim, "topk")
    kk = int_arg(k, "topk", "k")
    n = x._size[d] if x.ndim else 1
    check(
        (kk >= 0) & (kk <= n) if not isinstance(kk, int) or not isinstance(n, int) else 0 <= kk <= n,
        lambda: f"topk: selected index k out of range (k={k}, size of dim {d} is {n})",
    )
    size = list(x._size)
    if x.ndim:
        size[d] = kk
    return ValuesIndices(make(size, x.dtype), make(size, dtypes.int64))


@register("sort", method=True)
def sort(input: FakeTensor, dim: int = -1, descending: bool = False, stable: bool = False) -> ValuesIndices:
    """Sorted values along ``dim`` and their indices (same shape)."""
    x = tensor_arg(input, "sort")
    wrap_dim(dim, x.ndim, "sort")
    return ValuesIndices(make(x._size, x.dtype), make(x._size, dtypes.int64))


@register("argsort", method=True)
def argsort(input: FakeTensor, dim: int = -1, descending: bool = False, stable: bool = False) -> FakeTensor:
    """Indices that sort along ``dim`` (int64, same shape)."""
    x = tensor_arg(input, "argsort")
    wrap_dim(dim, x.ndim, "argsort")
    return make(x._size, dtypes.int64)
