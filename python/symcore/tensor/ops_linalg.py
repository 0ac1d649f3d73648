"""Matrix products: ``matmul`` (every rank combination, batch broadcasting), ``mm``, ``bmm``,
``addmm``, ``baddbmm``, ``dot``, ``mv``, ``outer``, ``linear``, ``bilinear``, ``einsum``.

Who uses it: everyone, through ``symcore.ops``, ``symcore.nn.functional`` and FakeTensor
methods (``x @ w``). The contracted sizes must agree: provably different sizes raise PyTorch's
RuntimeError; symbolic ones become a guard (``[s0, s1] @ [s2, 4]`` guards ``s1 == s2``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Callable

from symcore.tensor.dtypes import dtype, result_type
from symcore.tensor.fake import (
    FakeTensor,
    IntLike,
    broadcast_shapes,
    check,
    fmt_shape,
    known_eq,
    make,
    prod,
    tensor_arg,
)
from symcore.tensor.registry import register

__all__: list[str] = []


def _same_dtype(op: str, a: FakeTensor, b: FakeTensor) -> dtype:
    if a.dtype is not b.dtype:
        raise RuntimeError(
            f"{op}: expected m1 and m2 to have the same dtype, but got: {a.dtype.name} != {b.dtype.name}"
        )
    return a.dtype


def _inner(op: str, k1: IntLike, k2: IntLike, message: Callable[[], str]) -> None:
    if not known_eq(k1, k2):
        check(k1 == k2, message)


def _mm_message(op: str, a: Sequence[Any], b: Sequence[Any]) -> Callable[[], str]:
    return lambda: f"{op}: mat1 and mat2 shapes cannot be multiplied ({a[0]}x{a[1]} and {b[0]}x{b[1]})"


@register("matmul", method=True, dunder="__matmul__", rdunder="__rmatmul__")
def matmul(input: FakeTensor, other: FakeTensor, *, out: Any = None) -> FakeTensor:
    """``torch.matmul``: dot (1-d @ 1-d), matrix-vector, vector-matrix, matrix-matrix, and batched
    products with broadcast batch dims; a 1-d operand gets a dim prepended (left) or appended
    (right) that is removed again.

    Raises:
        RuntimeError: A 0-d operand, different dtypes, or contracted sizes that differ.
    """
    a = tensor_arg(input, "matmul")
    b = tensor_arg(other, "matmul", "other", 2)
    if a.ndim == 0 or b.ndim == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {a.ndim}D and {b.ndim}D")
    d = _same_dtype("matmul", a, b)
    if a.ndim == 1 and b.ndim == 1:
        return dot(a, b)
    a_mat = a._size if a.ndim >= 2 else (1, a._size[0])
    b_mat = b._size if b.ndim >= 2 else (b._size[0], 1)
    n, k1 = a_mat[-2], a_mat[-1]
    k2, m = b_mat[-2], b_mat[-1]
    if a.ndim <= 2 and b.ndim <= 2:
        message = _mm_message("matmul", a_mat, b_mat)
    else:
        message = _batched_message(a._size, b._size)
    _inner("matmul", k1, k2, message)
    batch = broadcast_shapes(a_mat[:-2], b_mat[:-2], op="matmul") if a.ndim > 2 or b.ndim > 2 else ()
    size = (*batch, *((n,) if a.ndim >= 2 else ()), *((m,) if b.ndim >= 2 else ()))
    return make(size, d)


def _batched_message(a: Sequence[Any], b: Sequence[Any]) -> Callable[[], str]:
    return lambda: (
        f"matmul: Expected size for the contracted dimension to match: {fmt_shape(a)} @ {fmt_shape(b)} "
        f"({a[-1]} != {b[-2] if len(b) >= 2 else b[-1]})"
    )


@register("mm", method=True)
def mm(input: FakeTensor, mat2: FakeTensor, *, out: Any = None) -> FakeTensor:
    """``[n, k] @ [k, m]``.

    Raises:
        RuntimeError: Not matrices, different dtypes, or ``k`` differs.
    """
    a = tensor_arg(input, "mm")
    b = tensor_arg(mat2, "mm", "mat2", 2)
    if a.ndim != 2:
        raise RuntimeError(f"mm: self must be a matrix, got a {a.ndim}-D tensor of shape {fmt_shape(a._size)}")
    if b.ndim != 2:
        raise RuntimeError(f"mm: mat2 must be a matrix, got a {b.ndim}-D tensor of shape {fmt_shape(b._size)}")
    d = _same_dtype("mm", a, b)
    _inner("mm", a._size[1], b._size[0], _mm_message("mm", a._size, b._size))
    return make((a._size[0], b._size[1]), d)


@register("bmm", method=True)
def bmm(input: FakeTensor, mat2: FakeTensor, *, out: Any = None) -> FakeTensor:
    """``[b, n, k] @ [b, k, m]`` (no broadcasting).

    Raises:
        RuntimeError: Not 3-d, or the batch or contracted sizes differ.
    """
    a = tensor_arg(input, "bmm")
    b = tensor_arg(mat2, "bmm", "mat2", 2)
    if a.ndim != 3:
        raise RuntimeError(f"bmm: batch1 must be a 3D tensor, got shape {fmt_shape(a._size)}")
    if b.ndim != 3:
        raise RuntimeError(f"bmm: batch2 must be a 3D tensor, got shape {fmt_shape(b._size)}")
    d = _same_dtype("bmm", a, b)
    bs, n, k = a._size
    expected = (bs, k)

    def message() -> str:
        return (
            f"bmm: Expected size for first two dimensions of batch2 tensor to be: {fmt_shape(expected)} but got: "
            f"{fmt_shape(b._size[:2])}."
        )

    _inner("bmm", bs, b._size[0], message)
    _inner("bmm", k, b._size[1], message)
    return make((bs, n, b._size[2]), d)


@register("addmm", method=True)
def addmm(input: FakeTensor, mat1: FakeTensor, mat2: FakeTensor, *, beta: Any = 1, alpha: Any = 1) -> FakeTensor:
    """``beta * input + alpha * (mat1 @ mat2)``; ``input`` broadcasts to the product."""
    prod_ = mm(mat1, mat2)
    _broadcast_into("addmm", tensor_arg(input, "addmm"), prod_._size)
    return prod_


@register("baddbmm", method=True)
def baddbmm(input: FakeTensor, batch1: FakeTensor, batch2: FakeTensor, *, beta: Any = 1, alpha: Any = 1) -> FakeTensor:
    """``beta * input + alpha * (batch1 @ batch2)``; ``input`` broadcasts to the product."""
    prod_ = bmm(batch1, batch2)
    _broadcast_into("baddbmm", tensor_arg(input, "baddbmm"), prod_._size)
    return prod_


def _broadcast_into(op: str, x: FakeTensor, target: tuple[IntLike, ...]) -> None:
    if x.ndim > len(target) or len(broadcast_shapes(target, x._size, op=op)) != len(target):
        raise RuntimeError(f"{op}: shape {fmt_shape(x._size)} cannot be broadcast to {fmt_shape(target)}")


@register("dot", method=True)
def dot(input: FakeTensor, other: FakeTensor, *, out: Any = None) -> FakeTensor:
    """The 0-d product of two equally long 1-d tensors.

    Raises:
        RuntimeError: Not 1-d, or lengths differ.
    """
    a = tensor_arg(input, "dot")
    b = tensor_arg(other, "dot", "other", 2)
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {a.ndim}D and {b.ndim}D tensors")
    d = _same_dtype("dot", a, b)
    n, m = a._size[0], b._size[0]
    _inner(
        "dot",
        n,
        m,
        lambda: (
            f"dot: inconsistent tensor size, expected tensor [{n}] and src [{m}] to have the same number of "
            f"elements, but got {n} and {m} elements respectively"
        ),
    )
    return make((), d)


@register("mv", method=True)
def mv(input: FakeTensor, vec: FakeTensor, *, out: Any = None) -> FakeTensor:
    """``[n, k] @ [k]``."""
    a = tensor_arg(input, "mv")
    v = tensor_arg(vec, "mv", "vec", 2)
    if a.ndim != 2 or v.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got {a.ndim}, {v.ndim}")
    return matmul(a, v)


@register("outer", method=True, aliases=("ger",))
def outer(input: FakeTensor, vec2: FakeTensor, *, out: Any = None) -> FakeTensor:
    """``[n] x [m] -> [n, m]``."""
    a = tensor_arg(input, "outer")
    b = tensor_arg(vec2, "outer", "vec2", 2)
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(f"outer: expected 1D tensors, got {a.ndim}D and {b.ndim}D")
    return make((a._size[0], b._size[0]), _same_dtype("outer", a, b))


@register("linear", function=False, functional=True, primary="functional")
def linear(input: FakeTensor, weight: FakeTensor, bias: FakeTensor | None = None) -> FakeTensor:
    """``input @ weight.T + bias``: ``[..., in] x [out, in] -> [..., out]``.

    Raises:
        RuntimeError: ``in`` differs, different dtypes, or a bias that does not broadcast.
    """
    x = tensor_arg(input, "linear")
    w = tensor_arg(weight, "linear", "weight", 2)
    if x.ndim == 0:
        raise RuntimeError(f"linear: both arguments to linear need to be at least 1D, but they are 0D and {w.ndim}D")
    if w.ndim not in (1, 2):
        raise RuntimeError(f"linear: weight must be 1-D or 2-D, got shape {fmt_shape(w._size)}")
    d = _same_dtype("linear", x, w)
    k = x._size[-1]
    wk = w._size[-1]
    rows = prod(x._size[:-1])
    out_features = w._size[0] if w.ndim == 2 else 1
    _inner(
        "linear",
        k,
        wk,
        lambda: (
            f"linear: mat1 and mat2 shapes cannot be multiplied ({rows}x{k} and {wk}x{out_features}) "
            f"(input {fmt_shape(x._size)}, weight {fmt_shape(w._size)})"
        ),
    )
    size = (*x._size[:-1], w._size[0]) if w.ndim == 2 else x._size[:-1]
    if bias is not None:
        b = tensor_arg(bias, "linear", "bias", 3)
        _broadcast_into("linear", b, tuple(size))
    return make(size, d)


@register("bilinear", function=False, functional=True, primary="functional")
def bilinear(input1: FakeTensor, input2: FakeTensor, weight: FakeTensor, bias: FakeTensor | None = None) -> FakeTensor:
    """``x1^T A x2 + b``: ``[..., in1], [..., in2], [out, in1, in2] -> [..., out]``."""
    a = tensor_arg(input1, "bilinear")
    b = tensor_arg(input2, "bilinear", "input2", 2)
    w = tensor_arg(weight, "bilinear", "weight", 3)
    if w.ndim != 3:
        raise RuntimeError(f"bilinear(): weight must be 3-D, got {w.ndim}-D")
    _inner("bilinear", a._size[-1], w._size[1], lambda: "bilinear(): input1 size does not match weight size")
    _inner("bilinear", b._size[-1], w._size[2], lambda: "bilinear(): input2 size does not match weight size")
    batch = broadcast_shapes(a._size[:-1], b._size[:-1], op="bilinear")
    return make((*batch, w._size[0]), a.dtype)


# -- einsum ------------------------------------------------------------------------------------


def _parse_operand(term: str, ndim: int, k: int) -> list[str]:
    """Labels of one operand, with ``...`` expanded to ``'.0'``, ``'.1'``, ... (right-aligned)."""
    if term.count("...") > 1:
        raise RuntimeError("einsum(): found more than one ellipsis ('...') in one operand")
    if "..." in term:
        left, right = term.split("...")
        n_ell = ndim - len(left) - len(right)
        if n_ell < 0:
            raise RuntimeError(
                f"einsum(): the number of subscripts in the equation ({len(left) + len(right)}) is more than the "
                f"number of dimensions ({ndim}) for operand {k}"
            )
        labels = list(left) + [f".{i}" for i in range(n_ell)] + list(right)
    else:
        labels = list(term)
        if len(labels) != ndim:
            raise RuntimeError(
                f"einsum(): the number of subscripts in the equation ({len(labels)}) does not match the number of "
                f"dimensions ({ndim}) for operand {k} and no ellipsis was given"
            )
    for c in labels:
        if not (c.startswith(".") or c.isalpha()):
            raise RuntimeError(f"einsum(): invalid subscript given at index {term.index(c)} in the equation string")
    return labels


@register("einsum")
def einsum(equation: str, *operands: Any) -> FakeTensor:
    """``torch.einsum``: sizes of a repeated label must agree (size-1 dims broadcast); ``...``
    broadcasts; without ``->`` the output is the labels that appear once, sorted, after ``...``.

    Raises:
        RuntimeError: Wrong operand count, subscripts that do not match the ranks, or sizes that
            disagree.
    """
    if not isinstance(equation, str):
        raise TypeError(f"einsum(): argument 'equation' must be str, not {type(equation).__name__}")
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    ts = [tensor_arg(o, "einsum", "operands", i + 2) for i, o in enumerate(operands)]
    if not ts:
        raise RuntimeError("einsum(): must provide at least one operand")
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    terms = lhs.split(",")
    if len(terms) != len(ts):
        raise RuntimeError(
            "einsum(): more operands were provided than specified in the equation"
            if len(ts) > len(terms)
            else "einsum(): fewer operands were provided than specified in the equation"
        )
    sizes: dict[str, IntLike] = {}
    ell_shapes: list[tuple[IntLike, ...]] = []
    counts: dict[str, int] = {}
    for k, (term, t_) in enumerate(zip(terms, ts)):
        labels = _parse_operand(term, t_.ndim, k)
        ell = []
        for label, s in zip(labels, t_._size):
            if label.startswith("."):
                ell.append(s)
                continue
            counts[label] = counts.get(label, 0) + 1
            if label not in sizes:
                sizes[label] = s
                continue
            prev = sizes[label]
            if known_eq(prev, s) or (type(s) is int and s == 1):
                continue
            if type(prev) is int and prev == 1:
                sizes[label] = s
                continue
            check(
                prev == s,
                _einsum_message(label, prev, s, k),
            )
        ell_shapes.append(tuple(ell))
    ell_shape = broadcast_shapes(*ell_shapes, op="einsum") if ell_shapes else ()
    if arrow:
        if rhs.count("...") > 1:
            raise RuntimeError("einsum(): found more than one ellipsis ('...') in the output")
        out: list[IntLike] = []
        seen: set[str] = set()
        for part in rhs.replace("...", "\0"):
            if part == "\0":
                out.extend(ell_shape)
                continue
            if part not in sizes:
                raise RuntimeError(
                    f"einsum(): output subscript {part} does not appear in the equation for any input operand"
                )
            if part in seen:
                raise RuntimeError(f"einsum(): output subscript {part} appears more than once in the output")
            seen.add(part)
            out.append(sizes[part])
    else:
        out = [*ell_shape, *(sizes[c] for c in sorted(sizes) if counts[c] == 1)]
    return make(out, result_type(*ts))


def _einsum_message(label: str, a: Any, b: Any, k: int) -> Callable[[], str]:
    return lambda: (
        f"einsum(): subscript {label} has size {b} for operand {k} which does not broadcast with previously seen "
        f"size {a}"
    )
