"""Elementwise ops: broadcasting arithmetic and comparisons, ``where``, unary math and
activations, type conversions.

Who uses it: everyone, through ``symcore.ops``, ``symcore.nn.functional`` and FakeTensor
methods/operators. Output sizes are the broadcast of the tensor operands; output dtypes follow
PyTorch's promotion (:func:`symcore.tensor.dtypes.result_type`).
"""

from __future__ import annotations

from typing import Any, Callable

from symcore.tensor import dtypes
from symcore.tensor.dtypes import dtype, result_type, to_dtype
from symcore.tensor.fake import FakeTensor, broadcast_shapes, is_number, make, tensor_arg
from symcore.tensor.registry import register

__all__: list[str] = []


def _operands(op: str, *args: Any) -> tuple[tuple[Any, ...], ...]:
    """Shapes of the operands (scalars are 0-d); TypeError for anything else or no tensor."""
    shapes: list[tuple[Any, ...]] = []
    seen_tensor = False
    for i, a in enumerate(args):
        if isinstance(a, FakeTensor):
            shapes.append(a._size)
            seen_tensor = True
        elif is_number(a):
            shapes.append(())
        else:
            name = "input" if i == 0 else "other"
            raise TypeError(
                f"{op}(): argument '{name}' (position {i + 1}) must be Tensor or Number, not {type(a).__name__}"
            )
    if not seen_tensor:
        raise TypeError(
            f"{op}(): expected at least one Tensor argument, got {', '.join(type(a).__name__ for a in args)}"
        )
    return tuple(shapes)


def _not_implemented(op: str, d: dtype) -> RuntimeError:
    return RuntimeError(f"\"{op}\" not implemented for '{d.name}'")


def _binary(name: str, kind: str) -> Callable[..., FakeTensor]:
    """The rule of a broadcasting binary op; ``kind`` picks the output dtype."""

    def rule(input: Any, other: Any) -> FakeTensor:
        shape = broadcast_shapes(*_operands(name, input, other), op=name)
        d = result_type(input, other)
        if kind in ("compare", "logical"):
            d = dtypes.bool
        elif kind == "float" and not (d.is_floating_point or d.is_complex):
            d = dtypes.get_default_dtype()
        elif kind == "double":  # float_power computes in double precision
            d = dtypes.complex128 if d.is_complex else dtypes.float64
        elif kind == "bitwise" and (d.is_floating_point or d.is_complex):
            raise _not_implemented(name, d)
        elif kind == "real" and d.is_complex:
            raise _not_implemented(name, d)
        return make(shape, d)

    rule.__name__ = name
    return rule


# -- arithmetic with alpha ---------------------------------------------------------------------


@register("add", method=True, dunder="__add__", rdunder="__radd__")
def add(input: Any, other: Any, *, alpha: Any = 1, out: Any = None) -> FakeTensor:
    """``input + alpha * other`` with broadcasting (``torch.add``)."""
    return _binary("add", "arith")(input, other)


@register("sub", method=True, aliases=("subtract",), dunder="__sub__", rdunder="__rsub__")
def sub(input: Any, other: Any, *, alpha: Any = 1, out: Any = None) -> FakeTensor:
    """``input - alpha * other`` with broadcasting (``torch.sub``).

    Raises:
        RuntimeError: Both operands are bool tensors, as in PyTorch.
    """
    result = _binary("sub", "arith")(input, other)
    if result.dtype is dtypes.bool:
        raise RuntimeError(
            "sub: Subtraction, the `-` operator, with two bool tensors is not supported. "
            "Use the `^` or `logical_xor()` operator instead."
        )
    return result


@register("rsub")
def rsub(input: Any, other: Any, *, alpha: Any = 1) -> FakeTensor:
    """``other - alpha * input`` (``torch.rsub``)."""
    return sub(other, input)


@register("div", method=True, aliases=("divide", "true_divide"), dunder="__truediv__", rdunder="__rtruediv__")
def div(input: Any, other: Any, *, rounding_mode: str | None = None, out: Any = None) -> FakeTensor:
    """``input / other`` (``torch.div``): true division gives a floating dtype; with
    ``rounding_mode`` ("trunc" or "floor") integer inputs keep their dtype.

    Raises:
        ValueError: An unknown rounding mode.
    """
    if rounding_mode not in (None, "trunc", "floor"):
        raise ValueError(
            f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '{rounding_mode}'"
        )
    return _binary("div", "float" if rounding_mode is None else "arith")(input, other)


