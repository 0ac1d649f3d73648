"""``SymDispatchMode``: intercept every operation on symbolic values.

Tracer authors subclass it and define ``__sym_dispatch__``; while the mode is active on a thread
(``with mode:``), every ``SymInt``/``SymBool``/``SymFloat`` operation on that thread — all magic
methods, both operand orders, and the ``sym_*`` functions — calls the handler instead of
computing. ``func`` is the operation's ordinary public callable (``operator.add``,
``operator.floordiv``, ``math.floor``, ``symcore.sym_max``, ...), so the handler computes the real
result the idiomatic way, ``func(*args, **kwargs)``: while the handler runs its own mode is
popped, so that call reaches the next mode out, or the native code.

Examples:
    >>> import operator
    >>> from symcore import ShapeEnv
    >>> class Log(SymDispatchMode):
    ...     def __init__(self) -> None:
    ...         self.seen: list[str] = []
    ...     def __sym_dispatch__(self, func, types, args, kwargs):
    ...         self.seen.append(func.__name__)
    ...         return func(*args, **kwargs)
    >>> n = ShapeEnv().symint("n", hint=4)
    >>> with Log() as log:
    ...     m = (n + 1) * 2
    >>> log.seen
    ['add', 'mul']
    >>> print(m)
    2*n + 2
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any

from symcore import _core

__all__ = ["SymDispatchMode", "active_modes"]


class SymDispatchMode:
    """Base class of dispatch modes; a mode is a context manager that is active on one thread.

    Modes stack: the innermost sees each operation first; when its handler redispatches with
    ``func(*args, **kwargs)`` the next mode out sees it. The same mode object cannot be entered
    twice at once, and modes must exit in reverse order of entry.
    """

    def __sym_dispatch__(
        self,
        func: Callable[..., Any],
        types: tuple[type, ...],
        args: tuple[Any, ...],
        kwargs: Mapping[str, Any],
    ) -> Any:
        """Handles one operation. The default computes it unchanged.

        Args:
            func: The operation's public callable, e.g. ``operator.add``.
            types: The symcore classes among ``args``.
            args: The operands, in Python's call order (``3 + n`` is ``operator.add(3, n)``).
            kwargs: Keyword arguments (empty for operators).

        Returns:
            The operation's result; usually ``func(*args, **kwargs)``.
        """
        return func(*args, **kwargs)

    def __enter__(self) -> SymDispatchMode:
        _core.push_mode(self)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        _core.pop_mode(self)


def active_modes() -> list[SymDispatchMode]:
    """The modes active on this thread, outermost first."""
    return list(_core.active_modes())
