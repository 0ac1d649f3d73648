"""The tensor layer: ``FakeTensor`` (sizes, strides and a dtype, no data), PyTorch's ops as shape
rules, and ``trace`` (tensor programs to graphs).

Who uses it: model analysts and compiler authors porting PyTorch code. ``symcore.ops.X`` is
``torch.X``, ``symcore.nn.functional.X`` is ``torch.nn.functional.X``, FakeTensor methods are
``torch.Tensor`` methods; all are generated from one op registry (:mod:`symcore.tensor.registry`).

Examples:
    >>> import symcore
    >>> from symcore.tensor import empty, float16
    >>> env = symcore.ShapeEnv()
    >>> b = env.size("b", hint=8)
    >>> x = empty(b, 128, 64, dtype=float16)
    >>> y = x.transpose(1, 2)
    >>> y.shape, y.stride(), y.is_contiguous()
    (symcore.Size([b, 64, 128]), (8192, 1, 64), False)
    >>> (x @ y).shape
    symcore.Size([b, 128, 128])
"""

from __future__ import annotations

# Importing the op modules registers the ops.
import symcore.tensor.ops_elementwise
import symcore.tensor.ops_factory
import symcore.tensor.ops_index
import symcore.tensor.ops_inplace
import symcore.tensor.ops_linalg
import symcore.tensor.ops_nn
import symcore.tensor.ops_reduce
import symcore.tensor.ops_views  # noqa: F401
from symcore.tensor.dtypes import (
    bfloat16,
    bool,
    cdouble,
    cfloat,
    complex64,
    complex128,
    double,
    dtype,
    float,
    float16,
    float32,
    float64,
    get_default_dtype,
    half,
    int,
    int8,
    int16,
    int32,
    int64,
    long,
    promote_types,
    result_type,
    short,
    uint8,
)
from symcore.tensor.fake import FakeTensor, Size, broadcast_shapes
from symcore.tensor.ops_factory import (
    arange,
    empty,
    empty_like,
    empty_strided,
    full,
    full_like,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randn,
    randn_like,
    tensor,
    zeros,
    zeros_like,
)
from symcore.tensor.ops_index import use_shape_env
from symcore.tensor.tracing import GuardViolation, TracedModule, trace

__all__ = [
    "FakeTensor",
    "GuardViolation",
    "Size",
    "TracedModule",
    "arange",
    "bfloat16",
    "bool",
    "broadcast_shapes",
    "cdouble",
    "cfloat",
    "complex64",
    "complex128",
    "double",
    "dtype",
    "empty",
    "empty_like",
    "empty_strided",
    "float",
    "float16",
    "float32",
    "float64",
    "full",
    "full_like",
    "get_default_dtype",
    "half",
    "int",
    "int8",
    "int16",
    "int32",
    "int64",
    "long",
    "ones",
    "ones_like",
    "promote_types",
    "rand",
    "rand_like",
    "randint",
    "randn",
    "randn_like",
    "result_type",
    "short",
    "tensor",
    "trace",
    "uint8",
    "use_shape_env",
    "zeros",
    "zeros_like",
]
