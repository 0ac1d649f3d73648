"""View and shape-manipulation ops: ``view``/``reshape`` (with ``-1`` inference), ``flatten``,
``unflatten``, ``permute``, ``transpose``, ``squeeze``, ``unsqueeze``, ``expand``, ``repeat``,
``contiguous``, ``narrow``, ``select``, ``split``, ``chunk``, ``cat``, ``stack``, ``roll``,
``flip``, ``tril``/``triu``, ``unfold``, ...

Who uses it: everyone, through ``symcore.ops`` and FakeTensor methods. Views share the input's
strides the way PyTorch's do (transposes permute them, expands give stride 0, slices scale them);
ops that copy return contiguous tensors.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any, Callable

from symcore._core import SymBool, SymInt
from symcore.tensor import dtypes
from symcore.tensor.dtypes import result_type
from symcore.tensor.fake import (
    FakeTensor,
    IntLike,
    check,
    dims_arg,
    fmt_shape,
    guard_eq,
    hint_of,
    int_arg,
    known_eq,
    make,
    maybe_one,
    prod,
    sizes_arg,
    tensor_arg,
    wrap_dim,
)
from symcore.tensor.registry import register

__all__: list[str] = []

_int = int


def _same(a: IntLike, b: IntLike) -> bool:
    """Structural equality without asking the ShapeEnv (cheap; used to cancel factors)."""
    if type(a) is _int and type(b) is _int:
        return a == b
    r = a == b
    if isinstance(r, bool):
        return r
    return r.is_constant and r.hint is True


def _view_of(x: FakeTensor, size: Sequence[IntLike], stride: Sequence[IntLike] | None, offset: IntLike) -> FakeTensor:
    return make(tuple(size), x.dtype, None if stride is None else tuple(stride), offset)


# -- view / reshape ----------------------------------------------------------------------------


def _infer_size(op: str, shape: tuple[IntLike, ...], x: FakeTensor) -> tuple[IntLike, ...]:
    """``shape`` with its ``-1`` (if any) replaced, checked against the input's element count."""
    infer = -1
    for i, s in enumerate(shape):
        if type(s) is _int and s < 0:
            if s != -1:
                raise RuntimeError(f"{op}: invalid shape dimension {s}")
            if infer >= 0:
                raise RuntimeError(f"{op}: only one dimension can be inferred")
            infer = i
    in_sizes = x._size

    def invalid() -> str:
        return f"{op}: shape '{fmt_shape(shape)}' is invalid for input of size {prod(in_sizes)}"

    if infer < 0:
        # Cancel equal factors first so that the common case needs no guard.
        rest_in, rest_out = _cancel(list(in_sizes), list(shape))
        a, b = prod(rest_in), prod(rest_out)
        if not _same(a, b):
            check(a == b, invalid)
        return shape
    known = [s for i, s in enumerate(shape) if i != infer]
    rest_in, rest_out = _cancel(list(in_sizes), known)
    in_int = prod(s for s in rest_in if type(s) is _int)
    in_sym = [s for s in rest_in if type(s) is not _int]
    out_int = prod(s for s in rest_out if type(s) is _int)
    out_sym = [s for s in rest_out if type(s) is not _int]
    inferred: IntLike
    if not out_sym:
        if out_int == 0:
            if prod(in_sizes) == 0 or not in_sym:
                raise RuntimeError(
                    f"{op}: cannot reshape tensor of {prod(in_sizes)} elements into shape {fmt_shape(shape)} because "
                    "the unspecified dimension size -1 can be any value and is ambiguous"
                )
            raise RuntimeError(invalid())
        if in_int % out_int == 0:
            inferred = prod(in_sym) * (in_int // out_int)
        else:
            total = prod(in_sym) * in_int
            check(total % out_int == 0, invalid)
            inferred = total // out_int
    else:
        total, divisor = prod(rest_in), prod(rest_out)
        found = _exact_quotient(rest_in, divisor, total)
        if found is None:
            check(total % divisor == 0, invalid)
            found = total // divisor
        inferred = found
    out = list(shape)
    out[infer] = inferred
    return tuple(out)


def _cancel(a: list[IntLike], b: list[IntLike]) -> tuple[list[IntLike], list[IntLike]]:
    """Removes factors equal on both sides (as multisets)."""
    rest_b: list[IntLike] = []
    for v in b:
        for j, u in enumerate(a):
            if _same(u, v):
                del a[j]
                break
        else:
            rest_b.append(v)
    return a, rest_b


def _exact_quotient(factors: list[IntLike], divisor: IntLike, total: IntLike) -> IntLike | None:
    """``k * prod(subset)`` for an int ``k`` and a subset of the symbolic ``factors`` such that it
    times ``divisor`` is ``total`` (so the quotient needs no division in the graph), or None."""
    symbolic = [f for f in factors if type(f) is not _int]
    th, dh = hint_of(total), hint_of(divisor)
    if len(symbolic) > 8 or th is None or not dh or th % dh:
        return None
    qh = th // dh
    for r in range(len(symbolic) + 1):
        for subset in itertools.combinations(symbolic, r):
            base = prod(subset)
            ph = hint_of(base)
            if not ph or qh % ph:
                continue
            cand = base * (qh // ph)
            if _same(cand * divisor, total):
                return cand
    return None


def _compute_stride(
    old_size: Sequence[IntLike],
    old_stride: Sequence[IntLike],
    new_size: Sequence[IntLike],
    decide: Callable[[Any], bool | None],
) -> list[IntLike] | None:
    """Strides that view ``old`` memory as ``new_size`` (PyTorch's documented view rule: each
    new dimension must span old dimensions that are contiguous with each other), or None. ``decide``
    answers the size comparisons (with a guard, or only when provable)."""
    if not old_size:
        return [1] * len(new_size)
    new_stride: list[IntLike] = [0] * len(new_size)
    view_d = len(new_size) - 1
    chunk_base = old_stride[-1]
    tensor_numel: IntLike = 1
    view_numel: IntLike = 1
    for tensor_d in range(len(old_size) - 1, -1, -1):
        tensor_numel = tensor_numel * old_size[tensor_d]
        boundary = tensor_d == 0
        if not boundary:
            if not maybe_one(old_size[tensor_d - 1]):
                contiguous_with = decide(old_stride[tensor_d - 1] == tensor_numel * chunk_base)
                if contiguous_with is None:
                    return None
                boundary = not contiguous_with
        if boundary:
            while view_d >= 0:
                # Take view dims until they cover the chunk: for ints compare, for symbolic sizes
                # stop when the products are the same expression (no guard); the equality check
                # below catches an overshoot.
                if type(view_numel) is _int and type(tensor_numel) is _int:
                    more = view_numel < tensor_numel
                else:
                    more = not _same(view_numel, tensor_numel)
                if not more and not maybe_one(new_size[view_d]):
                    break
                new_stride[view_d] = view_numel * chunk_base
                view_numel = view_numel * new_size[view_d]
                view_d -= 1
            eq = decide(view_numel == tensor_numel)
            if not eq:
                return None
            if tensor_d > 0:
                chunk_base = old_stride[tensor_d - 1]
                tensor_numel = 1
                view_numel = 1
    if view_d != -1:
        return None
    return new_stride


def _decide_guarded(cond: Any) -> bool:
    known = _decide_static(cond)
    return bool(cond) if known is None else known


def _decide_static(cond: Any) -> bool | None:
    if isinstance(cond, bool):
        return cond
    assert isinstance(cond, SymBool)
    if cond.is_constant:
        return bool(cond.hint)
    env = cond.shape_env
    if env is None:
        return None
    if env.statically_known_true(cond):
        return True
    if env.statically_known_false(cond):
        return False
    return None


def _reshape_impl(op: str, x: FakeTensor, shape: tuple[IntLike, ...], *, copy_ok: bool) -> FakeTensor:
    new = _infer_size(op, shape, x)
    if x._stride is None:
        return make(new, x.dtype, None, x._offset)
    contiguous = x.is_contiguous()
    if contiguous is True:
        return make(new, x.dtype, None, x._offset)
    stride = _compute_stride(x._size, x._stride, new, _decide_static if copy_ok else _decide_guarded)
    if stride is not None:
        return make(new, x.dtype, stride, x._offset)
    if copy_ok:
        return make(new, x.dtype)
    raise RuntimeError(
        f"{op}: view size is not compatible with input tensor's size and stride (at least one dimension spans "
        f"across two contiguous subspaces): size {fmt_shape(x._size)}, stride {fmt_shape(x._stride)}, "
        f"view {fmt_shape(new)}. Use .reshape(...) instead."
    )


@register("view", method=True)
def view(input: FakeTensor, *shape: Any) -> FakeTensor:
    """``x.view(*shape)`` (one ``-1`` is inferred); ``x.view(dtype)`` reinterprets the element type.

    Raises:
        RuntimeError: The element count differs, or the strides do not allow a view.
    """
    x = tensor_arg(input, "view")
    if len(shape) == 1 and isinstance(shape[0], (dtypes.dtype, str)):
        d = dtypes.to_dtype(shape[0])
        if d.itemsize != x.dtype.itemsize:
            if not x._size:
                raise RuntimeError("view: self.dim() cannot be 0 to view with a different element size")
            size = list(x._size)
            size[-1] = size[-1] * x.dtype.itemsize // d.itemsize
            return make(size, d)
        return make(x._size, d, x._stride, x._offset)
    return _reshape_impl("view", x, sizes_arg(shape, "view"), copy_ok=False)


@register("reshape", method=True)
def reshape(input: FakeTensor, *shape: Any) -> FakeTensor:
    """``torch.reshape``: a view when the strides allow it, otherwise a contiguous copy.

    Raises:
        RuntimeError: The element count differs.
    """
    x = tensor_arg(input, "reshape")
    return _reshape_impl("reshape", x, sizes_arg(shape, "reshape"), copy_ok=True)


@register("view_as", method=True, function=False)
def view_as(input: FakeTensor, other: FakeTensor) -> FakeTensor:
    """``x.view(other.shape)``."""
    return view(input, tensor_arg(other, "view_as", "other", 2)._size)


@register("reshape_as", method=True, function=False)
def reshape_as(input: FakeTensor, other: FakeTensor) -> FakeTensor:
    """``x.reshape(other.shape)``."""
    return reshape(input, tensor_arg(other, "reshape_as", "other", 2)._size)


@register("flatten", method=True)
def flatten(input: FakeTensor, start_dim: int = 0, end_dim: int = -1) -> FakeTensor:
    """Merges dims ``start_dim..end_dim`` into one.

    Raises:
        RuntimeError: ``start_dim`` comes after ``end_dim``.
    """
    x = tensor_arg(input, "flatten")
    if x.ndim == 0:
        return reshape(x, (1,))
    s = wrap_dim(start_dim, x.ndim, "flatten")
    e = wrap_dim(end_dim, x.ndim, "flatten")
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return x
    size = (*x._size[:s], prod(x._size[s : e + 1]), *x._size[e + 1 :])
    return _reshape_impl("flatten", x, size, copy_ok=True)


@register("unflatten", method=True)
def unflatten(input: FakeTensor, dim: int, sizes: Sequence[Any]) -> FakeTensor:
    """Splits ``dim`` into ``sizes`` (one ``-1`` is inferred).

    Raises:
        RuntimeError: ``sizes`` is empty or does not multiply to the size of ``dim``.
    """
    x = tensor_arg(input, "unflatten")
    d = wrap_dim(dim, x.ndim, "unflatten")
    new = sizes_arg((sizes,), "unflatten", "sizes")
    if not new:
        raise RuntimeError("unflatten: sizes must be non-empty")
    part = make((x._size[d],), x.dtype)
    inner = _infer_size("unflatten", new, part)
    return _reshape_impl("unflatten", x, (*x._size[:d], *inner, *x._size[d + 1 :]), copy_ok=False)


# -- permutations ------------------------------------------------------------------------------


@register("permute", method=True)
def permute(input: FakeTensor, *dims: Any) -> FakeTensor:
    """Reorders the dimensions (a view).

    Raises:
        RuntimeError: Wrong number of dims, or a repeated dim.
    """
    x = tensor_arg(input, "permute")
    order = sizes_arg(dims, "permute", "dims")
    if len(order) != x.ndim:
        raise RuntimeError(
            "permute(sparse_coo): number of dimensions in the tensor input does not match the length of the "
            f"desired ordering of dimensions i.e. input.dim() = {x.ndim} is not equal to len(dims) = {len(order)}"
        )
    wrapped = [wrap_dim(d, x.ndim, "permute") for d in order]
    if len(set(wrapped)) != len(wrapped):
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    if wrapped == list(range(x.ndim)):
        return _view_of(x, x._size, x._stride, x._offset)
    stride = x._strides()
    return _view_of(x, [x._size[d] for d in wrapped], [stride[d] for d in wrapped], x._offset)


@register("transpose", method=True, aliases=("swapaxes", "swapdims"))
def transpose(input: FakeTensor, dim0: int, dim1: int) -> FakeTensor:
    """Swaps two dimensions (a view)."""
    x = tensor_arg(input, "transpose")
    a = wrap_dim(dim0, x.ndim, "transpose")
    b = wrap_dim(dim1, x.ndim, "transpose")
    if a == b:
        return _view_of(x, x._size, x._stride, x._offset)
    size, stride = list(x._size), list(x._strides())
    size[a], size[b] = size[b], size[a]
    stride[a], stride[b] = stride[b], stride[a]
    return _view_of(x, size, stride, x._offset)


@register("t", method=True)
def t(input: FakeTensor) -> FakeTensor:
    """Transposes a tensor of at most 2 dimensions.

    Raises:
        RuntimeError: More than 2 dimensions.
    """
    x = tensor_arg(input, "t")
    if x.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {x.ndim}D")
    return transpose(x, 0, 1) if x.ndim == 2 else x


@register("adjoint", method=True)
def adjoint(input: FakeTensor) -> FakeTensor:
    """Swaps the last two dimensions (``x.mT``).

    Raises:
        RuntimeError: Fewer than 2 dimensions.
    """
    x = tensor_arg(input, "adjoint")
    if x.ndim < 2:
        raise RuntimeError(f"tensor.mT is only supported on matrices or batches of matrices. Got {x.ndim}-D tensor.")
    return transpose(x, -2, -1)


@register("numpy_T", function=False)
def numpy_T(input: FakeTensor) -> FakeTensor:
    """``x.T``: all dimensions reversed."""
    x = tensor_arg(input, "T")
    return permute(x, *range(x.ndim - 1, -1, -1))


setattr(FakeTensor, "T", property(numpy_T, doc="All dimensions reversed."))  # noqa: B010
setattr(FakeTensor, "mT", property(adjoint, doc="The last two dimensions swapped."))  # noqa: B010
setattr(FakeTensor, "mH", property(adjoint, doc="The last two dimensions swapped (no data to conjugate)."))  # noqa: B010
setattr(FakeTensor, "H", property(numpy_T, doc="All dimensions reversed (no data to conjugate)."))  # noqa: B010


@register("movedim", method=True, aliases=("moveaxis",))
def movedim(input: FakeTensor, source: Any, destination: Any) -> FakeTensor:
    """Moves dims ``source`` to positions ``destination``.

    Raises:
        RuntimeError: The two lists differ in length or repeat a dim.
    """
    x = tensor_arg(input, "movedim")
    src = [source] if isinstance(source, _int) else list(source)
    dst = [destination] if isinstance(destination, _int) else list(destination)
    if len(src) != len(dst):
        raise RuntimeError(
            f"movedim: Invalid source or destination dims: source ({src} dims) should contain the same number of "
            f"dims as destination ({dst} dims)"
        )
    s = [wrap_dim(d, x.ndim, "movedim") for d in src]
    t_ = [wrap_dim(d, x.ndim, "movedim") for d in dst]
    if len(set(s)) != len(s) or len(set(t_)) != len(t_):
        raise RuntimeError("movedim: repeated dim in `source` or `destination`")
    order: list[int | None] = [None] * x.ndim
    for a, b in zip(s, t_):
        order[b] = a
    rest = iter(d for d in range(x.ndim) if d not in s)
    perm = [next(rest) if o is None else o for o in order]
    return permute(x, perm)


# -- adding and removing dimensions ------------------------------------------------------------


@register("squeeze", method=True)
def squeeze(input: FakeTensor, dim: Any = None) -> FakeTensor:
    """Removes size-1 dims (all, or those in ``dim``); symbolic sizes count as not 1 unless their
    hint is 1 (PyTorch's size-oblivious rule)."""
    x = tensor_arg(input, "squeeze")
    dims = set(dims_arg(dim, x.ndim, "squeeze")) if x.ndim else set()
    stride = x._strides()
    keep = [i for i in range(x.ndim) if i not in dims or not maybe_one(x._size[i])]
    if len(keep) == x.ndim:
        return _view_of(x, x._size, x._stride, x._offset)
    return _view_of(x, [x._size[i] for i in keep], None if x._stride is None else [stride[i] for i in keep], x._offset)


@register("unsqueeze", method=True)
def unsqueeze(input: FakeTensor, dim: int) -> FakeTensor:
    """Inserts a size-1 dim at ``dim`` (in ``[-ndim-1, ndim]``)."""
    x = tensor_arg(input, "unsqueeze")
    d = wrap_dim(dim, x.ndim + 1, "unsqueeze")
    size = list(x._size)
    size.insert(d, 1)
    if x._stride is None:
        return make(size, x.dtype, None, x._offset)
    stride = list(x._stride)
    stride.insert(d, stride[d] * x._size[d] if d < x.ndim else 1)
    return make(size, x.dtype, stride, x._offset)


@register("expand", method=True)
def expand(input: FakeTensor, *sizes: Any, implicit: bool = False) -> FakeTensor:
    """Broadcasts to ``sizes`` (``-1`` keeps a dim); expanded dims get stride 0 (a view).

    Raises:
        RuntimeError: Fewer sizes than dims, or a non-1 dim that differs from its target.
    """
    x = tensor_arg(input, "expand")
    target = sizes_arg(sizes, "expand")
    if len(target) < x.ndim:
        raise RuntimeError(
            f"expand: the number of sizes provided ({len(target)}) must be greater or equal to the number of "
            f"dimensions in the tensor ({x.ndim})"
        )
    lead = len(target) - x.ndim
    in_stride = x._strides()
    size: list[IntLike] = []
    stride: list[IntLike] = []
    changed = lead > 0
    for i, want in enumerate(target):
        if i < lead:
            if type(want) is _int and want < 0:
                raise RuntimeError(
                    f"expand: The expanded size of the tensor ({want}) isn't allowed in a leading, non-existing "
                    f"dimension {i}"
                )
            size.append(want)
            stride.append(0)
            continue
        have = x._size[i - lead]
        if type(want) is _int and want == -1:
            size.append(have)
            stride.append(in_stride[i - lead])
            continue
        if type(want) is _int and want < -1:
            raise RuntimeError(f"expand: invalid size {want}")
        if known_eq(have, want):
            size.append(have)
            stride.append(in_stride[i - lead])
        elif maybe_one(have):
            size.append(want)
            stride.append(0)
            changed = True
        else:
            check(
                have == want,
                _expand_msg(want, have, i, target, x._size),
            )
            size.append(have)
            stride.append(in_stride[i - lead])
    if not changed:
        return _view_of(x, size, x._stride, x._offset)
    return make(size, x.dtype, stride, x._offset)


def _expand_msg(want: Any, have: Any, i: int, target: Any, sizes: Any) -> Callable[[], str]:
    return lambda: (
        f"expand: The expanded size of the tensor ({want}) must match the existing size ({have}) at non-singleton "
        f"dimension {i}.  Target sizes: {fmt_shape(target)}.  Tensor sizes: {fmt_shape(sizes)}"
    )


@register("expand_as", method=True, function=False)
def expand_as(input: FakeTensor, other: FakeTensor) -> FakeTensor:
    """``x.expand(other.shape)``."""
    return expand(input, tensor_arg(other, "expand_as", "other", 2)._size)


@register("broadcast_to", method=True)
def broadcast_to(input: FakeTensor, size: Sequence[Any]) -> FakeTensor:
    """``x.expand(size)``."""
    return expand(input, size)


@register("broadcast_tensors")
def broadcast_tensors(*tensors: FakeTensor) -> tuple[FakeTensor, ...]:
    """Every tensor expanded to the broadcast shape."""
    from symcore.tensor.fake import broadcast_shapes

    ts = [tensor_arg(t_, "broadcast_tensors", "tensors", i + 1) for i, t_ in enumerate(tensors)]
    shape = broadcast_shapes(*(t_._size for t_ in ts), op="broadcast_tensors")
    return tuple(expand(t_, shape) for t_ in ts)


@register("repeat", method=True, function=False)
def repeat(input: FakeTensor, *repeats: Any) -> FakeTensor:
    """Tiles the tensor ``repeats`` times along each dim (a copy).

    Raises:
        RuntimeError: Fewer repeats than dims.
    """
    x = tensor_arg(input, "repeat")
    reps = sizes_arg(repeats, "repeat", "repeats")
    if len(reps) < x.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor")
    for r in reps:
        check(r >= 0, lambda: f"repeat: Trying to create tensor with negative dimension: {fmt_shape(reps)}")
    padded = (1,) * (len(reps) - x.ndim) + tuple(x._size)
    return make([s * r for s, r in zip(padded, reps)], x.dtype)


@register("tile", method=True)
def tile(input: FakeTensor, dims: Sequence[Any]) -> FakeTensor:
    """``repeat`` with missing leading repeats taken as 1."""
    x = tensor_arg(input, "tile")
    reps = sizes_arg((dims,), "tile", "dims")
    reps = (1,) * (x.ndim - len(reps)) + reps
    return repeat(x, reps)


@register("repeat_interleave", method=True)
def repeat_interleave(
    input: FakeTensor, repeats: Any, dim: int | None = None, *, output_size: Any = None
) -> FakeTensor:
    """Repeats each element ``repeats`` times along ``dim`` (flattened when None). A tensor of
    repeats gives a data-dependent length (an unbacked symbol) unless ``output_size`` is given."""
    x = tensor_arg(input, "repeat_interleave")
    if dim is None:
        x = reshape(x, (-1,))
        d = 0
    else:
        d = wrap_dim(dim, x.ndim, "repeat_interleave")
    size = list(x._size)
    if isinstance(repeats, FakeTensor):
        r = repeats._size[0] if repeats.ndim == 1 else 1
        if type(r) is _int and type(size[d]) is _int and r not in (1, size[d]):
            raise RuntimeError(
                "repeats must have the same size as input along dim, but got "
                f"repeats.size(0) = {r} and input.size({d}) = {size[d]}"
            )
        if output_size is not None:
            size[d] = int_arg(output_size, "repeat_interleave", "output_size")
        else:
            size[d] = _unbacked_like(x, size[d])
    else:
        size[d] = size[d] * int_arg(repeats, "repeat_interleave", "repeats")
    return make(size, x.dtype)


def _unbacked_like(x: FakeTensor, near: IntLike) -> IntLike:
    from symcore.tensor.ops_index import new_unbacked

    return new_unbacked(x, "repeat_interleave")


@register("contiguous", method=True, function=False)
def contiguous(input: FakeTensor, memory_format: Any = None) -> FakeTensor:
    """The tensor itself when it is contiguous, else a contiguous copy."""
    x = tensor_arg(input, "contiguous")
    if x._stride is None or x.is_contiguous() is True:
        return x
    return make(x._size, x.dtype)


@register("as_strided", method=True)
def as_strided(input: FakeTensor, size: Sequence[Any], stride: Sequence[Any], storage_offset: Any = None) -> FakeTensor:
    """A view with the given sizes and strides.

    Raises:
        RuntimeError: ``size`` and ``stride`` differ in length.
    """
    x = tensor_arg(input, "as_strided")
    sz = sizes_arg((size,), "as_strided")
    st = sizes_arg((stride,), "as_strided", "stride")
    if len(sz) != len(st):
        raise RuntimeError(f"as_strided: mismatch in length of strides and shape ({len(st)} vs {len(sz)})")
    return make(sz, x.dtype, st, x._offset if storage_offset is None else storage_offset)


# -- slicing -----------------------------------------------------------------------------------


@register("narrow", method=True)
def narrow(input: FakeTensor, dim: int, start: Any, length: Any) -> FakeTensor:
    """Elements ``start .. start+length`` of ``dim`` (a view).

    Raises:
        RuntimeError: The range is outside the dim.
        IndexError: ``dim`` out of range.
    """
    x = tensor_arg(input, "narrow")
    if x.ndim == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    d = wrap_dim(dim, x.ndim, "narrow")
    n = x._size[d]
    s = int_arg(start, "narrow", "start")
    ln = int_arg(length, "narrow", "length")
    if type(s) is _int and s < 0:
        s = s + n
    check(ln >= 0, lambda: "narrow(): length must be non-negative.")
    check(
        (s >= 0) & (s <= n - ln)
        if not (type(s) is _int and type(ln) is _int and type(n) is _int)
        else 0 <= s <= n - ln,
        lambda: f"start ({start}) + length ({length}) exceeds dimension size ({n}).",
    )
    return _slice_dim(x, d, s, ln, 1)


def _slice_dim(x: FakeTensor, d: int, start: IntLike, length: IntLike, step: IntLike) -> FakeTensor:
    size = list(x._size)
    size[d] = length
    stride = list(x._strides())
    offset = x._offset + start * stride[d] if not (type(start) is _int and start == 0) else x._offset
    stride[d] = stride[d] * step
    return make(size, x.dtype, stride, offset)


@register("select", method=True)
def select(input: FakeTensor, dim: int, index: Any) -> FakeTensor:
    """The slice at ``index`` of ``dim``, with that dim removed (a view).

    Raises:
        IndexError: ``index`` out of range.
    """
    x = tensor_arg(input, "select")
    if x.ndim == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = wrap_dim(dim, x.ndim, "select")
    n = x._size[d]
    i = int_arg(index, "select", "index")
    check(
        (i >= -n) & (i < n) if not (type(i) is _int and type(n) is _int) else -n <= i < n,
        lambda: f"select(): index {index} out of range for tensor of size {fmt_shape(x._size)} at dimension {d}",
        IndexError,
    )
    if type(i) is _int and i < 0:
        i = i + n
    stride = x._strides()
    return make(
        x._size[:d] + x._size[d + 1 :],
        x.dtype,
        None if x._stride is None and d == 0 else stride[:d] + stride[d + 1 :],
        x._offset + i * stride[d],
    )


@register("unbind", method=True)
def unbind(input: FakeTensor, dim: int = 0) -> tuple[FakeTensor, ...]:
    """One tensor per index of ``dim`` (its size becomes a guard when symbolic)."""
    x = tensor_arg(input, "unbind")
    d = wrap_dim(dim, x.ndim, "unbind")
    return tuple(select(x, d, i) for i in range(_int(x._size[d])))


@register("split", method=True)
def split(input: FakeTensor, split_size_or_sections: Any, dim: int = 0) -> tuple[FakeTensor, ...]:
    """Pieces of ``split_size`` along ``dim`` (the last may be smaller), or pieces of the listed sizes.
    The number of pieces must be known, so a symbolic count becomes a guard.

    Raises:
        RuntimeError: Listed sizes that do not sum to the dim's size; a split size of 0 on a
            non-empty dim.
    """
    x = tensor_arg(input, "split")
    d = wrap_dim(dim, x.ndim, "split")
    n = x._size[d]
    if isinstance(split_size_or_sections, (list, tuple)):
        return split_with_sizes(x, split_size_or_sections, d)
    size = int_arg(split_size_or_sections, "split", "split_size")
    check(size >= 0, lambda: f"split expects split_size be non-negative, but got split_size={size}")
    if type(size) is _int and size == 0:
        if not guard_eq(n, 0):
            raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got dimension size of {n}")
        return (x,)
    count = _int(-(-n // size)) if type(n) is _int and type(size) is _int else _int((n + size - 1) // size)
    count = max(count, 1)
    out = []
    for k in range(count):
        start = k * size
        length = size if k < count - 1 else n - start
        out.append(_slice_dim(x, d, start, length, 1))
    return tuple(out)


@register("split_with_sizes", method=True)
def split_with_sizes(input: FakeTensor, split_sizes: Sequence[Any], dim: int = 0) -> tuple[FakeTensor, ...]:
    """Pieces of the listed sizes along ``dim``.

    Raises:
        RuntimeError: The sizes do not sum to the dim's size, or one is negative.
    """
    x = tensor_arg(input, "split_with_sizes")
    d = wrap_dim(dim, x.ndim, "split_with_sizes")
    sizes = sizes_arg((split_sizes,), "split_with_sizes", "split_sizes")
    n = x._size[d]
    for s in sizes:
        check(s >= 0, lambda: f"split_with_sizes expects split_sizes have only non-negative entries, got {sizes}")
    total = sum(sizes[1:], sizes[0]) if sizes else 0
    if not _same(total, n):
        check(
            total == n,
            lambda: (
                f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's size at dimension "
                f"{d}), but got split_sizes={fmt_shape(sizes)}"
            ),
        )
    out = []
    start: IntLike = 0
    for s in sizes:
        out.append(_slice_dim(x, d, start, s, 1))
        start = start + s
    return tuple(out)


@register("tensor_split", method=True)
def tensor_split(input: FakeTensor, indices_or_sections: Any, dim: int = 0) -> tuple[FakeTensor, ...]:
    """``n`` nearly equal pieces (the first ``size % n`` one larger), or pieces between indices."""
    x = tensor_arg(input, "tensor_split")
    d = wrap_dim(dim, x.ndim, "tensor_split")
    n = x._size[d]
    if isinstance(indices_or_sections, (list, tuple)):
        # each piece is input[a:b]: like a slice, an index past the end stops at the end
        bounds = [0, *(_min_len(i, n) for i in sizes_arg((indices_or_sections,), "tensor_split", "indices")), n]
        return tuple(_slice_dim(x, d, a, _clamp_len(b - a), 1) for a, b in zip(bounds[:-1], bounds[1:]))
    k = _int(int_arg(indices_or_sections, "tensor_split", "sections"))
    if k <= 0:
        raise RuntimeError(f"number of sections must be larger than 0, got {k}")
    base, extra = n // k, n % k
    out = []
    start: IntLike = 0
    for i in range(k):
        ln = base + 1 if guard_eq(i < extra, True) else base
        out.append(_slice_dim(x, d, start, ln, 1))
        start = start + ln
    return tuple(out)


def _min_len(i: IntLike, n: IntLike) -> IntLike:
    if type(i) is _int and type(n) is _int:
        return min(i, n)
    from symcore._core import sym_min

    out: IntLike = sym_min(i, n)
    return out


def _clamp_len(v: IntLike) -> IntLike:
    if type(v) is _int:
        return max(v, 0)
    from symcore._core import sym_max

    out: IntLike = sym_max(v, 0)
    return out


@register("chunk", method=True)
def chunk(input: FakeTensor, chunks: int, dim: int = 0) -> tuple[FakeTensor, ...]:
    """``split`` with pieces of ``ceil(size / chunks)``.

    Raises:
        RuntimeError: ``chunks`` is not positive.
    """
    x = tensor_arg(input, "chunk")
    if not isinstance(chunks, _int) or chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    d = wrap_dim(dim, x.ndim, "chunk")
    n = x._size[d]
    size = (n + chunks - 1) // chunks
    if type(size) is _int and size == 0:
        return (x,)
    return split(x, size, d)


# -- joining -----------------------------------------------------------------------------------


@register("cat", aliases=("concat", "concatenate"))
def cat(tensors: Sequence[FakeTensor], dim: int = 0, *, out: Any = None) -> FakeTensor:
    """Joins tensors along ``dim``; the other dims must agree (guards when symbolic). 1-d empty
    tensors are skipped, as in PyTorch.

    Raises:
        RuntimeError: Empty list, different ranks, or mismatched sizes.
        TypeError: Not a sequence of tensors.
    """
    if not isinstance(tensors, (list, tuple)):
        raise TypeError(
            f"cat(): argument 'tensors' (position 1) must be tuple of Tensors, not {type(tensors).__name__}"
        )
    ts = [tensor_arg(t_, "cat", "tensors", 1) for t_ in tensors]
    if not ts:
        raise RuntimeError("torch.cat(): expected a non-empty list of Tensors")
    ts_used = [t_ for t_ in ts if not (t_.ndim == 1 and type(t_._size[0]) is _int and t_._size[0] == 0)]
    d_type = result_type(*ts)
    if not ts_used:
        return make((0,), d_type)
    ref = ts_used[0]
    if ref.ndim == 0:
        raise RuntimeError("zero-dimensional tensor (at position 0) cannot be concatenated")
    d = wrap_dim(dim, ref.ndim, "cat")
    total: IntLike = 0
    for k, t_ in enumerate(ts_used):
        if t_.ndim != ref.ndim:
            raise RuntimeError(
                f"Tensors must have same number of dimensions: got {ref.ndim} and {t_.ndim} (cat of "
                f"{', '.join(fmt_shape(u._size) for u in ts)})"
            )
        for i in range(ref.ndim):
            if i == d or known_eq(t_._size[i], ref._size[i]):
                continue
            a, b, kk = ref._size[i], t_._size[i], k
            check(
                a == b,
                _cat_msg(d, a, b, kk),
            )
        total = total + t_._size[d]
    size = list(ref._size)
    size[d] = total
    return make(size, d_type)


def _cat_msg(d: int, a: Any, b: Any, k: int) -> Callable[[], str]:
    return lambda: (
        f"cat: Sizes of tensors must match except in dimension {d}. Expected size {a} but got size {b} for tensor "
        f"number {k} in the list."
    )


@register("stack")
def stack(tensors: Sequence[FakeTensor], dim: int = 0, *, out: Any = None) -> FakeTensor:
    """Joins equally-shaped tensors along a new dim.

    Raises:
        RuntimeError: Empty list or tensors of different shapes.
    """
    if not isinstance(tensors, (list, tuple)):
        raise TypeError(
            f"stack(): argument 'tensors' (position 1) must be tuple of Tensors, not {type(tensors).__name__}"
        )
    ts = [tensor_arg(t_, "stack", "tensors", 1) for t_ in tensors]
    if not ts:
        raise RuntimeError("stack expects a non-empty TensorList")
    ref = ts[0]
    d = wrap_dim(dim, ref.ndim + 1, "stack")
    for k, t_ in enumerate(ts[1:], 1):
        same = t_.ndim == ref.ndim and all(known_eq(a, b) or guard_eq(a, b) for a, b in zip(ref._size, t_._size))
        if not same:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {fmt_shape(ref._size)} at entry 0 and "
                f"{fmt_shape(t_._size)} at entry {k}"
            )
    size = list(ref._size)
    size.insert(d, len(ts))
    return make(size, result_type(*ts))


@register("hstack")
def hstack(tensors: Sequence[FakeTensor], *, out: Any = None) -> FakeTensor:
    """``cat`` along dim 1 (dim 0 for 1-d tensors)."""
    ts = [tensor_arg(t_, "hstack", "tensors") for t_ in tensors]
    ts = [reshape(t_, (1,)) if t_.ndim == 0 else t_ for t_ in ts]
    return cat(ts, 0 if ts and ts[0].ndim == 1 else 1)


@register("vstack")
def vstack(tensors: Sequence[FakeTensor], *, out: Any = None) -> FakeTensor:
    """``cat`` along dim 0 of the tensors made at least 2-d."""
    ts = [tensor_arg(t_, "vstack", "tensors") for t_ in tensors]
    ts = [reshape(t_, (1, -1)) if t_.ndim < 2 else t_ for t_ in ts]
    return cat(ts, 0)


# -- same-shape rearrangements -----------------------------------------------------------------


@register("roll", method=True)
def roll(input: FakeTensor, shifts: Any, dims: Any = None) -> FakeTensor:
    """Same shape (a copy).

    Raises:
        RuntimeError: ``shifts`` and ``dims`` differ in length.
    """
    x = tensor_arg(input, "roll")
    s = [shifts] if not isinstance(shifts, (list, tuple)) else list(shifts)
    if dims is not None:
        ds = [dims] if not isinstance(dims, (list, tuple)) else list(dims)
        if len(ds) != len(s):
            raise RuntimeError(f"roll: shifts and dimensions must align. shifts: {len(s)}, dims:{len(ds)}")
        for d in ds:
            wrap_dim(d, x.ndim, "roll")
    elif len(s) != 1:
        raise RuntimeError(f"roll: shifts and dimensions must align. shifts: {len(s)}, dims:0")
    return make(x._size, x.dtype)


@register("flip", method=True)
def flip(input: FakeTensor, dims: Any) -> FakeTensor:
    """Same shape (a copy)."""
    x = tensor_arg(input, "flip")
    dims_arg(list(dims) if isinstance(dims, (list, tuple)) else [dims], x.ndim, "flip")
    return make(x._size, x.dtype)


def _tri(name: str) -> Callable[..., FakeTensor]:
    def rule(input: FakeTensor, diagonal: int = 0, *, out: Any = None) -> FakeTensor:
        x = tensor_arg(input, name)
        if x.ndim < 2:
            raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions")
        return make(x._size, x.dtype)

    rule.__name__ = name
    rule.__doc__ = f"``torch.{name}``: same shape, needs at least 2 dims."
    return rule


tril = register("tril", method=True)(_tri("tril"))
triu = register("triu", method=True)(_tri("triu"))


@register("unfold", method=True, function=False)
def unfold(input: FakeTensor, dimension: int, size: Any, step: Any) -> FakeTensor:
    """``x.unfold(dim, size, step)``: windows of ``size`` every ``step`` along ``dim``, the window
    as a new last dim (a view).

    Raises:
        RuntimeError: ``size`` larger than the dim, or ``step`` not positive.
    """
    x = tensor_arg(input, "unfold")
    d = wrap_dim(dimension, max(x.ndim, 1), "unfold")
    n = x._size[d] if x.ndim else 1
    sz = int_arg(size, "unfold", "size")
    st = int_arg(step, "unfold", "step")
    check(st > 0, lambda: f"unfold: step is {step} but must be > 0")
    check(sz <= n, lambda: f"unfold: maximum size for tensor at dimension {d} is {n} but size is {size}")
    if not x.ndim:
        return make((sz,), x.dtype)
    count = (n - sz) // st + 1
    stride = list(x._strides())
    new_size = list(x._size)
    new_size[d] = count
    new_stride = list(stride)
    new_stride[d] = stride[d] * st
    return make([*new_size, sz], x.dtype, [*new_stride, stride[d]], x._offset)


@register("diagonal", method=True)
def diagonal(input: FakeTensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> FakeTensor:
    """The diagonal of dims ``dim1``/``dim2`` as a new last dim."""
    from symcore._core import sym_max, sym_min

    x = tensor_arg(input, "diagonal")
    a, b = wrap_dim(dim1, x.ndim, "diagonal"), wrap_dim(dim2, x.ndim, "diagonal")
    if a == b:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    n, m = x._size[a], x._size[b]
    length: IntLike
    if offset >= 0:
        length = sym_max(sym_min(n, m - offset), 0)
    else:
        length = sym_max(sym_min(n + offset, m), 0)
    if isinstance(length, SymInt) and length.is_constant:
        length = length.hint or 0
    rest = [s for i, s in enumerate(x._size) if i not in (a, b)]
    return make([*rest, length], x.dtype)