def _register_binaries() -> None:
    table: list[tuple[str, str, tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = [
        # name, kind, aliases, dunders, reflected dunders
        ("mul", "arith", ("multiply",), ("__mul__",), ("__rmul__",)),
        ("floor_divide", "real", (), ("__floordiv__",), ("__rfloordiv__",)),
        ("remainder", "real", (), ("__mod__",), ("__rmod__",)),
        ("fmod", "real", (), (), ()),
        ("pow", "arith", (), ("__pow__",), ("__rpow__",)),
        ("float_power", "double", (), (), ()),
        ("atan2", "float", ("arctan2",), (), ()),
        ("hypot", "float", (), (), ()),
        ("maximum", "real", (), (), ()),
        ("minimum", "real", (), (), ()),
        ("fmax", "real", (), (), ()),
        ("fmin", "real", (), (), ()),
        ("copysign", "float", (), (), ()),
        ("xlogy", "float", (), (), ()),
        ("eq", "compare", (), ("__eq__",), ()),
        ("ne", "compare", ("not_equal",), ("__ne__",), ()),
        ("lt", "compare", ("less",), ("__lt__",), ()),
        ("le", "compare", ("less_equal",), ("__le__",), ()),
        ("gt", "compare", ("greater",), ("__gt__",), ()),
        ("ge", "compare", ("greater_equal",), ("__ge__",), ()),
        ("logical_and", "logical", (), (), ()),
        ("logical_or", "logical", (), (), ()),
        ("logical_xor", "logical", (), (), ()),
        ("bitwise_and", "bitwise", (), ("__and__",), ("__rand__",)),
        ("bitwise_or", "bitwise", (), ("__or__",), ("__ror__",)),
        ("bitwise_xor", "bitwise", (), ("__xor__",), ("__rxor__",)),
        ("bitwise_left_shift", "bitwise", (), ("__lshift__",), ("__rlshift__",)),
        ("bitwise_right_shift", "bitwise", (), ("__rshift__",), ("__rrshift__",)),
    ]
    for name, kind, aliases, dunders, rdunders in table:
        binary = _binary(name, kind)

        def rule(input: Any, other: Any, *, out: Any = None, _binary: Callable[..., FakeTensor] = binary) -> FakeTensor:
            return _binary(input, other)

        rule.__name__ = name
        rule.__doc__ = f"Broadcasting ``torch.{name}`` ({kind})."
        register(name, method=True, aliases=aliases, dunder=dunders, rdunder=rdunders)(rule)


_register_binaries()


# -- unary -------------------------------------------------------------------------------------

# Ops whose integer inputs give the default float dtype.
_FLOAT_UNARY = (
    "exp exp2 expm1 log log2 log10 log1p sqrt rsqrt sin cos tan asin acos atan sinh cosh asinh acosh atanh "
    "sigmoid erf erfc erfinv reciprocal lgamma digamma sinc logit i0"
).split()
# Ops that keep the dtype.
_SAME_UNARY = "neg abs relu floor ceil round trunc frac sign square positive".split()
# Activations defined only for floating inputs.
_FLOAT_ONLY = "gelu silu mish softplus elu selu celu hardswish hardsigmoid leaky_relu relu6 hardtanh softsign".split()
_BOOL_UNARY = "isnan isinf isfinite isposinf isneginf isreal signbit logical_not".split()
_METHOD_ALIASES = {"neg": ("negative",), "abs": ("absolute",), "asin": ("arcsin",), "acos": ("arccos",),
                   "atan": ("arctan",), "tanh": (), "trunc": ("fix",)}  # fmt: skip


def _unary(name: str, kind: str) -> Callable[..., FakeTensor]:
    def rule(input: Any, *args: Any, **kwargs: Any) -> FakeTensor:
        x = tensor_arg(input, name)
        d = x.dtype
        if kind == "float" and not (d.is_floating_point or d.is_complex):
            d = dtypes.get_default_dtype()
        elif kind == "float_only" and not d.is_floating_point:
            raise _not_implemented(name, d)
        elif kind == "bool":
            d = dtypes.bool
        if name == "neg" and d is dtypes.bool:
            raise RuntimeError(
                "neg: Negation, the `-` operator, on a bool tensor is not supported. "
                "If you are trying to invert a mask, use the `~` or `logical_not()` operator instead."
            )
        return make(x._size, d)

    rule.__name__ = name
    rule.__doc__ = f"Elementwise ``{name}``: same shape as the input."
    return rule


def _register_unaries() -> None:
    functional_names = set(_FLOAT_ONLY) | {"relu", "sigmoid", "tanh", "logsigmoid", "softsign", "tanhshrink"}
    for names, kind in ((_FLOAT_UNARY, "float"), (_SAME_UNARY, "same"), (_FLOAT_ONLY, "float_only"),
                        (_BOOL_UNARY, "bool"), (["tanh", "logsigmoid", "tanhshrink"], "float")):  # fmt: skip
        for name in names:
            dunder: tuple[str, ...] = ()
            if name == "neg":
                dunder = ("__neg__",)
            elif name == "abs":
                dunder = ("__abs__",)
            elif name == "positive":
                dunder = ("__pos__",)
            in_functional = name in functional_names
            in_ops = name not in ("hardswish", "hardsigmoid", "leaky_relu", "relu6", "hardtanh", "softsign", "mish",
                                  "silu", "gelu", "elu", "softplus", "logsigmoid", "tanhshrink", "celu")  # fmt: skip
            register(
                name,
                method=name not in ("logsigmoid", "tanhshrink") and (in_ops or name in ("relu", "sigmoid")),
                function=in_ops,
                functional=in_functional,
                primary="ops" if in_ops else "functional",
                aliases=_METHOD_ALIASES.get(name, ()),
                dunder=dunder,
            )(_unary(name, kind))


_register_unaries()


@register("bitwise_not", method=True, dunder="__invert__")
def bitwise_not(input: FakeTensor, *, out: Any = None) -> FakeTensor:
    """``~x`` (integral and bool tensors only)."""
    x = tensor_arg(input, "bitwise_not")
    if x.dtype.is_floating_point or x.dtype.is_complex:
        raise _not_implemented("bitwise_not", x.dtype)
    return make(x._size, x.dtype)


@register("clamp", method=True, aliases=("clip",))
def clamp(input: FakeTensor, min: Any = None, max: Any = None, *, out: Any = None) -> FakeTensor:
    """``torch.clamp``: broadcasts tensor bounds against the input.

    Raises:
        RuntimeError: Neither bound is given.
    """
    x = tensor_arg(input, "clamp")
    if min is None and max is None:
        raise RuntimeError("clamp: At least one of 'min' or 'max' must not be None")
    bounds = [b for b in (min, max) if b is not None]
    shape = broadcast_shapes(*_operands("clamp", x, *bounds), op="clamp")
    tensors = [b for b in bounds if isinstance(b, FakeTensor)]
    return make(shape, result_type(x, *tensors) if tensors else x.dtype)


@register("clamp_min", method=True)
def clamp_min(input: FakeTensor, min: Any) -> FakeTensor:
    """``torch.clamp_min``."""
    return clamp(input, min=min)


@register("clamp_max", method=True)
def clamp_max(input: FakeTensor, max: Any) -> FakeTensor:
    """``torch.clamp_max``."""
    return clamp(input, max=max)


@register("where", method=True)
def where(condition: FakeTensor, input: Any = None, other: Any = None, *, out: Any = None) -> Any:
    """``torch.where(condition, input, other)``: broadcast of the three; with only ``condition``,
    the indices of its nonzero elements (a tuple of 1-d tensors of data-dependent length).

    Raises:
        RuntimeError: ``condition`` is not a bool tensor.
    """
    cond = tensor_arg(condition, "where", "condition")
    if input is None and other is None:
        from symcore.tensor.ops_index import nonzero

        return nonzero(cond, as_tuple=True)
    if cond.dtype is not dtypes.bool and cond.dtype is not dtypes.uint8:
        raise RuntimeError(
            f"where expected condition to be a boolean tensor, but got a tensor with dtype {cond.dtype.name}"
        )
    shape = broadcast_shapes(*_operands("where", cond, input, other), op="where")
    return make(shape, result_type(input, other))


@register("masked_fill", method=True)
def masked_fill(input: FakeTensor, mask: FakeTensor, value: Any) -> FakeTensor:
    """``input`` with positions where ``mask`` holds set to ``value``; the mask broadcasts to the input.

    Raises:
        RuntimeError: The mask is not bool, or does not broadcast to the input's shape.
    """
    x = tensor_arg(input, "masked_fill")
    m = tensor_arg(mask, "masked_fill", "mask", 2)
    if m.dtype is not dtypes.bool:
        raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with dtype {m.dtype.name}")
    if isinstance(value, FakeTensor) and value.ndim != 0:
        raise RuntimeError(
            f"masked_fill_ only supports a 0-dimensional value tensor, but got tensor with {value.ndim} dimension(s)."
        )
    _expand_to("masked_fill", m._size, x._size)
    return make(x._size, x.dtype)


def _expand_to(op: str, shape: tuple[Any, ...], target: tuple[Any, ...]) -> None:
    """Checks that ``shape`` broadcasts to exactly ``target``."""
    from symcore.tensor.fake import fmt_shape

    if len(shape) > len(target):
        raise RuntimeError(f"{op}: shape {fmt_shape(shape)} cannot be broadcast to {fmt_shape(target)}")
    out = broadcast_shapes(target, shape, op=op)
    if len(out) != len(target):
        raise RuntimeError(f"{op}: shape {fmt_shape(shape)} cannot be broadcast to {fmt_shape(target)}")


@register("lerp", method=True)
def lerp(input: FakeTensor, end: FakeTensor, weight: Any) -> FakeTensor:
    """``input + weight * (end - input)``."""
    shape = broadcast_shapes(*_operands("lerp", input, end, weight), op="lerp")
    return make(shape, result_type(input, end))


@register("addcmul", method=True)
def addcmul(input: FakeTensor, tensor1: FakeTensor, tensor2: FakeTensor, *, value: Any = 1) -> FakeTensor:
    """``input + value * tensor1 * tensor2``."""
    shape = broadcast_shapes(*_operands("addcmul", input, tensor1, tensor2), op="addcmul")
    return make(shape, result_type(input, tensor1, tensor2))


@register("addcdiv", method=True)
def addcdiv(input: FakeTensor, tensor1: FakeTensor, tensor2: FakeTensor, *, value: Any = 1) -> FakeTensor:
    """``input + value * tensor1 / tensor2``."""
    shape = broadcast_shapes(*_operands("addcdiv", input, tensor1, tensor2), op="addcdiv")
    if not any(d.is_floating_point or d.is_complex for d in (result_type(tensor1), result_type(tensor2))):
        raise RuntimeError(
            "Integer division with addcdiv is no longer supported, and in a future release addcdiv will perform "
            "a true division of tensor1 and tensor2."
        )
    return make(shape, result_type(input, tensor1, tensor2))


@register("nan_to_num", method=True)
def nan_to_num(input: FakeTensor, nan: float = 0.0, posinf: Any = None, neginf: Any = None) -> FakeTensor:
    """Same shape and dtype as the input."""
    x = tensor_arg(input, "nan_to_num")
    return make(x._size, x.dtype)


@register("dropout", method=False, functional=True)
def dropout(input: FakeTensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> FakeTensor:
    """Identity on shapes (``torch.nn.functional.dropout``).

    Raises:
        ValueError: ``p`` outside ``[0, 1]``.
    """
    x = tensor_arg(input, "dropout")
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    return make(x._size, x.dtype, x._stride, x._offset)


@register("threshold", function=True, functional=True)
def threshold(input: FakeTensor, threshold: float, value: float, inplace: bool = False) -> FakeTensor:
    """Same shape and dtype as the input."""
    x = tensor_arg(input, "threshold")
    return make(x._size, x.dtype)


@register("glu", function=False, functional=True, primary="functional")
def glu(input: FakeTensor, dim: int = -1) -> FakeTensor:
    """Halves ``dim``.

    Raises:
        RuntimeError: ``dim`` has odd size.
    """
    from symcore.tensor.fake import check, wrap_dim

    x = tensor_arg(input, "glu")
    d = wrap_dim(dim, x.ndim, "glu")
    n = x._size[d]
    check(n % 2 == 0, lambda: f"glu: Halving dimension must be even, but dimension {d} is size {n}")
    size = list(x._size)
    size[d] = n // 2
    return make(size, x.dtype)


# -- type conversion ---------------------------------------------------------------------------


def _convert(x: FakeTensor, d: dtype) -> FakeTensor:
    if d is x.dtype:
        return x
    return make(x._size, d, x._stride, x._offset)


@register("to", method=True)
def to(input: FakeTensor, *args: Any, **kwargs: Any) -> FakeTensor:
    """``x.to(dtype)``, ``x.to(device[, dtype])``, ``x.to(other)``, ``x.to(dtype=...)``: devices are
    ignored; returns ``x`` itself when the dtype does not change (as PyTorch without ``copy=True``).

    Raises:
        TypeError: An argument that is neither a dtype, a tensor nor a device.
    """
    x = tensor_arg(input, "to")
    target: dtype | None = None
    for a in args:
        if isinstance(a, FakeTensor):
            target = a.dtype
        elif isinstance(a, dtype):
            target = a
        elif isinstance(a, str):
            try:
                target = to_dtype(a)
            except TypeError:
                pass  # a device name
        elif a is None or isinstance(a, bool):
            pass  # device=None, non_blocking
        else:
            raise TypeError(f"to() received an invalid combination of arguments: got {type(a).__name__}")
    if "dtype" in kwargs and kwargs["dtype"] is not None:
        target = to_dtype(kwargs["dtype"])
    if target is None:
        return x
    out = _convert(x, target)
    if kwargs.get("copy") and out is x:
        return make(x._size, x.dtype, x._stride, x._offset)
    return out


@register("type_as", method=True)
def type_as(input: FakeTensor, other: FakeTensor) -> FakeTensor:
    """``input.to(other.dtype)``."""
    return _convert(tensor_arg(input, "type_as"), tensor_arg(other, "type_as", "other", 2).dtype)


@register("type", function=False, method=True)
def type_(input: FakeTensor, dtype: Any = None, non_blocking: bool = False) -> Any:
    """``x.type(dtype)`` converts; ``x.type()`` names the type (``"symcore.FloatTensor"``)."""
    x = tensor_arg(input, "type")
    if dtype is None:
        return f"symcore.{x.dtype.name}"
    return _convert(x, to_dtype(dtype))


def _register_conversions() -> None:
    for name, d in (("float", dtypes.float32), ("half", dtypes.float16), ("double", dtypes.float64),
                    ("bfloat16", dtypes.bfloat16), ("long", dtypes.int64), ("int", dtypes.int32),
                    ("short", dtypes.int16), ("char", dtypes.int8), ("byte", dtypes.uint8), ("bool", dtypes.bool),
                    ("cfloat", dtypes.complex64), ("cdouble", dtypes.complex128)):  # fmt: skip

        def rule(input: FakeTensor, memory_format: Any = None, _d: dtype = d) -> FakeTensor:
            return _convert(tensor_arg(input, "to"), _d)

        rule.__name__ = name
        rule.__doc__ = f"``x.to(symcore.{d.name})``."
        register(f"to_{name}", function=False, method=name)(rule)


_register_conversions()


@register("clone", method=True)
def clone(input: FakeTensor, *, memory_format: Any = None) -> FakeTensor:
    """A copy with contiguous strides (PyTorch keeps dense strides; symcore makes them row-major)."""
    x = tensor_arg(input, "clone")
    return make(x._size, x.dtype)


@register("detach", method=True, aliases=("cpu", "cuda", "requires_grad_", "pin_memory"))
def detach(input: FakeTensor, *args: Any, **kwargs: Any) -> FakeTensor:
    """The tensor itself (no autograd, no devices)."""
    return tensor_arg(input, "detach")
