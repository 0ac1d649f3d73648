"""Indexing: ``x[...]`` (ints, slices with negative bounds and steps, None, Ellipsis, integer
and boolean tensor indices), ``index_select``, ``gather``, ``scatter``, ``index_add``,
``take_along_dim``, and the ops whose output size depends on data: ``nonzero``,
``masked_select``, ``unique`` (their sizes are unbacked symbols, ``u0``, ``u1``, ...).

Who uses it: everyone, through ``symcore.ops`` and FakeTensor methods. Basic indexing returns
views (strides scaled by the step, a storage offset for the start); advanced indexing returns a
new contiguous tensor whose indexed dims are replaced by the broadcast shape of the indices
(in place when the tensor indices are adjacent, in front otherwise), as in PyTorch and NumPy.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator, Sequence
from typing import Any

from symcore._core import SymInt
from symcore.shape_env import ShapeEnv
from symcore.tensor import dtypes
from symcore.tensor._state import STATE
from symcore.tensor.fake import (
    FakeTensor,
    IntLike,
    broadcast_shapes,
    check,
    fmt_shape,
    guard_eq,
    int_arg,
    known_eq,
    make,
    prod,
    tensor_arg,
    wrap_dim,
)
from symcore.tensor.registry import register

__all__ = ["new_unbacked", "use_shape_env"]

_int = int


# -- where data-dependent sizes come from ------------------------------------------------------


class _EnvStack(threading.local):
    envs: list[ShapeEnv]

    def __init__(self) -> None:
        self.envs = []


_ENVS = _EnvStack()


@contextlib.contextmanager
def use_shape_env(env: ShapeEnv) -> Iterator[ShapeEnv]:
    """Within the block, data-dependent sizes of tensors without symbols are made in ``env``."""
    _ENVS.envs.append(env)
    try:
        yield env
    finally:
        _ENVS.envs.pop()


def _env_of(*tensors: FakeTensor) -> ShapeEnv | None:
    for t in tensors:
        for v in (*t._size, *(t._stride or ()), t._offset):
            if isinstance(v, SymInt) and not v.is_constant:
                env = v.shape_env
                if isinstance(env, ShapeEnv):
                    return env
    if isinstance(STATE.env, ShapeEnv):
        return STATE.env
    if _ENVS.envs:
        return _ENVS.envs[-1]
    return None


def new_unbacked(x: FakeTensor, op: str, max_value: IntLike | None = None) -> SymInt:
    """A fresh unbacked size for ``op``'s data-dependent output (range ``[0, max_value]``).

    Raises:
        RuntimeError: No ShapeEnv to make it in (the inputs have no symbols, and there is no trace
            or :func:`use_shape_env` block).
    """
    env = _env_of(x)
    if env is None:
        raise RuntimeError(
            f"{op}: the output size depends on the data; run under symcore.trace or inside "
            "symcore.tensor.use_shape_env(env) so that it can be an unbacked symbol"
        )
    hi = max_value if type(max_value) is _int else None
    return env.unbacked(min=0, max=hi)


# -- x[index] ----------------------------------------------------------------------------------


def _decode(item: Any) -> Any:
    """Graph-encoded index entries back to Python ones (``{"slice": (a, b, c)}``, ``"..."``)."""
    if isinstance(item, dict) and set(item) == {"slice"}:
        a, b, c = item["slice"]
        return slice(a, b, c)
    if isinstance(item, str) and item == "...":
        return Ellipsis
    return item


def _clamp(v: IntLike, n: IntLike) -> IntLike:
    """``v`` (already made non-negative when provably negative) clamped to ``[0, n]``."""
    if type(v) is _int and type(n) is _int:
        return 0 if v < 0 else (n if v > n else v)
    if known_eq(v, n):
        return n
    if type(v) is _int and v == 0:
        return 0
    if not _known(v >= 0):
        if not bool(v >= 0):
            return 0
    if _known(v <= n):
        return v
    return v if bool(v <= n) else n


def _known(cond: Any) -> bool:
    if isinstance(cond, bool):
        return cond
    if cond.is_constant:
        return bool(cond.hint)
    env = cond.shape_env
    return env is not None and bool(env.statically_known_true(cond))


def _normalize(v: Any, n: IntLike, default: IntLike) -> IntLike:
    if v is None:
        return default
    i = int_arg(v, "getitem", "slice bound")
    if type(i) is _int:
        if i < 0:
            i = i + n
            if type(i) is _int and i < 0:
                return 0
            if type(i) is not _int and not _known(i >= 0) and not bool(i >= 0):
                return 0
    elif not _known(i >= 0) and not bool(i >= 0):
        i = i + n
    return _clamp(i, n)


def _slice(x_size: IntLike, x_stride: IntLike, s: slice) -> tuple[IntLike, IntLike, IntLike]:
    """(length, stride, offset delta) of slicing a dim of ``x_size`` with ``s``."""
    step = 1 if s.step is None else int_arg(s.step, "getitem", "slice step")
    if type(step) is not _int:
        check(step > 0, lambda: "step must be greater than zero", ValueError)
    elif step <= 0:
        raise ValueError("step must be greater than zero")
    start = _normalize(s.start, x_size, 0)
    stop = _normalize(s.stop, x_size, x_size)
    if type(start) is _int and type(stop) is _int:
        length: IntLike = max(0, (stop - start + step - 1) // step)
    elif type(start) is _int and start == 0 and step == 1:
        length = stop
    elif _known(stop >= start):
        length = (stop - start + step - 1) // step if not (type(step) is _int and step == 1) else stop - start
    else:
        length = (stop - start + step - 1) // step if bool(stop >= start) else 0
    offset = start * x_stride if not (type(start) is _int and start == 0) else 0
    return length, x_stride * step, offset


@register("getitem", function=True, dunder="__getitem__")
def getitem(input: FakeTensor, index: Any) -> FakeTensor:
    """``x[index]`` with PyTorch's (NumPy's) rules.

    Raises:
        IndexError: Too many indices, two ellipses, an int out of range, a mask of the wrong shape.
        ValueError: A slice step that is not positive.
        TypeError: An unsupported index type.
    """
    x = tensor_arg(input, "getitem")
    items = [_decode(i) for i in (index if isinstance(index, tuple) else (index,))]
    consumed = 0
    for it in items:
        if it is None or it is Ellipsis or isinstance(it, bool):
            continue
        if isinstance(it, FakeTensor) and it.dtype in (dtypes.bool, dtypes.uint8):
            consumed += max(it.ndim, 1)
        else:
            consumed += 1
    if sum(1 for it in items if it is Ellipsis) > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    if consumed > x.ndim:
        raise IndexError(f"too many indices for tensor of dimension {x.ndim}")
    ellipsis = [k for k, it in enumerate(items) if it is Ellipsis]
    if ellipsis:
        k = ellipsis[0]
        items[k : k + 1] = [slice(None)] * (x.ndim - consumed)
    else:
        items.extend([slice(None)] * (x.ndim - consumed))
    strides = x._strides()
    out_size: list[IntLike] = []
    out_stride: list[IntLike] = []
    offset: IntLike = x._offset
    advanced: list[tuple[int, tuple[IntLike, ...]]] = []  # (position in output, index shape)
    dim = 0
    for it in items:
        if it is None:
            out_size.append(1)
            out_stride.append(0)
        elif isinstance(it, bool):
            out_size.append(1 if it else 0)
            out_stride.append(0)
        elif isinstance(it, slice):
            length, st, delta = _slice(x._size[dim], strides[dim], it)
            out_size.append(length)
            out_stride.append(st)
            offset = offset + delta if not (type(delta) is _int and delta == 0) else offset
            dim += 1
        elif isinstance(it, FakeTensor):
            if it.dtype in (dtypes.bool, dtypes.uint8):
                k = max(it.ndim, 1)
                mask_dims = x._size[dim : dim + k]
                for j, (a, b) in enumerate(zip(it._size, mask_dims)):
                    if not known_eq(a, b):
                        check(
                            a == b,
                            _mask_msg(it._size, x._size, j, dim + j),
                            IndexError,
                        )
                count = new_unbacked(x if x.ndim else it, "getitem", prod(mask_dims) if it.ndim else 1)
                advanced.append((len(out_size), (count,)))
                dim += k
            elif it.dtype.is_floating_point or it.dtype.is_complex:
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
            else:
                advanced.append((len(out_size), tuple(it._size)))
                dim += 1
        elif isinstance(it, (list, tuple)):
            for v in it:
                _check_index(v, x._size[dim], dim)
            advanced.append((len(out_size), (len(it),)))
            dim += 1
        elif isinstance(it, (_int, SymInt)) and not isinstance(it, bool):
            i = _check_index(it, x._size[dim], dim)
            offset = offset + i * strides[dim] if not (type(i) is _int and i == 0) else offset
            dim += 1
        else:
            raise TypeError(
                f"getitem: only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are valid "
                f"indices (got {type(it).__name__})"
            )
    if not advanced:
        return make(out_size, x.dtype, out_stride, offset)
    shape = broadcast_shapes(*(s for _, s in advanced), op="index")
    positions = [p for p, _ in advanced]
    # A position is the number of output dims made before that index, so indices with no sliced or
    # new dim between them share one: they are adjacent, and their broadcast shape goes there.
    at = positions[0] if len(set(positions)) == 1 else 0
    return make([*out_size[:at], *shape, *out_size[at:]], x.dtype)


def _mask_msg(mask: Sequence[Any], sizes: Sequence[Any], j: int, dim: int) -> Any:
    return lambda: (
        f"getitem: The shape of the mask {fmt_shape(mask)} at index {j} does not match the shape of the indexed "
        f"tensor {fmt_shape(sizes)} at index {dim}"
    )


def _check_index(v: Any, n: IntLike, dim: int) -> IntLike:
    i = int_arg(v, "getitem", "index")
    if type(i) is _int and type(n) is _int:
        if not -n <= i < n:
            raise IndexError(f"index {i} is out of bounds for dimension {dim} with size {n}")
        return i + n if i < 0 else i
    if type(i) is _int and i < 0:
        check(i + n >= 0, lambda: f"index {i} is out of bounds for dimension {dim} with size {n}", IndexError)
        return i + n
    check(i < n, lambda: f"index {i} is out of bounds for dimension {dim} with size {n}", IndexError)
    return i


def _setitem(self: FakeTensor, index: Any, value: Any) -> None:
    """``x[index] = value``: checks that ``value`` broadcasts to the indexed shape (no data to write;
    not recorded by the tracer)."""
    target = getitem(self, index)
    if isinstance(value, FakeTensor):
        shape = broadcast_shapes(target._size, value._size, op="setitem")
        if len(shape) != target.ndim or value.ndim > target.ndim:
            raise RuntimeError(
                f"setitem: shape mismatch: value tensor of shape {fmt_shape(value._size)} cannot be broadcast to "
                f"indexing result of shape {fmt_shape(target._size)}"
            )


setattr(FakeTensor, "__setitem__", _setitem)  # noqa: B010


# -- index ops ---------------------------------------------------------------------------------


def _index_tensor(idx: Any, op: str, pos: int = 3) -> FakeTensor:
    t = tensor_arg(idx, op, "index", pos)
    if t.dtype not in (dtypes.int64, dtypes.int32):
        raise RuntimeError(f"{op}(): Expected dtype int32/int64 for index, got {t.dtype.name}")
    return t


@register("index_select", method=True)
def index_select(input: FakeTensor, dim: int, index: FakeTensor, *, out: Any = None) -> FakeTensor:
    """The entries of ``dim`` at ``index`` (a vector).

    Raises:
        IndexError: ``index`` has more than 1 dim.
        RuntimeError: ``index`` is not an integer tensor.
    """
    x = tensor_arg(input, "index_select")
    d = wrap_dim(dim, x.ndim, "index_select")
    idx = _index_tensor(index, "index_select")
    if idx.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    size = list(x._size)
    if x.ndim:
        size[d] = idx._size[0] if idx.ndim else 1
    return make(size, x.dtype)


@register("gather", method=True)
def gather(input: FakeTensor, dim: int, index: FakeTensor, *, sparse_grad: bool = False, out: Any = None) -> FakeTensor:
    """Entries of ``input`` along ``dim`` at ``index``: the output has ``index``'s shape.

    Raises:
        RuntimeError: ``index`` has a different rank, a non-integer dtype, or is larger than the
            input outside ``dim``.
    """
    x = tensor_arg(input, "gather")
    d = wrap_dim(dim, x.ndim, "gather")
    idx = _index_tensor(index, "gather")
    if idx.dtype is not dtypes.int64:
        raise RuntimeError("gather(): Expected dtype int64 for index")
    if idx.ndim != x.ndim and not (idx.ndim <= 1 and x.ndim <= 1):
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    for i, (a, b) in enumerate(zip(idx._size, x._size)):
        if i != d and not known_eq(a, b):
            check(
                a <= b,
                _gather_msg(idx._size, x._size, d),
            )
    return make(idx._size, x.dtype)


def _gather_msg(idx: Any, sizes: Any, d: int) -> Any:
    return lambda: (
        f"gather: Size does not match at dimension other than {d}: expected index {fmt_shape(idx)} to be smaller "
        f"than self {fmt_shape(sizes)} apart from dimension {d}"
    )


def _scatter_like(name: str) -> Any:
    def rule(input: FakeTensor, dim: int, index: FakeTensor, src: Any = None, *args: Any, **kwargs: Any) -> FakeTensor:
        x = tensor_arg(input, name)
        wrap_dim(dim, x.ndim, name)
        idx = _index_tensor(index, name)
        if idx.ndim != x.ndim and not (idx.ndim <= 1 and x.ndim <= 1):
            raise RuntimeError("Index tensor must have the same number of dimensions as self tensor")
        return make(x._size, x.dtype)

    rule.__name__ = name
    rule.__doc__ = f"``torch.{name}``: the input's shape."
    return rule


scatter = register("scatter", method=True)(_scatter_like("scatter"))
scatter_add = register("scatter_add", method=True)(_scatter_like("scatter_add"))
_scatter_reduce_shape = _scatter_like("scatter_reduce")


@register("scatter_reduce", method=True)
def scatter_reduce(
    input: FakeTensor, dim: int, index: FakeTensor, src: Any = None, *args: Any, **kwargs: Any
) -> FakeTensor:
    """``torch.scatter_reduce``: the input's shape; ``reduce`` is one of sum, prod, mean, amax, amin."""
    reduce = args[0] if args else kwargs.get("reduce")
    if reduce not in ("sum", "prod", "mean", "amax", "amin"):
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}")
    out: FakeTensor = _scatter_reduce_shape(input, dim, index, src, *args, **kwargs)
    return out


