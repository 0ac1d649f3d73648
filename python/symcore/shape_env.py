"""``ShapeEnv``: owns symbols and the guards recorded while Python code uses them.

Tracer and compiler authors create one environment per trace, make symbols with
:meth:`ShapeEnv.symint`, compute with the returned ``SymInt`` values as with ints, and read the
facts the computation relied on from :attr:`ShapeEnv.guards`.
"""

from __future__ import annotations

import os
import sys
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Union

from symcore import _core
from symcore._core import DataDependentError, SymBool, SymFloat, SymInt, sym_not

SymValue = Union[SymInt, SymBool, SymFloat]
"""Any symcore value."""

# Frames in these files are symcore's own machinery; a guard's origin is the first frame outside.
_INTERNAL_FILES = frozenset({os.path.abspath(__file__)})


def _user_frame() -> str | None:
    """``file:line in function`` of the innermost caller outside symcore, for guard provenance."""
    frame = sys._getframe(1)
    while frame is not None:
        filename = frame.f_code.co_filename
        if os.path.abspath(filename) not in _INTERNAL_FILES:
            return f"{filename}:{frame.f_lineno} in {frame.f_code.co_name}"
        frame = frame.f_back  # type: ignore[assignment]
    return None


@dataclass(frozen=True)
class Guard:
    """A fact a computation relied on: ``expr`` held under the hints when it was decided.

    Attributes:
        expr: The fact, a symbolic ``SymBool`` that is true for the traced values.
        origin: ``file:line in function`` of the user code that asked for the decision.
    """

    expr: SymBool
    origin: str | None = None

    def __str__(self) -> str:
        return str(self.expr)


class ShapeEnv:
    """Symbols, the expressions built from them, and the guards recorded on the way.

    Examples:
        >>> env = ShapeEnv()
        >>> n = env.symint("n", hint=8, min=1)
        >>> m = (n + 1) * (n + 1) - n * n
        >>> print(m)
        2*n + 1
        >>> m.hint
        17
        >>> if n > 4:
        ...     pass
        >>> [str(g) for g in env.guards]
        ['n > 4']
    """

    def __init__(self) -> None:
        self._env = _core.Env()
        self._env.set_owner(weakref.ref(self))
        self._guards: list[Guard] = []
        self._guard_keys: set[tuple[object, ...]] = set()

    def symint(
        self,
        name: str,
        hint: int | None = None,
        *,
        min: int | None = None,
        max: int | None = None,
    ) -> SymInt:
        """Declares a symbol.

        Args:
            name: A Python identifier, unique in this environment.
            hint: Its example value; ``None`` makes an unbacked symbol (converting an expression
                over it to a Python value raises :class:`~symcore.errors.DataDependentError`).
            min: Inclusive lower bound, or ``None``.
            max: Inclusive upper bound, or ``None``.

        Returns:
            The symbol as a ``SymInt``.

        Raises:
            SymbolError: The name is invalid or taken, or the hint is outside ``[min, max]``.
            TypeError: A hint or bound that is not an int.
        """
        return self._env.symbol(name, hint, min, max)

    def constant(self, value: int | float | bool) -> SymValue:
        """A constant of this environment (``SymInt``, ``SymFloat`` or ``SymBool``)."""
        return self._env.constant(value)

    def parse(self, text: str) -> SymValue:
        """Reads an expression in the printed language (``str(x)``) back; never evaluates code.

        Raises:
            ParseError: The text is not in the language, or names a symbol this environment
                does not have; the message names the position.
        """
        return self._env.parse(text)

    def evaluate(self, x: SymValue | int | float | bool, binding: Mapping[str, int]) -> int | float | bool:
        """The value of ``x`` with each symbol bound to a Python int.

        Raises:
            UnboundSymbolError: ``x`` needs a symbol that ``binding`` does not give.
            ZeroDivisionError, ValueError, OverflowError: As Python raises computing the same
                thing with plain numbers.
        """
        return self._env.evaluate(x, dict(binding))

    @property
    def guards(self) -> list[Guard]:
        """The facts recorded so far, in order (a copy)."""
        return list(self._guards)

    @property
    def symbols(self) -> dict[str, tuple[int | None, int | None, int | None]]:
        """``name -> (hint, min, max)`` for every symbol, in declaration order."""
        return {name: (hint, lo, hi) for name, hint, lo, hi in self._env.symbols()}

    def __len__(self) -> int:
        """Number of distinct expression nodes stored."""
        return len(self._env)

    def __repr__(self) -> str:
        return f"<ShapeEnv: {len(self.symbols)} symbols, {len(self._guards)} guards, {len(self)} nodes>"

    def _guard(self, x: SymValue) -> int | float | bool:
        """Decides a symbolic value that Python needs as a concrete one (the hook ``bool()``,
        ``int()``, ``float()`` and ``__index__`` reach): answers by the hints and records the fact
        relied on as a guard."""
        hint = x.hint
        if hint is None:
            unbacked = sorted(s for s in x.free_symbols if self.symbols[s][0] is None)
            raise DataDependentError(
                f"could not decide {x} (symbols without hints: {', '.join(unbacked)}); give the symbols "
                "hints, or restructure the code so that it does not branch on this value"
            )
        if isinstance(x, SymBool):
            fact = x if hint else sym_not(x)
        elif isinstance(hint, float) and hint != hint:  # NaN equals nothing; nothing to record
            return hint
        else:
            fact = x == hint
        assert isinstance(fact, SymBool)
        if not fact.is_constant:
            key = fact.key()
            if key not in self._guard_keys:
                self._guard_keys.add(key)
                self._guards.append(Guard(fact, _user_frame()))
        return hint
