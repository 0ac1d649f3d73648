"""Neural-network ops (``symcore.nn.functional``): convolutions, transposed convolutions, pooling,
adaptive pooling, ``interpolate``, ``pad``, ``pixel_shuffle``, ``unfold``/``fold``, the
normalisations, ``embedding``, ``one_hot``, ``scaled_dot_product_attention`` and losses.

Who uses it: ``symcore.nn`` modules and ported model code. Output sizes use PyTorch's documented
formulas, e.g. a convolution's ``floor((in + 2*padding - dilation*(kernel-1) - 1) / stride) + 1``;
with symbolic sizes they are SymInt expressions, and the validity checks become guards.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Callable

from symcore._core import SymFloat, SymInt
from symcore.tensor import dtypes
from symcore.tensor.dtypes import to_dtype
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
    maybe_one,
    prod,
    tensor_arg,
    wrap_dim,
)
from symcore.tensor.registry import register

__all__: list[str] = []

_int = int


def _ntuple(value: Any, n: int, op: str, name: str) -> tuple[IntLike, ...]:
    if isinstance(value, (list, tuple)):
        if len(value) == 1:
            value = value[0]
        elif len(value) != n:
            raise RuntimeError(
                f"{op}: expected {name} to be a single integer value or a list of {n} values, got {value}"
            )
        else:
            return tuple(int_arg(v, op, name) for v in value)
    v = int_arg(value, op, name)
    return (v,) * n


def _spatial_input(op: str, x: FakeTensor, n: int) -> bool:
    """Checks the rank (``n`` spatial dims, with or without batch); returns whether it is batched."""
    if x.ndim not in (n + 1, n + 2):
        raise RuntimeError(
            f"Expected {n + 1}D (unbatched) or {n + 2}D (batched) input to {op}, but got input of size: "
            f"{fmt_shape(x._size)}"
        )
    return x.ndim == n + 2


def _eq_or_fail(a: IntLike, b: IntLike, message: str | Callable[[], str]) -> None:
    if not known_eq(a, b):
        check(a == b, message)


# -- convolution -------------------------------------------------------------------------------


def _conv_operands(op: str, input: FakeTensor, weight: FakeTensor, n: int) -> tuple[FakeTensor, FakeTensor, bool]:
    """Checks a (transposed) convolution's input and ``n + 2``-d weight; returns them and whether
    the input is batched."""
    x = tensor_arg(input, op)
    w = tensor_arg(weight, op, "weight", 2)
    batched = _spatial_input(op, x, n)
    if w.ndim != n + 2:
        raise RuntimeError(f"{op}: weight should have {n + 2} dimensions, got {fmt_shape(w._size)}")
    return x, w, batched


def _conv(n: int) -> Callable[..., FakeTensor]:
    op = f"conv{n}d"

    def rule(
        input: FakeTensor,
        weight: FakeTensor,
        bias: FakeTensor | None = None,
        stride: Any = 1,
        padding: Any = 0,
        dilation: Any = 1,
        groups: int = 1,
    ) -> FakeTensor:
        x, w, batched = _conv_operands(op, input, weight, n)
        if not isinstance(groups, _int) or groups <= 0:
            raise RuntimeError(f"{op}: non-positive groups is not supported (groups={groups})")
        s = _ntuple(stride, n, op, "stride")
        d = _ntuple(dilation, n, op, "dilation")
        for v in (*s, *d):
            check(v > 0, lambda: f"{op}: non-positive stride or dilation is not supported")
        c_in = x._size[1 if batched else 0]
        c_out, c_w = w._size[0], w._size[1]
        kernel = w._size[2:]
        _eq_or_fail(
            c_in,
            c_w * groups,
            lambda: (
                f"{op}: Given groups={groups}, weight of size {fmt_shape(w._size)}, expected input"
                f"{fmt_shape(x._size)} to have {c_w * groups} channels, but got {c_in} channels instead"
            ),
        )
        check(
            c_out % groups == 0,
            lambda: (
                f"{op}: Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, but got "
                f"weight of size {fmt_shape(w._size)} instead"
            ),
        )
        if bias is not None:
            b = tensor_arg(bias, op, "bias", 3)
            if b.ndim != 1:
                raise RuntimeError(f"{op}: Expected bias to be 1-dimensional, got {fmt_shape(b._size)}")
            _eq_or_fail(
                b._size[0],
                c_out,
                lambda: (
                    f"{op}: Given weight of size {fmt_shape(w._size)}, expected bias to be 1-dimensional with "
                    f"{c_out} elements, but got bias of size {fmt_shape(b._size)} instead"
                ),
            )
        spatial = x._size[-n:]
        if isinstance(padding, str):
            if padding == "valid":
                p: tuple[IntLike, ...] = (0,) * n
            elif padding == "same":
                if any(not (type(v) is _int and v == 1) for v in s):
                    raise RuntimeError(f"{op}: padding='same' is not supported for strided convolutions")
                out = list(spatial)
                return _conv_out(x, batched, c_out, out)
            else:
                raise RuntimeError(f"{op}: Invalid padding string: '{padding}'")
        else:
            p = _ntuple(padding, n, op, "padding")
            for v in p:
                check(v >= 0, lambda: f"{op}: negative padding is not supported")
        padded = [i + 2 * pp for i, pp in zip(spatial, p)]
        effective = [dd * (k - 1) + 1 for dd, k in zip(d, kernel)]
        for pi, ek in zip(padded, effective):
            check(
                pi >= ek,
                lambda: (
                    f"{op}: Calculated padded input size per channel: ({' x '.join(map(str, padded))}). Kernel "
                    f"size: ({' x '.join(map(str, effective))}). Kernel size can't be greater than actual input size"
                ),
            )
        out = [(pi - ek) // ss + 1 for pi, ek, ss in zip(padded, effective, s)]
        return _conv_out(x, batched, c_out, out)

    rule.__name__ = op
    rule.__doc__ = (
        f"``torch.nn.functional.{op}``: input ``[N, C_in, *spatial]`` (or unbatched), weight "
        f"``[C_out, C_in/groups, *kernel]``; ``padding`` may be ints, 'valid' or 'same' (stride 1)."
    )
    return rule


def _conv_out(x: FakeTensor, batched: bool, c_out: IntLike, spatial: Sequence[IntLike]) -> FakeTensor:
    lead = (x._size[0], c_out) if batched else (c_out,)
    return make((*lead, *spatial), x.dtype)


conv1d = register("conv1d", functional=True)(_conv(1))
conv2d = register("conv2d", functional=True)(_conv(2))
conv3d = register("conv3d", functional=True)(_conv(3))


def _conv_transpose(n: int) -> Callable[..., FakeTensor]:
    op = f"conv_transpose{n}d"

    def rule(
        input: FakeTensor,
        weight: FakeTensor,
        bias: FakeTensor | None = None,
        stride: Any = 1,
        padding: Any = 0,
        output_padding: Any = 0,
        groups: int = 1,
        dilation: Any = 1,
    ) -> FakeTensor:
        x, w, batched = _conv_operands(op, input, weight, n)
        s = _ntuple(stride, n, op, "stride")
        p = _ntuple(padding, n, op, "padding")
        op_ = _ntuple(output_padding, n, op, "output_padding")
        d = _ntuple(dilation, n, op, "dilation")
        for a, ss, dd in zip(op_, s, d):
            check(
                (a < ss) | (a < dd) if not all(type(v) is _int for v in (a, ss, dd)) else (a < ss or a < dd),
                lambda: (
                    f"{op}: output padding must be smaller than either stride or dilation, but got "
                    f"output_padding={op_}, stride={s}, dilation={d}"
                ),
            )
        c_in = x._size[1 if batched else 0]
        _eq_or_fail(
            c_in,
            w._size[0],
            lambda: (
                f"{op}: Given transposed=1, weight of size {fmt_shape(w._size)}, expected input "
                f"{fmt_shape(x._size)} to have {w._size[0]} channels, but got {c_in} channels instead"
            ),
        )
        c_out = w._size[1] * groups
        if bias is not None:
            b = tensor_arg(bias, op, "bias", 3)
            _eq_or_fail(b._size[0], c_out, lambda: f"{op}: bias of size {fmt_shape(b._size)} does not match {c_out}")
        spatial = x._size[-n:]
        out = [
            (i - 1) * ss - 2 * pp + dd * (k - 1) + a + 1
            for i, ss, pp, dd, k, a in zip(spatial, s, p, d, w._size[2:], op_)
        ]
        for o in out:
            check(
                o > 0, lambda: f"{op}: Given input size {fmt_shape(x._size)}, calculated output size {out} is too small"
            )
        return _conv_out(x, batched, c_out, out)

    rule.__name__ = op
    rule.__doc__ = (
        f"``torch.nn.functional.{op}``: output ``(in - 1)*stride - 2*padding + dilation*(kernel - 1) + "
        "output_padding + 1``; weight ``[C_in, C_out/groups, *kernel]``."
    )
    return rule


conv_transpose1d = register("conv_transpose1d", functional=True)(_conv_transpose(1))
conv_transpose2d = register("conv_transpose2d", functional=True)(_conv_transpose(2))
conv_transpose3d = register("conv_transpose3d", functional=True)(_conv_transpose(3))


# -- pooling -----------------------------------------------------------------------------------


def _pool_out(op: str, size: IntLike, k: IntLike, s: IntLike, p: IntLike, d: IntLike, ceil_mode: bool) -> IntLike:
    """PyTorch's pooling output size (with ``ceil_mode``, the last window must start inside the
    input or left padding)."""
    num = size + 2 * p - d * (k - 1) - 1
    out = (num + (s - 1 if ceil_mode else 0)) // s + 1
    if ceil_mode:
        last_start = (out - 1) * s
        if type(last_start) is _int and type(size) is _int:
            if last_start >= size + p:
                out = out - 1
        elif bool(last_start >= size + p):
            out = out - 1
    return out


def _pool(n: int, kind: str) -> Callable[..., Any]:
    op = f"{kind}_pool{n}d"

    def compute(
        input: FakeTensor,
        kernel_size: Any,
        stride: Any,
        padding: Any,
        dilation: Any,
        ceil_mode: bool,
    ) -> FakeTensor:
        x = tensor_arg(input, op)
        _spatial_input(op, x, n)
        k = _ntuple(kernel_size, n, op, "kernel_size")
        s = (
            k
            if stride is None or (isinstance(stride, (list, tuple)) and not stride)
            else _ntuple(stride, n, op, "stride")
        )
        p = _ntuple(padding, n, op, "padding")
        d = _ntuple(dilation, n, op, "dilation")
        for kk, ss, dd in zip(k, s, d):
            check(
                (kk > 0) & (ss > 0) & (dd > 0)
                if not all(type(v) is _int for v in (kk, ss, dd))
                else min(kk, ss, dd) > 0,
                lambda: f"{op}: kernel_size, stride and dilation must be greater than zero",
            )
        for kk, pp, dd in zip(k, p, d):
            check(
                pp * 2 <= dd * (kk - 1) + 1 if kind == "max" else pp * 2 <= kk,
                lambda: (
                    f"{op}: pad should be at most half of effective kernel size, but got pad={p}, kernel_size={k} "
                    f"and dilation={d}"
                ),
            )
        spatial = x._size[-n:]
        out = [_pool_out(op, i, kk, ss, pp, dd, ceil_mode) for i, kk, ss, pp, dd in zip(spatial, k, s, p, d)]
        for o in out:
            check(
                o >= 1,
                lambda: (
                    f"{op}: Given input size: ({'x'.join(map(str, x._size[-n - 1 :]))}). Calculated output size: "
                    f"({'x'.join(map(str, (x._size[-n - 1], *out)))}). Output size is too small"
                ),
            )
        return make((*x._size[:-n], *out), x.dtype)

    if kind == "max":

        def max_rule(
            input: FakeTensor,
            kernel_size: Any,
            stride: Any = None,
            padding: Any = 0,
            dilation: Any = 1,
            ceil_mode: bool = False,
            return_indices: bool = False,
        ) -> Any:
            out = compute(input, kernel_size, stride, padding, dilation, ceil_mode)
            if return_indices:
                return out, make(out._size, dtypes.int64)
            return out

        max_rule.__name__ = op
        max_rule.__doc__ = f"``torch.nn.functional.{op}`` (``ceil_mode``, ``return_indices``)."
        return max_rule

    def avg_rule(
        input: FakeTensor,
        kernel_size: Any,
        stride: Any = None,
        padding: Any = 0,
        ceil_mode: bool = False,
        count_include_pad: bool = True,
        divisor_override: Any = None,
    ) -> FakeTensor:
        x = tensor_arg(input, op)
        if not x.dtype.is_floating_point and not x.dtype.is_complex:
            raise RuntimeError(f"\"{op}\" not implemented for '{x.dtype.name}'")
        return compute(x, kernel_size, stride, padding, 1, ceil_mode)

    avg_rule.__name__ = op
    avg_rule.__doc__ = f"``torch.nn.functional.{op}`` (``ceil_mode``, ``count_include_pad``)."
    return avg_rule


max_pool1d = register("max_pool1d", functional=True)(_pool(1, "max"))
max_pool2d = register("max_pool2d", functional=True)(_pool(2, "max"))
max_pool3d = register("max_pool3d", functional=True)(_pool(3, "max"))
avg_pool1d = register("avg_pool1d", functional=True)(_pool(1, "avg"))
avg_pool2d = register("avg_pool2d", functional=True, function=False, primary="functional")(_pool(2, "avg"))
avg_pool3d = register("avg_pool3d", functional=True, function=False, primary="functional")(_pool(3, "avg"))


def _adaptive(n: int, kind: str) -> Callable[..., Any]:
    op = f"adaptive_{kind}_pool{n}d"

    def rule(input: FakeTensor, output_size: Any, return_indices: bool = False) -> Any:
        x = tensor_arg(input, op)
        _spatial_input(op, x, n)
        sizes = list(output_size) if isinstance(output_size, (list, tuple)) else [output_size] * n
        if len(sizes) != n:
            raise RuntimeError(f"{op}: output_size must be {n}, got {output_size}")
        spatial = x._size[-n:]
        out = [i if o is None else int_arg(o, op, "output_size") for i, o in zip(spatial, sizes)]
        for o in out:
            check(
                o >= 0, lambda: f"{op}: elements of output_size must be greater than or equal to 0 but received {out}"
            )
        result = make((*x._size[:-n], *out), x.dtype)
        if kind == "max" and return_indices:
            return result, make(result._size, dtypes.int64)
        return result

    rule.__name__ = op
    rule.__doc__ = f"``torch.nn.functional.{op}``: spatial dims become ``output_size`` (None keeps a dim)."
    return rule


adaptive_avg_pool1d = register("adaptive_avg_pool1d", functional=True)(_adaptive(1, "avg"))
adaptive_avg_pool2d = register("adaptive_avg_pool2d", functional=True, function=False, primary="functional")(
    _adaptive(2, "avg")
)
adaptive_avg_pool3d = register("adaptive_avg_pool3d", functional=True, function=False, primary="functional")(
    _adaptive(3, "avg")
)
adaptive_max_pool1d = register("adaptive_max_pool1d", functional=True)(_adaptive(1, "max"))
adaptive_max_pool2d = register("adaptive_max_pool2d", functional=True, function=False, primary="functional")(
    _adaptive(2, "max")
)


# -- resizing and padding ----------------------------------------------------------------------

_INTERP_DIMS = {"linear": 1, "bilinear": 2, "bicubic": 2, "trilinear": 3}


def _scaled(size: IntLike, scale: Any) -> IntLike:
    if isinstance(scale, _int) or (isinstance(scale, float) and scale.is_integer()):
        return size * _int(scale)
    value = size * scale
    if isinstance(value, (float, _int)):
        return math.floor(value)
    assert isinstance(value, SymFloat)
    out = math.floor(value)
    assert isinstance(out, (SymInt, _int))
    return out


@register("interpolate", function=False, functional=True, primary="functional", aliases=("upsample",))
def interpolate(
    input: FakeTensor,
    size: Any = None,
    scale_factor: Any = None,
    mode: str = "nearest",
    align_corners: bool | None = None,
    recompute_scale_factor: bool | None = None,
    antialias: bool = False,
) -> FakeTensor:
    """Resizes the spatial dims to ``size`` or ``floor(size * scale_factor)``.

    Raises:
        ValueError: Both or neither of ``size`` and ``scale_factor``; ``align_corners`` with a
            non-interpolating mode; a wrong number of sizes or factors.
        NotImplementedError: A mode that needs a different rank (``bilinear`` needs 4-d input).
    """
    x = tensor_arg(input, "interpolate")
    n = x.ndim - 2
    if n < 1:
        raise ValueError(f"interpolate: expected an input with at least 3 dims, got {fmt_shape(x._size)}")
    modes = ("nearest", "nearest-exact", "linear", "bilinear", "bicubic", "trilinear", "area")
    if mode not in modes:
        raise NotImplementedError(f"interpolate: unsupported mode {mode!r}; expected one of {', '.join(modes)}")
    if mode in _INTERP_DIMS and _INTERP_DIMS[mode] != n:
        raise NotImplementedError(f"Got {x.ndim}D input, but {mode} mode needs {_INTERP_DIMS[mode] + 2}D input")
    if align_corners is not None and mode not in _INTERP_DIMS:
        raise ValueError(
            "align_corners option can only be set with the interpolating modes: linear | bilinear | bicubic | trilinear"
        )
    if (size is None) == (scale_factor is None):
        raise ValueError(
            "only one of size or scale_factor should be defined"
            if size is not None
            else "either size or scale_factor should be defined"
        )
    spatial = x._size[2:]
    out: list[IntLike]
    if size is not None:
        sizes = list(size) if isinstance(size, (list, tuple)) else [size] * n
        if len(sizes) != n:
            raise ValueError(
                f"Input and output must have the same number of spatial dimensions, but got input with spatial "
                f"dimensions of {list(spatial)} and output size of {sizes}. Please provide input tensor in (N, C, d1, "
                "d2, ...,dK) format and output size in (o1, o2, ...,oK) format."
            )
        out = [int_arg(s, "interpolate", "size") for s in sizes]
    else:
        scales = list(scale_factor) if isinstance(scale_factor, (list, tuple)) else [scale_factor] * n
        if len(scales) != n:
            raise ValueError(
                f"Input and scale_factor must have the same number of spatial dimensions, but got input with spatial "
                f"dimensions of {list(spatial)} and scale_factor of shape {scales}."
            )
        out = [_scaled(i, sc) for i, sc in zip(spatial, scales)]
    for o in out:
        check(o > 0, lambda: f"interpolate: output size {out} must be positive")
    return make((*x._size[:2], *out), x.dtype)


@register("pad", function=False, functional=True, primary="functional")
def pad(input: FakeTensor, pad: Sequence[Any], mode: str = "constant", value: float | None = None) -> FakeTensor:
    """Pads the last ``len(pad) // 2`` dims (last dim first: ``(left, right, top, bottom, ...)``);
    negative padding crops.

    Raises:
        RuntimeError: An odd or too long ``pad``, a result size below 0, reflect padding not
            smaller than the dim, or an unknown mode.
    """
    x = tensor_arg(input, "pad")
    if not isinstance(pad, (list, tuple)):
        raise TypeError(f"pad(): argument 'pad' must be tuple of ints, not {type(pad).__name__}")
    pads = [int_arg(v, "pad", "pad") for v in pad]
    if len(pads) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pads) // 2 > x.ndim:
        raise RuntimeError(
            f"Padding length should be less than or equal to two times the input dimension but got padding length "
            f"{len(pads)} and input of dimension {x.ndim}"
        )
    if mode not in ("constant", "reflect", "replicate", "circular"):
        raise NotImplementedError(f"pad: unsupported padding mode {mode!r}")
    size = list(x._size)
    for i in range(len(pads) // 2):
        d = x.ndim - 1 - i
        lo, hi = pads[2 * i], pads[2 * i + 1]
        n = size[d]
        if mode == "reflect":
            check(
                (lo < n) & (hi < n) if not all(type(v) is _int for v in (lo, hi, n)) else (lo < n and hi < n),
                (
                    f"pad: Padding size should be less than the corresponding input dimension, but got: padding "
                    f"({lo}, {hi}) at dimension {d} of input {fmt_shape(x._size)}"
                ),
            )
        new = n + lo + hi
        check(
            new >= 0,
            (
                f"pad: The input size {n}, plus negative padding {lo} and {hi} resulted in a negative output size, "
                f"which is invalid. Check dimension {d} of your input."
            ),
        )
        size[d] = new
    return make(size, x.dtype)


@register("pixel_shuffle", functional=True)
def pixel_shuffle(input: FakeTensor, upscale_factor: int) -> FakeTensor:
    """``[*, C*r*r, H, W] -> [*, C, H*r, W*r]``.

    Raises:
        RuntimeError: Fewer than 3 dims, or channels not divisible by ``r*r``.
    """
    x = tensor_arg(input, "pixel_shuffle")
    if x.ndim < 3:
        raise RuntimeError(
            f"pixel_shuffle expects input to have at least 3 dimensions, but got input with {x.ndim} dimension(s)"
        )
    r = int_arg(upscale_factor, "pixel_shuffle", "upscale_factor")
    c, h, w = x._size[-3:]
    check(
        c % (r * r) == 0,
        lambda: (
            f"pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of "
            f"upscale_factor, but input.size(-3)={c} is not divisible by {r * r}"
        ),
    )
    return make((*x._size[:-3], c // (r * r), h * r, w * r), x.dtype)


@register("pixel_unshuffle", functional=True)
def pixel_unshuffle(input: FakeTensor, downscale_factor: int) -> FakeTensor:
    """``[*, C, H*r, W*r] -> [*, C*r*r, H, W]``.

    Raises:
        RuntimeError: Height or width not divisible by ``r``.
    """
    x = tensor_arg(input, "pixel_unshuffle")
    if x.ndim < 3:
        raise RuntimeError(
            f"pixel_unshuffle expects input to have at least 3 dimensions, but got input with {x.ndim} dimension(s)"
        )
    r = int_arg(downscale_factor, "pixel_unshuffle", "downscale_factor")
    c, h, w = x._size[-3:]
    check(
        h % r == 0,
        lambda: (
            f"pixel_unshuffle expects height to be divisible by downscale_factor, but input.size(-2)={h} "
            f"is not divisible by {r}"
        ),
    )
    check(
        w % r == 0,
        lambda: (
            f"pixel_unshuffle expects width to be divisible by downscale_factor, but input.size(-1)={w} "
            f"is not divisible by {r}"
        ),
    )
    return make((*x._size[:-3], c * r * r, h // r, w // r), x.dtype)


def _window_args(
    op: str, kernel_size: Any, dilation: Any, padding: Any, stride: Any
) -> tuple[tuple[IntLike, ...], ...]:
    """``unfold``/``fold``'s 2-d kernel_size, dilation, padding and stride, in that order."""
    return tuple(
        _ntuple(v, 2, op, name)
        for v, name in ((kernel_size, "kernel_size"), (dilation, "dilation"), (padding, "padding"), (stride, "stride"))
    )