@register("index_add", method=True)
def index_add(input: FakeTensor, dim: int, index: FakeTensor, source: FakeTensor, *, alpha: Any = 1) -> FakeTensor:
    """The input's shape; ``source`` must match it except along ``dim`` (where it has ``len(index)``)."""
    x = tensor_arg(input, "index_add")
    d = wrap_dim(dim, x.ndim, "index_add")
    idx = _index_tensor(index, "index_add")
    src = tensor_arg(source, "index_add", "source", 4)
    if src.ndim != x.ndim:
        raise IndexError(
            f"index_add_(): Source/destination tensor must have same slice shapes ({src.ndim} vs {x.ndim})"
        )
    n = idx._size[0] if idx.ndim else 1
    if not known_eq(src._size[d], n):
        check(src._size[d] == n, lambda: "index_add_(): Number of indices should be equal to source.size(dim)")
    return make(x._size, x.dtype)


@register("take_along_dim", method=True)
def take_along_dim(input: FakeTensor, indices: FakeTensor, dim: int | None = None) -> FakeTensor:
    """``gather`` with broadcasting (flattened input when ``dim`` is None)."""
    x = tensor_arg(input, "take_along_dim")
    idx = _index_tensor(indices, "take_along_dim", 2)
    if dim is None:
        return make(idx._size if idx.ndim else (), x.dtype)
    d = wrap_dim(dim, x.ndim, "take_along_dim")
    if idx.ndim != x.ndim:
        raise RuntimeError("torch.take_along_dim(): input and indices should have the same number of dimensions")
    a = [s for i, s in enumerate(x._size) if i != d]
    b = [s for i, s in enumerate(idx._size) if i != d]
    shape = list(broadcast_shapes(a, b, op="take_along_dim"))
    shape.insert(d, idx._size[d])
    return make(shape, x.dtype)


