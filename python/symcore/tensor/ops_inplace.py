"""In-place ops (``x.add_(y)``, ``x.relu_()``, ``x.zero_()``, ...): PyTorch's trailing-underscore
methods, as FakeTensor methods.

An in-place op returns ``self``; PyTorch's rules for it are that the out-of-place result must
have ``self``'s shape (``self`` is not broadcast) and its dtype must be castable to ``self``'s
(``int_tensor.add_(1.5)`` is an error). Each one here is the out-of-place shape rule plus those
two checks, so adding one is one line in a table. While tracing, the op is one graph node and
``self`` is read through that node from then on.
"""

from __future__ import annotations

from typing import Any, Callable

from symcore.tensor import dtypes
from symcore.tensor.fake import FakeTensor, tensor_arg
from symcore.tensor.registry import op_info, register

# in-place method -> the out-of-place op whose shape rule it follows
_FROM_OP = {
    **{f"{name}_": name for name in (
        "add sub mul div pow remainder fmod clamp clamp_min clamp_max masked_fill lerp addcmul addcdiv "
        "relu sigmoid tanh exp log log2 log10 log1p expm1 sqrt rsqrt neg abs floor ceil round trunc frac "
        "reciprocal sin cos tan sign erf square nan_to_num logical_not hardtanh leaky_relu"
    ).split()},
    "subtract_": "sub", "multiply_": "mul", "divide_": "div", "true_divide_": "div", "clip_": "clamp",
}  # fmt: skip


def _same_size(a: Any, b: Any) -> bool:
    if a is b:
        return True
    if isinstance(a, int) and isinstance(b, int):
        return a == b
    return bool(a == b)  # symbolic: decided (or guarded) by the ShapeEnv


def _check_inplace(name: str, x: FakeTensor, out: FakeTensor) -> None:
    if len(out._size) != len(x._size) or not all(_same_size(a, b) for a, b in zip(x._size, out._size)):
        raise RuntimeError(
            f"{name}: output with shape {list(x._size)} doesn't match the broadcast shape {list(out._size)}"
        )
    if not dtypes.can_cast(out.dtype, x.dtype):
        raise RuntimeError(
            f"{name}: result type {dtypes.scalar_name(out.dtype)} can't be cast to the desired output type "
            f"{dtypes.scalar_name(x.dtype)}"
        )


def _inplace(name: str, base: str) -> Callable[..., FakeTensor]:
    base_rule = op_info(base).rule

    def rule(self: FakeTensor, *args: Any, **kwargs: Any) -> FakeTensor:
        x = tensor_arg(self, name)
        out = base_rule(x, *args, **kwargs)
        _check_inplace(name, x, out)
        return x

    rule.__name__ = name
    rule.__doc__ = f"``Tensor.{name}``: in-place ``{base}``; returns ``self``."
    return rule


def _shape_preserving(name: str, doc: str) -> Callable[..., FakeTensor]:
    def rule(self: FakeTensor, *args: Any, **kwargs: Any) -> FakeTensor:
        return tensor_arg(self, name)

    rule.__name__ = name
    rule.__doc__ = doc
    return rule


def _register() -> None:
    for name, base in _FROM_OP.items():
        register(name, method=True, function=False, inplace=True)(_inplace(name, base))
    for name in ("zero_", "normal_", "uniform_", "bernoulli_", "random_", "exponential_", "geometric_",
                 "cauchy_", "log_normal_"):  # fmt: skip
        register(name, method=True, function=False, inplace=True)(
            _shape_preserving(name, f"``Tensor.{name}``: fills ``self`` in place (shape and dtype unchanged).")
        )


_register()


@register("fill_", method=True, function=False, inplace=True)
def fill_(self: FakeTensor, value: Any) -> FakeTensor:
    """``Tensor.fill_(value)``: ``value`` is a number or a 0-dim tensor."""
    x = tensor_arg(self, "fill_")
    if isinstance(value, FakeTensor) and value.ndim != 0:
        raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with {value.ndim} dimensions.")
    return x


@register("copy_", method=True, function=False, inplace=True)
def copy_(self: FakeTensor, src: FakeTensor, non_blocking: bool = False) -> FakeTensor:
    """``Tensor.copy_(src)``: ``src`` must broadcast to ``self``'s shape (any dtype converts)."""
    x = tensor_arg(self, "copy_")
    s = tensor_arg(src, "copy_", "src", 2)
    if s.ndim > x.ndim:
        raise RuntimeError(f"copy_: the source of shape {list(s._size)} does not broadcast to {list(x._size)}")
    for a, b in zip(reversed(x._size), reversed(s._size)):
        if not (isinstance(b, int) and b == 1) and not _same_size(a, b):
            raise RuntimeError(
                f"copy_: the size of tensor a ({a}) must match the size of tensor b ({b}) at a non-singleton dimension"
            )
    return x


__all__: list[str] = []
