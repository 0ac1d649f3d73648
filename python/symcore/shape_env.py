"""``ShapeEnv``: owns symbols and the guards recorded while Python code uses them.

Tracer and compiler authors create one environment per trace, make symbols with
:meth:`ShapeEnv.symint`, compute with the returned ``SymInt`` values as with ints, and read the
facts the computation relied on from :attr:`ShapeEnv.guards`.
"""

from __future__ import annotations

import math
import os
import sys
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Union

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


_GUARD_NAMESPACE: dict[str, Any] = {
    "min": min,
    "max": max,
    "abs": abs,
    "pow": pow,
    "float": float,
    "int": int,
    "round": round,
    "floor": math.floor,
    "ceil": math.ceil,
    "trunc": math.trunc,
}


class GuardFn:
    """A compiled check of a ShapeEnv's guards and symbol ranges (see :meth:`ShapeEnv.guard_fn`).

    Attributes:
        names: The symbol names, in the positional order.
        source: The generated Python source (guard texts are symcore's printed language, which
            only names symbols and the functions of ``_GUARD_NAMESPACE``).
        positional: The compiled function taking the values positionally.
    """

    def __init__(self, env: ShapeEnv) -> None:
        self.names = list(env.symbols)
        conditions: list[str] = []
        for name, (_, lo, hi) in env.symbols.items():
            if lo is not None:
                conditions.append(f"{name} >= {lo}")
            if hi is not None:
                conditions.append(f"{name} <= {hi}")
        conditions.extend(f"({text})" for text in env.produce_guards())
        body = " and ".join(conditions) if conditions else "True"
        self.source = f"def guard_fn({', '.join(self.names)}):\n    return bool({body})\n"
        namespace: dict[str, Any] = {"__builtins__": {"bool": bool}, **_GUARD_NAMESPACE}
        exec(compile(self.source, "<symcore guard_fn>", "exec"), namespace)
        self.positional: Callable[..., bool] = namespace["guard_fn"]

    def __call__(self, *args: Any) -> bool:
        if len(args) == 1 and isinstance(args[0], Mapping):
            values = args[0]
            missing = [n for n in self.names if n not in values]
            if missing:
                raise KeyError(f"guard_fn needs values for {', '.join(missing)}")
            return self.positional(*(values[n] for n in self.names))
        if len(args) != len(self.names):
            raise TypeError(f"guard_fn takes {len(self.names)} values ({', '.join(self.names)}), got {len(args)}")
        return self.positional(*args)

    def __repr__(self) -> str:
        return f"<GuardFn {self.source.splitlines()[1].strip()}>"


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

    def __init__(self, *, specialize_zero_one: bool = True, duck_shape: bool = True) -> None:
        """Create an empty environment.

        Args:
            specialize_zero_one: :meth:`size` returns the plain ints 0 and 1 for those hints
                (sizes 0 and 1 behave differently from larger sizes, e.g. under broadcasting, so
                tracers specialise them).
            duck_shape: :meth:`size` calls without a name that give the same hint share one
                symbol.
        """
        self._env = _core.Env()
        self._env.set_owner(weakref.ref(self))
        self._guards: list[Guard] = []
        self._guard_keys: set[tuple[object, ...]] = set()
        self.specialize_zero_one = specialize_zero_one
        self.duck_shape = duck_shape
        self._duck: dict[int, SymInt] = {}
        self._fresh: dict[str, int] = {"s": 0, "u": 0}

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

    def _fresh_name(self, prefix: str) -> str:
        taken = self.symbols
        while True:
            name = f"{prefix}{self._fresh[prefix]}"
            self._fresh[prefix] += 1
            if name not in taken:
                return name

    def size(
        self,
        name: str | None = None,
        hint: int | None = None,
        *,
        min: int = 0,
        max: int | None = None,
    ) -> SymInt | int:
        """A symbol for a tensor dimension: range ``[min, max]``, ``[0, inf)`` by default.

        With ``specialize_zero_one`` (the default) a hint of 0 or 1 returns that plain int. With
        ``duck_shape`` (the default) a call without a name whose hint matches an earlier unnamed
        size returns that size's symbol; an explicit name always makes a new symbol. Unnamed sizes
        are called ``s0``, ``s1``, ...

        Raises:
            TypeError: ``hint`` is missing or not an int.
            SymbolError: as :meth:`symint`.
        """
        if not isinstance(hint, int) or isinstance(hint, bool):
            raise TypeError(f"size() needs an int hint, got {hint!r}; use unbacked() for a size without one")
        if self.specialize_zero_one and hint in (0, 1):
            return hint
        if name is None and self.duck_shape and hint in self._duck:
            return self._duck[hint]
        symbol = self.symint(name if name is not None else self._fresh_name("s"), hint, min=min, max=max)
        if name is None and self.duck_shape:
            self._duck[hint] = symbol
        return symbol

    def unbacked(
        self,
        name: str | None = None,
        *,
        min: int | None = None,
        max: int | None = None,
    ) -> SymInt:
        """A symbol without a hint, for a data-dependent value (the length of ``nonzero``'s
        output, say). Unnamed ones are called ``u0``, ``u1``, ... Converting an expression over it
        to a Python value raises :class:`~symcore.errors.DataDependentError` unless the ranges
        decide it."""
        return self.symint(name if name is not None else self._fresh_name("u"), None, min=min, max=max)

    def bound(self, x: SymValue | int) -> tuple[int | float, int | float]:
        """``(lo, hi)``: bounds of the integer ``x`` under the symbols' ranges (``-math.inf`` /
        ``math.inf`` for an unbounded end). Sound: every value ``x`` takes is inside."""
        lo, hi = self._env.bound(x)
        return (-math.inf if lo is None else lo, math.inf if hi is None else hi)

    def statically_known_true(self, b: SymBool | bool) -> bool:
        """True only if ``b`` holds for every binding of the symbols within their ranges; never
        uses hints and records no guard. (Today the proof uses ranges; issue "ShapeEnv" adds
        facts from guards, replacements and divisibility.)"""
        return self._env.known_truth(b) is True

    def statically_known_false(self, b: SymBool | bool) -> bool:
        """True only if ``b`` is false for every binding of the symbols within their ranges."""
        return self._env.known_truth(b) is False

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

    def produce_guards(self) -> list[str]:
        """The recorded guards as Python expressions over the symbol names, in order, without
        those the symbols' ranges already imply. (Dropping guards implied by *other* guards
        needs the decision procedure of issue "ShapeEnv"; until then only range-implied ones go.)"""
        out: list[str] = []
        for guard in self._guards:
            if self._env.known_truth(guard.expr) is True:
                continue
            text = str(guard.expr)
            if text not in out:
                out.append(text)
        return out

    def guard_fn(self) -> GuardFn:
        """A compiled checker of the guards and the symbols' declared ranges: call it with the
        symbol values as a mapping (``fn({"s0": 8})``) or positionally in declaration order
        (``fn(8)``); it returns whether the traced code is valid for them. Its ``positional``
        attribute is the raw compiled function (no argument handling), for hot loops."""
        return GuardFn(self)

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
        if isinstance(x, SymBool):
            known = self._env.known_truth(x)
            if known is not None:
                return bool(known)  # provable from the ranges alone (even without hints)
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