# -- data-dependent sizes ----------------------------------------------------------------------


@register("nonzero", method=True)
def nonzero(input: FakeTensor, *, out: Any = None, as_tuple: bool = False) -> Any:
    """Indices of the nonzero elements: ``[u, ndim]`` int64, ``u`` a fresh unbacked symbol (or a tuple
    of ``ndim`` tensors ``[u]`` with ``as_tuple=True``)."""
    x = tensor_arg(input, "nonzero")
    u = new_unbacked(x, "nonzero", prod(x._size))
    if as_tuple:
        return tuple(make((u,), dtypes.int64) for _ in range(max(x.ndim, 1)))
    return make((u, x.ndim), dtypes.int64)


@register("argwhere", method=True)
def argwhere(input: FakeTensor) -> FakeTensor:
    """``nonzero(input)``."""
    result: FakeTensor = nonzero(input)
    return result


@register("masked_select", method=True)
def masked_select(input: FakeTensor, mask: FakeTensor, *, out: Any = None) -> FakeTensor:
    """The elements where the (broadcast) mask holds: 1-d, of unbacked length.

    Raises:
        RuntimeError: The mask is not bool, or does not broadcast with the input.
    """
    x = tensor_arg(input, "masked_select")
    m = tensor_arg(mask, "masked_select", "mask", 2)
    if m.dtype is not dtypes.bool:
        raise RuntimeError(f"masked_select: expected BoolTensor for mask, got {m.dtype.name}")
    shape = broadcast_shapes(x._size, m._size, op="masked_select")
    return make((new_unbacked(x if x.free_symbols else m, "masked_select", prod(shape)),), x.dtype)


