"""``symcore.nn.functional.X`` is ``torch.nn.functional.X``: ``linear``, ``conv2d``, ``softmax``,
``layer_norm``, ``scaled_dot_product_attention``, ``interpolate``, ``pad``, ... generated from the
op registry (see :mod:`symcore.tensor.registry`).

Examples:
    >>> import symcore.nn.functional as F
    >>> from symcore.tensor import empty
    >>> F.conv2d(empty(8, 3, 224, 224), empty(64, 3, 7, 7), stride=2, padding=3).shape
    symcore.Size([8, 64, 112, 112])
"""

from __future__ import annotations

from typing import Any

import symcore.tensor  # noqa: F401 - registers the ops
from symcore.tensor import registry as _registry

globals().update(_registry.namespace("functional"))

__all__ = sorted(_registry.namespace("functional"))


def __getattr__(name: str) -> Any:
    raise AttributeError(f"module 'symcore.nn.functional' has no attribute {name!r} (no op of that name is registered)")
