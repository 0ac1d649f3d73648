"""``symcore.ops.X`` is ``torch.X``: the function forms of the tensor ops (``matmul``, ``cat``,
``softmax``, ``zeros``, ...), generated from the op registry, plus ``sym_size``, ``sym_stride``
and ``sym_numel`` (how traced graphs read sizes).

Examples:
    >>> from symcore import ops
    >>> ops.cat([ops.zeros(2, 3), ops.ones(4, 3)]).shape
    symcore.Size([6, 3])
"""

from __future__ import annotations

from typing import Any

import symcore.tensor  # noqa: F401 - registers the ops
from symcore.tensor import registry as _registry
from symcore.tensor.tracing import sym_numel, sym_size, sym_stride

globals().update(_registry.namespace("ops"))

__all__ = sorted([*_registry.namespace("ops"), "sym_numel", "sym_size", "sym_stride"])


def __getattr__(name: str) -> Any:
    raise AttributeError(f"module 'symcore.ops' has no attribute {name!r} (no op of that name is registered)")


_ = (sym_numel, sym_size, sym_stride)