@register("unique", method=True)
def unique(
    input: FakeTensor,
    sorted: bool = True,
    return_inverse: bool = False,
    return_counts: bool = False,
    dim: int | None = None,
) -> Any:
    """Distinct values: 1-d of unbacked length (along ``dim``: that dim becomes unbacked); with
    ``return_inverse`` also the input-shaped (or ``[size(dim)]``) inverse indices, with
    ``return_counts`` the counts."""
    x = tensor_arg(input, "unique")
    if dim is None:
        u = new_unbacked(x, "unique", prod(x._size))
        values = make((u,), x.dtype)
        inverse = make(x._size, dtypes.int64)
    else:
        d = wrap_dim(dim, x.ndim, "unique")
        u = new_unbacked(x, "unique", x._size[d])
        size = list(x._size)
        size[d] = u
        values = make(size, x.dtype)
        inverse = make((x._size[d],), dtypes.int64)
    out: list[FakeTensor] = [values]
    if return_inverse:
        out.append(inverse)
    if return_counts:
        out.append(make((u,), dtypes.int64))
    return out[0] if len(out) == 1 else tuple(out)


@register("bincount", method=True)
def bincount(input: FakeTensor, weights: FakeTensor | None = None, minlength: int = 0) -> FakeTensor:
    """Counts of each value of a 1-d non-negative int tensor: unbacked length."""
    x = tensor_arg(input, "bincount")
    if x.ndim != 1:
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if x.dtype.is_floating_point or x.dtype.is_complex or x.dtype is dtypes.bool:
        raise RuntimeError(f"\"bincount_cpu\" not implemented for '{x.dtype.name}'")
    if weights is None:
        return make((new_unbacked(x, "bincount"),), dtypes.int64)
    w = tensor_arg(weights, "bincount", "weights", 2)
    if w.ndim != 1 or not guard_eq(w._size[0], x._size[0]):
        raise RuntimeError("weights should be 1-d and have the same length as input")
    # float32 weights accumulate in float32, any other weights in double
    return make((new_unbacked(x, "bincount"),), dtypes.float32 if w.dtype is dtypes.float32 else dtypes.float64)
