"""Per-thread tracing state shared by FakeTensor and the op registry (private).

``STATE.tracer`` is the active :class:`~symcore.tensor.tracing.TensorTracer` on this thread, or
``None``: ops then run their shape rule directly, and size reads record nothing. A tracer sets it
to ``None`` while a shape rule runs, so that nested ops and size reads inside a rule stay out of
the graph.
"""

from __future__ import annotations

import threading
from typing import Any


class _State(threading.local):
    tracer: Any = None
    env: Any = None  # the ShapeEnv of the active trace (set also while a shape rule runs)


STATE = _State()