def _sliding_blocks(size: IntLike, k: IntLike, d: IntLike, p: IntLike, s: IntLike) -> IntLike:
    """How many positions a window (kernel ``k``, dilation ``d``) takes along a dim of ``size``
    padded by ``p`` on each side, moving by ``s``."""
    return (size + 2 * p - d * (k - 1) - 1) // s + 1


@register("im2col", function=False, functional=True, primary="functional", aliases=("unfold",))
def im2col(input: FakeTensor, kernel_size: Any, dilation: Any = 1, padding: Any = 0, stride: Any = 1) -> FakeTensor:
    """``torch.nn.functional.unfold``: ``[N, C, H, W] -> [N, C*kh*kw, L]`` with ``L`` the number of
    sliding-window positions.

    Raises:
        RuntimeError: Not 3-d/4-d, or a window larger than the padded input.
    """
    x = tensor_arg(input, "unfold")
    if x.ndim not in (3, 4):
        raise RuntimeError(f"Input Error: Only 3D or 4D input Tensors are supported (got {x.ndim}D)")
    k, d, p, s = _window_args("unfold", kernel_size, dilation, padding, stride)
    blocks = []
    for i, kk, dd, pp, ss in zip(x._size[-2:], k, d, p, s):
        n = _sliding_blocks(i, kk, dd, pp, ss)
        check(
            n >= 1,
            lambda: (
                f"unfold: Given input with spatial size {fmt_shape(x._size[-2:])}, kernel_size={k}, "
                f"dilation={d}, padding={p}, calculated shape of the array of sliding blocks is "
                "non-positive"
            ),
        )
        blocks.append(n)
    c = x._size[-3]
    return make((*x._size[:-3], c * k[0] * k[1], blocks[0] * blocks[1]), x.dtype)


