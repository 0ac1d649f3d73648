"""``symcore.nn.init`` is ``torch.nn.init``: the weight initialisers a model's ``__init__`` or
``_init_weights`` calls. FakeTensors hold no values, so each checks what PyTorch checks (the
tensor's rank, for fan-based schemes) and returns the tensor unchanged; ``calculate_gain`` returns
PyTorch's numbers.

Examples:
    >>> import symcore
    >>> from symcore.nn import init
    >>> w = symcore.empty(64, 32)
    >>> init.kaiming_uniform_(w, a=5 ** 0.5) is w
    True
    >>> init.calculate_gain("relu")
    1.4142135623730951
"""

from __future__ import annotations

import math
from typing import Any

from symcore.tensor.fake import FakeTensor, tensor_arg

__all__ = [
    "calculate_gain",
    "constant_",
    "dirac_",
    "eye_",
    "kaiming_normal_",
    "kaiming_uniform_",
    "normal_",
    "ones_",
    "orthogonal_",
    "sparse_",
    "trunc_normal_",
    "uniform_",
    "xavier_normal_",
    "xavier_uniform_",
    "zeros_",
]

_LINEAR = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d")


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The recommended gain for a nonlinearity (``torch.nn.init.calculate_gain``).

    Raises:
        ValueError: An unknown nonlinearity or a bad ``param``.
    """
    if nonlinearity in _LINEAR or nonlinearity == "sigmoid":
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif isinstance(param, (int, float)) and not isinstance(param, bool):
            slope = float(param)
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def _fans(tensor: FakeTensor, op: str) -> FakeTensor:
    t = tensor_arg(tensor, op, "tensor")
    if t.ndim < 2:
        raise ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions")
    return t


def uniform_(tensor: FakeTensor, a: float = 0.0, b: float = 1.0, generator: Any = None) -> FakeTensor:
    """Fills with U(a, b): the tensor, unchanged."""
    return tensor_arg(tensor, "uniform_", "tensor")


def normal_(tensor: FakeTensor, mean: float = 0.0, std: float = 1.0, generator: Any = None) -> FakeTensor:
    """Fills with N(mean, std²): the tensor, unchanged."""
    return tensor_arg(tensor, "normal_", "tensor")


def trunc_normal_(
    tensor: FakeTensor, mean: float = 0.0, std: float = 1.0, a: float = -2.0, b: float = 2.0, generator: Any = None
) -> FakeTensor:
    """Fills with a truncated normal: the tensor, unchanged."""
    return tensor_arg(tensor, "trunc_normal_", "tensor")


def constant_(tensor: FakeTensor, val: float) -> FakeTensor:
    """Fills with ``val``: the tensor, unchanged."""
    return tensor_arg(tensor, "constant_", "tensor")


def ones_(tensor: FakeTensor) -> FakeTensor:
    """Fills with ones: the tensor, unchanged."""
    return tensor_arg(tensor, "ones_", "tensor")


def zeros_(tensor: FakeTensor) -> FakeTensor:
    """Fills with zeros: the tensor, unchanged."""
    return tensor_arg(tensor, "zeros_", "tensor")


def eye_(tensor: FakeTensor) -> FakeTensor:
    """The identity, for a 2-D tensor.

    Raises:
        ValueError: The tensor is not 2-D.
    """
    t = tensor_arg(tensor, "eye_", "tensor")
    if t.ndim != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    return t


def dirac_(tensor: FakeTensor, groups: int = 1) -> FakeTensor:
    """The Dirac delta, for a 3-, 4- or 5-D tensor whose first dim ``groups`` divides.

    Raises:
        ValueError: Another rank, or ``groups`` does not divide the first dim.
    """
    t = tensor_arg(tensor, "dirac_", "tensor")
    if t.ndim not in (3, 4, 5):
        raise ValueError("Only tensors with 3, 4, or 5 dimensions are supported")
    if t.shape[0] % groups != 0:
        raise ValueError("dim 0 must be divisible by groups")
    return t


def xavier_uniform_(tensor: FakeTensor, gain: float = 1.0, generator: Any = None) -> FakeTensor:
    """Glorot uniform: the tensor, unchanged. Raises ValueError below 2 dims."""
    return _fans(tensor, "xavier_uniform_")


def xavier_normal_(tensor: FakeTensor, gain: float = 1.0, generator: Any = None) -> FakeTensor:
    """Glorot normal: the tensor, unchanged. Raises ValueError below 2 dims."""
    return _fans(tensor, "xavier_normal_")


def _kaiming(tensor: FakeTensor, op: str, mode: str, nonlinearity: str, a: float) -> FakeTensor:
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {mode} not supported, please use one of fan_in, fan_out")
    calculate_gain(nonlinearity, a)
    return _fans(tensor, op)


def kaiming_uniform_(
    tensor: FakeTensor, a: float = 0, mode: str = "fan_in", nonlinearity: str = "leaky_relu", generator: Any = None
) -> FakeTensor:
    """He uniform: the tensor, unchanged. Raises ValueError below 2 dims or for a bad mode."""
    return _kaiming(tensor, "kaiming_uniform_", mode, nonlinearity, a)


def kaiming_normal_(
    tensor: FakeTensor, a: float = 0, mode: str = "fan_in", nonlinearity: str = "leaky_relu", generator: Any = None
) -> FakeTensor:
    """He normal: the tensor, unchanged. Raises ValueError below 2 dims or for a bad mode."""
    return _kaiming(tensor, "kaiming_normal_", mode, nonlinearity, a)


def orthogonal_(tensor: FakeTensor, gain: float = 1, generator: Any = None) -> FakeTensor:
    """A (semi-)orthogonal matrix: the tensor, unchanged.

    Raises:
        ValueError: Fewer than 2 dims.
    """
    t = tensor_arg(tensor, "orthogonal_", "tensor")
    if t.ndim < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")
    return t


def sparse_(tensor: FakeTensor, sparsity: float, std: float = 0.01, generator: Any = None) -> FakeTensor:
    """A sparse matrix: the tensor, unchanged.

    Raises:
        ValueError: Not 2-D.
    """
    t = tensor_arg(tensor, "sparse_", "tensor")
    if t.ndim != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    return t