@register("col2im", function=False, functional=True, primary="functional", aliases=("fold",))
def col2im(
    input: FakeTensor, output_size: Any, kernel_size: Any, dilation: Any = 1, padding: Any = 0, stride: Any = 1
) -> FakeTensor:
    """``torch.nn.functional.fold``: ``[N, C*kh*kw, L] -> [N, C, *output_size]``.

    Raises:
        RuntimeError: Channels not divisible by the kernel size, or ``L`` not matching.
    """
    x = tensor_arg(input, "fold")
    if x.ndim not in (2, 3):
        raise RuntimeError(
            f"Input Error: Only unbatched (2D) or batched (3D) input Tensors are supported (got {x.ndim}D)"
        )
    o = _ntuple(output_size, 2, "fold", "output_size")
    k, d, p, s = _window_args("fold", kernel_size, dilation, padding, stride)
    ck, length = x._size[-2], x._size[-1]
    check(
        ck % (k[0] * k[1]) == 0,
        lambda: (
            f"fold: Expected size of input's dimension 1 to be divisible by the product "
            f"of kernel_size, but got input.size(1)={ck} and kernel_size={k}"
        ),
    )
    blocks = prod(_sliding_blocks(oo, kk, dd, pp, ss) for oo, kk, dd, pp, ss in zip(o, k, d, p, s))
    _eq_or_fail(
        length,
        blocks,
        lambda: (
            f"fold: Given output_size={o}, kernel_size={k}, dilation={d}, padding={p}, "
            f"stride={s}, expected size of input's dimension 2 to match the calculated "
            f"number of sliding blocks {blocks}, but got input.size(2)={length}."
        ),
    )
    return make((*x._size[:-2], ck // (k[0] * k[1]), *o), x.dtype)


# -- normalisation -----------------------------------------------------------------------------


def _normalized(op: str, x: FakeTensor, normalized_shape: Any, *params: Any) -> None:
    shape = [normalized_shape] if isinstance(normalized_shape, (_int, SymInt)) else list(normalized_shape)
    ns = tuple(int_arg(s, op, "normalized_shape") for s in shape)

    def message() -> str:
        return (
            f"{op}: Given normalized_shape={fmt_shape(ns)}, expected input with shape [*, "
            f"{', '.join(map(str, ns))}], but got input of size{fmt_shape(x._size)}"
        )

    if len(ns) > x.ndim:
        raise RuntimeError(message())
    for a, b in zip(ns, x._size[x.ndim - len(ns) :]):
        _eq_or_fail(a, b, message)
    for name, p in params:
        if p is None:
            continue
        t = tensor_arg(p, op, name)
        if t.ndim != len(ns) or not all(known_eq(a, b) or guard_eq(a, b) for a, b in zip(t._size, ns)):
            raise RuntimeError(
                f"{op}: Expected {name} to be of same shape as normalized_shape, but got {name} of shape "
                f"{fmt_shape(t._size)} and normalized_shape = {fmt_shape(ns)}"
            )


@register("layer_norm", functional=True)
def layer_norm(
    input: FakeTensor,
    normalized_shape: Any,
    weight: FakeTensor | None = None,
    bias: FakeTensor | None = None,
    eps: float = 1e-5,
) -> FakeTensor:
    """Same shape; the trailing dims must equal ``normalized_shape`` (and so must weight and bias).

    Raises:
        RuntimeError: The trailing dims or the parameter shapes do not match.
    """
    x = tensor_arg(input, "layer_norm")
    _normalized("layer_norm", x, normalized_shape, ("weight", weight), ("bias", bias))
    return make(x._size, x.dtype)


@register("rms_norm", functional=True)
def rms_norm(
    input: FakeTensor, normalized_shape: Any, weight: FakeTensor | None = None, eps: float | None = None
) -> FakeTensor:
    """Same shape; the trailing dims must equal ``normalized_shape``.

    Raises:
        RuntimeError: The trailing dims or the weight shape do not match.
    """
    x = tensor_arg(input, "rms_norm")
    _normalized("rms_norm", x, normalized_shape, ("weight", weight))
    return make(x._size, x.dtype)


@register("group_norm", functional=True)
def group_norm(
    input: FakeTensor,
    num_groups: int,
    weight: FakeTensor | None = None,
    bias: FakeTensor | None = None,
    eps: float = 1e-5,
) -> FakeTensor:
    """Same shape; channels (dim 1) must be divisible by ``num_groups``.

    Raises:
        RuntimeError: Not divisible, fewer than 2 dims, or parameters not of size C.
    """
    x = tensor_arg(input, "group_norm")
    if x.ndim < 2:
        raise RuntimeError(f"group_norm: Expected at least 2 dimensions for input tensor but received {x.ndim}")
    c = x._size[1]
    check(
        c % num_groups == 0,
        lambda: (
            f"group_norm: Expected number of channels in input to be divisible by num_groups, but got input of "
            f"shape {fmt_shape(x._size)} and num_groups={num_groups}"
        ),
    )
    _channel_params("group_norm", c, ("weight", weight), ("bias", bias))
    return make(x._size, x.dtype)


def _channel_params(op: str, c: IntLike, *params: Any) -> None:
    for name, p in params:
        if p is None:
            continue
        t = tensor_arg(p, op, name)
        n = prod(t._size)
        _eq_or_fail(n, c, f"{op}: {name} should contain {c} elements not {n}")


@register("batch_norm", functional=True)
def batch_norm(
    input: FakeTensor,
    running_mean: FakeTensor | None,
    running_var: FakeTensor | None,
    weight: FakeTensor | None = None,
    bias: FakeTensor | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> FakeTensor:
    """Same shape; the statistics and parameters must have C (dim 1) elements.

    Raises:
        RuntimeError: Parameter sizes differ from C.
        ValueError: Training with a single value per channel.
    """
    x = tensor_arg(input, "batch_norm")
    if x.ndim < 2:
        raise ValueError(f"batch_norm: expected 2D or more input (got {x.ndim}D input)")
    c = x._size[1]
    _channel_params(
        "batch_norm",
        c,
        ("running_mean", running_mean),
        ("running_var", running_var),
        ("weight", weight),
        ("bias", bias),
    )
    if training:
        per_channel = prod(x._size) // c if not isinstance(c, _int) or c else 0
        if type(per_channel) is _int and per_channel == 1:
            raise ValueError(
                f"Expected more than 1 value per channel when training, got input size {fmt_shape(x._size)}"
            )
    return make(x._size, x.dtype)


@register("instance_norm", functional=True)
def instance_norm(
    input: FakeTensor,
    running_mean: FakeTensor | None = None,
    running_var: FakeTensor | None = None,
    weight: FakeTensor | None = None,
    bias: FakeTensor | None = None,
    use_input_stats: bool = True,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> FakeTensor:
    """Same shape; parameters of C elements."""
    x = tensor_arg(input, "instance_norm")
    if x.ndim < 3:
        raise ValueError(f"instance_norm: expected 3D or more input (got {x.ndim}D input)")
    _channel_params("instance_norm", x._size[1], ("weight", weight), ("bias", bias))
    return make(x._size, x.dtype)


@register("normalize", function=False, functional=True, primary="functional")
def normalize(input: FakeTensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12, out: Any = None) -> FakeTensor:
    """Same shape."""
    x = tensor_arg(input, "normalize")
    wrap_dim(dim, x.ndim, "normalize")
    return make(x._size, x.dtype)


@register("cosine_similarity", functional=True)
def cosine_similarity(x1: FakeTensor, x2: FakeTensor, dim: int = 1, eps: float = 1e-8) -> FakeTensor:
    """The broadcast shape without ``dim``."""
    a = tensor_arg(x1, "cosine_similarity")
    b = tensor_arg(x2, "cosine_similarity", "x2", 2)
    shape = broadcast_shapes(a._size, b._size, op="cosine_similarity")
    d = wrap_dim(dim, len(shape), "cosine_similarity")
    return make([s for i, s in enumerate(shape) if i != d], a.dtype)


# -- embedding and one-hot ---------------------------------------------------------------------


@register("embedding", functional=True)
def embedding(
    input: FakeTensor,
    weight: FakeTensor,
    padding_idx: int | None = None,
    max_norm: float | None = None,
    norm_type: float = 2.0,
    scale_grad_by_freq: bool = False,
    sparse: bool = False,
) -> FakeTensor:
    """``input.shape + [embedding_dim]`` rows of ``weight`` (``[num_embeddings, embedding_dim]``).

    Raises:
        RuntimeError: Non-integer indices, or a weight that is not 2-d.
    """
    idx = tensor_arg(input, "embedding")
    w = tensor_arg(weight, "embedding", "weight", 2)
    if idx.dtype not in (dtypes.int64, dtypes.int32):
        raise RuntimeError(
            "Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; but got "
            f"{idx.dtype} instead (while checking arguments for embedding)"
        )
    if w.ndim != 2:
        raise RuntimeError(f"embedding: 'weight' must be 2-D, got {fmt_shape(w._size)}")
    return make((*idx._size, w._size[1]), w.dtype)


@register("one_hot", function=False, functional=True, primary="functional")
def one_hot(tensor: FakeTensor, num_classes: int = -1) -> FakeTensor:
    """``tensor.shape + [num_classes]`` int64; with ``num_classes=-1`` the count is data-dependent
    (an unbacked symbol).

    Raises:
        RuntimeError: Not an int64 tensor.
    """
    from symcore.tensor.ops_index import new_unbacked

    x = tensor_arg(tensor, "one_hot")
    if x.dtype is not dtypes.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    n: IntLike = new_unbacked(x, "one_hot") if num_classes == -1 else int_arg(num_classes, "one_hot", "num_classes")
    return make((*x._size, n), dtypes.int64)


# -- attention ---------------------------------------------------------------------------------


@register("scaled_dot_product_attention", function=False, functional=True, primary="functional")
def scaled_dot_product_attention(
    query: FakeTensor,
    key: FakeTensor,
    value: FakeTensor,
    attn_mask: FakeTensor | None = None,
    dropout_p: float = 0.0,
    is_causal: bool = False,
    scale: float | None = None,
    enable_gqa: bool = False,
) -> FakeTensor:
    """``softmax(q @ k^T * scale + mask) @ v``: ``[..., Hq, L, E], [..., H, S, E], [..., H, S, Ev]
    -> [..., Hq, L, Ev]``; with ``enable_gqa`` the query heads must be a multiple of the key/value
    heads, otherwise the batch dims broadcast.

    Raises:
        RuntimeError: Ranks below 2, mismatched embedding or sequence sizes, dtypes that differ, a
            mask that does not broadcast to ``[..., L, S]``, or a mask with ``is_causal``.
    """
    op = "scaled_dot_product_attention"
    q = tensor_arg(query, op, "query")
    k = tensor_arg(key, op, "key", 2)
    v = tensor_arg(value, op, "value", 3)
    for name, t_ in (("query", q), ("key", k), ("value", v)):
        if t_.ndim < 2:
            raise RuntimeError(f"{op}: {name} must have at least 2 dimensions, got {fmt_shape(t_._size)}")
    if not (q.dtype is k.dtype is v.dtype):
        raise RuntimeError(
            f"Expected query, key, and value to have the same dtype, but got query.dtype: {q.dtype} key.dtype: "
            f"{k.dtype} and value.dtype: {v.dtype} instead."
        )
    if not q.dtype.is_floating_point:
        raise RuntimeError(f"{op}: expected floating-point query, key and value, got {q.dtype}")
    if attn_mask is not None and is_causal:
        raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be set when is_causal=True")
    length, e = q._size[-2], q._size[-1]
    s, ek = k._size[-2], k._size[-1]
    sv, ev = v._size[-2], v._size[-1]
    _eq_or_fail(
        e,
        ek,
        lambda: f"{op}: query {fmt_shape(q._size)} and key {fmt_shape(k._size)} must have the same embedding dimension",
    )
    _eq_or_fail(
        s,
        sv,
        lambda: f"{op}: key {fmt_shape(k._size)} and value {fmt_shape(v._size)} must have the same sequence length",
    )
    qb, kb, vb = list(q._size[:-2]), list(k._size[:-2]), list(v._size[:-2])
    if enable_gqa and qb and kb:
        hq, hk, hv = qb[-1], kb[-1], vb[-1] if vb else 1
        _eq_or_fail(hk, hv, lambda: f"{op}: key and value must have the same number of heads, got {hk} and {hv}")
        check(
            hq % hk == 0,
            lambda: (
                f"{op}: number of heads in key/value must divide number of heads in query, got query heads {hq} "
                f"and key/value heads {hk}"
            ),
        )
        kb[-1] = vb[-1] = hq
    batch = broadcast_shapes(qb, kb, vb, op=op)
    if attn_mask is not None:
        m = tensor_arg(attn_mask, op, "attn_mask", 4)
        target = (*batch, length, s)
        if m.ndim > len(target) or len(broadcast_shapes(target, m._size, op=op)) != len(target):
            raise RuntimeError(f"{op}: attn_mask {fmt_shape(m._size)} does not broadcast to {fmt_shape(target)}")
        if m.dtype is not dtypes.bool and m.dtype is not q.dtype:
            raise RuntimeError(
                f"{op}: Expected attn_mask dtype to be bool or float or to match query dtype, got {m.dtype}"
            )
    return make((*batch, length, ev), q.dtype)


# -- losses ------------------------------------------------------------------------------------


def _reduce(op: str, shape: Sequence[IntLike], reduction: str, d: dtypes.dtype) -> FakeTensor:
    if reduction == "none":
        return make(tuple(shape), d)
    if reduction not in ("mean", "sum", "batchmean"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return make((), d)


def _pointwise_loss(name: str) -> Callable[..., FakeTensor]:
    def rule(input: FakeTensor, target: FakeTensor, *args: Any, reduction: str = "mean", **kwargs: Any) -> FakeTensor:
        x = tensor_arg(input, name)
        t_ = tensor_arg(target, name, "target", 2)
        if name.startswith("binary_cross_entropy") and not (
            x.ndim == t_.ndim and all(guard_eq(a, b) for a, b in zip(x._size, t_._size))
        ):  # PyTorch refuses a target of another size (no broadcasting)
            if name == "binary_cross_entropy":
                raise ValueError(
                    f"Using a target size ({t_.shape}) that is different to the input size ({x.shape}) is "
                    "deprecated. Please ensure they have the same size."
                )
            raise ValueError(f"Target size ({t_.shape}) must be the same as input size ({x.shape})")
        shape = broadcast_shapes(x._size, t_._size, op=name)
        return _reduce(name, shape, reduction, x.dtype)

    rule.__name__ = name
    rule.__doc__ = f"``torch.nn.functional.{name}``: broadcast shape with ``reduction='none'``, else 0-d."
    return rule


for _name in (
    "mse_loss",
    "l1_loss",
    "smooth_l1_loss",
    "huber_loss",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "kl_div",
    "soft_margin_loss",
):
    register(_name, function=False, functional=True, primary="functional")(_pointwise_loss(_name))


def _class_loss(name: str) -> Callable[..., FakeTensor]:
    def rule(input: FakeTensor, target: FakeTensor, *args: Any, reduction: str = "mean", **kwargs: Any) -> FakeTensor:
        x = tensor_arg(input, name)
        t_ = tensor_arg(target, name, "target", 2)
        if x.ndim == 0:
            raise RuntimeError(f"{name}: input must have at least 1 dimension")
        if t_.dtype.is_floating_point:  # class probabilities: same shape as the input
            for a, b in zip(x._size, t_._size):
                _eq_or_fail(
                    a,
                    b,
                    lambda: (
                        f"{name}: Expected input {fmt_shape(x._size)} and target "
                        f"{fmt_shape(t_._size)} to have the same shape"
                    ),
                )
            out: tuple[IntLike, ...] = (x._size[0], *x._size[2:]) if x.ndim > 1 else ()
        else:
            out = (x._size[0], *x._size[2:]) if x.ndim > 1 else ()
            if x.ndim == 1:
                if t_.ndim != 0:
                    raise RuntimeError(f"{name}: Expected 0-d target for 1-d input, got {fmt_shape(t_._size)}")
            elif t_.ndim != len(out) or not all(known_eq(a, b) or guard_eq(a, b) for a, b in zip(out, t_._size)):
                raise ValueError(
                    f"{name}: Expected input batch_size ({x._size[0]}) to match target batch_size "
                    f"({t_._size[0] if t_.ndim else ''}); input {fmt_shape(x._size)}, target {fmt_shape(t_._size)}"
                )
        return _reduce(name, out, reduction, x.dtype)

    rule.__name__ = name
    rule.__doc__ = f"``torch.nn.functional.{name}``: ``[N, C, *d]`` logits with ``[N, *d]`` class indices."
    return rule


cross_entropy = register("cross_entropy", function=False, functional=True, primary="functional")(
    _class_loss("cross_entropy")
)
nll_loss = register("nll_loss", function=False, functional=True, primary="functional")(_class_loss("nll_loss"))

_ = (maybe_one, to_dtype)
