"""``ShapeEnv``: owns symbols and the guards recorded while Python code uses them.

Tracer and compiler authors create one environment per trace, make symbols with
:meth:`ShapeEnv.symint`, compute with the returned ``SymInt`` values as with ints, and read the
facts the computation relied on from :attr:`ShapeEnv.guards`.
"""

from __future__ import annotations

import contextlib
import copyreg
import itertools
import math
import os
import sys
import threading
import weakref
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Union

from symcore import _core
from symcore._core import ContradictionError, DataDependentError, SymBool, SymFloat, SymInt, sym_not

SymValue = Union[SymInt, SymBool, SymFloat]
"""Any symcore value."""

# Frames in symcore's own package are its machinery; a guard's origin is the first frame outside
# it. Model definitions and the demo are written like user code, so their lines are origins too.
_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep
_USER_CODE = (os.path.join(_PACKAGE_DIR, "demo.py"), os.path.join(_PACKAGE_DIR, "models") + os.sep)


def _is_internal(filename: str) -> bool:
    path = os.path.abspath(filename)
    return path.startswith(_PACKAGE_DIR) and not path.startswith(_USER_CODE)


def _user_frame() -> str | None:
    """``file:line in function`` of the innermost caller outside symcore, for guard provenance."""
    frame = sys._getframe(1)
    while frame is not None:
        filename = frame.f_code.co_filename
        if not _is_internal(filename):
            return f"{filename}:{frame.f_lineno} in {frame.f_code.co_name}"
        frame = frame.f_back  # type: ignore[assignment]
    return None


@contextlib.contextmanager
def _modes_suspended() -> Iterator[None]:
    """Runs the body with no SymDispatchMode active, so the environment's own arithmetic (building
    ``x == hint``, say) is never seen by a tracer."""
    modes = list(_core.active_modes())
    for mode in reversed(modes):
        _core.pop_mode(mode)
    try:
        yield
    finally:
        for mode in modes:
            _core.push_mode(mode)


@dataclass(frozen=True)
class Guard:
    """A fact a computation relied on: ``expr`` held under the hints when it was decided.

    Attributes:
        expr: The fact, a symbolic ``SymBool`` that is true for the traced values.
        origin: ``file:line in function`` of the user code that asked for the decision.
        kind: ``"guard"`` (decided from the hints; checked before reusing the trace) or
            ``"check"`` (a runtime assertion from :meth:`ShapeEnv.check`; an axiom for proofs).
        message: For a check, the message it raises with.
    """

    expr: SymBool
    origin: str | None = None
    kind: Literal["guard", "check"] = "guard"
    message: str | None = None

    def __str__(self) -> str:
        return str(self.expr)

    def explain(self) -> str:
        """One line: the fact and where it came from."""
        where = self.origin or "<unknown origin>"
        return f"{self.kind} {self.expr}    # {where}"


Binding = dict[str, int]
"""Symbol name -> value."""


@dataclass(frozen=True)
class Decision:
    """The answer of :meth:`ShapeEnv.decide` and why.

    Attributes:
        truth: ``True`` / ``False`` when the expression has that value at every binding that
            satisfies the symbols' ranges and the known facts; ``None`` when unknown.
        expr: The question (after replacements).
        facts: The guards and checks the proof used.
        symbols: Symbols whose ranges the proof used.
        counterexample: For ``False``, an admissible binding where the expression is false; for
            ``None``, one where it is false, if the search found one.
        example: For ``None``, an admissible binding where the expression is true, if found.
        settled_by: For ``None``, a simple fact that would prove it (e.g. ``"s0 >= 2"``), if found.
    """

    truth: bool | None
    expr: SymBool
    facts: tuple[Guard, ...] = ()
    symbols: tuple[str, ...] = ()
    counterexample: Binding | None = None
    example: Binding | None = None
    settled_by: str | None = None

    def explain(self) -> str:
        """A readable account of the answer."""
        lines = []
        if self.truth is None:
            lines.append(f"unknown: {self.expr}")
            if self.example is not None:
                lines.append(f"  true at {_fmt(self.example)}")
            if self.counterexample is not None:
                lines.append(f"  false at {_fmt(self.counterexample)}")
            if self.settled_by is not None:
                lines.append(f"  would be proved by the fact {self.settled_by}")
            return "\n".join(lines)
        lines.append(f"{'always true' if self.truth else 'always false'}: {self.expr}")
        if self.symbols:
            lines.append(f"  from the ranges of {', '.join(self.symbols)}")
        for f in self.facts:
            lines.append(f"  using {f.explain()}")
        if self.counterexample is not None:
            lines.append(f"  e.g. false at {_fmt(self.counterexample)}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.explain()


def _fmt(binding: Mapping[str, int]) -> str:
    return ", ".join(f"{k}={v}" for k, v in binding.items()) or "any binding"


@dataclass(frozen=True)
class ValidityRegion:
    """Where a trace is valid: the guards as text, with one binding inside and one outside.

    Attributes:
        conditions: The guards (and declared ranges), as Python expressions.
        inside: A binding satisfying every condition (the hints), or ``None``.
        outside: A binding (within the declared ranges) violating some condition, or ``None``
            when every binding in the ranges is valid or none was found.
        violated: The conditions ``outside`` violates.
    """

    conditions: tuple[str, ...]
    inside: Binding | None
    outside: Binding | None
    violated: tuple[str, ...] = field(default=())

    def __str__(self) -> str:
        text = "valid for " + (", ".join(self.conditions) if self.conditions else "every binding")
        if self.inside is not None:
            text += f"\n  inside:  {_fmt(self.inside)}"
        if self.outside is not None:
            text += f"\n  outside: {_fmt(self.outside)} (violates {', '.join(self.violated)})"
        return text


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
        # A guard whose computation raises (a division by zero) is not met.
        self.source = (
            f"def guard_fn({', '.join(self.names)}):\n    try:\n        return bool({body})\n"
            "    except (ArithmeticError, ValueError):\n        return False\n"
        )
        self.positional: Callable[..., bool] = _compile_guard_source(self.source)

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
        return f"<GuardFn {self.source.splitlines()[2].strip()}>"

    def __reduce__(self) -> tuple[Any, ...]:
        # The compiled function does not pickle; its source (symcore's own generated text over
        # the guard namespace) is compiled again on load.
        return (_guard_fn_from_source, (self.names, self.source))


def _guard_fn_from_source(names: list[str], source: str) -> GuardFn:
    fn = GuardFn.__new__(GuardFn)
    fn.names = list(names)
    fn.source = source
    fn.positional = _compile_guard_source(source)
    return fn


def _compile_guard_source(source: str) -> Callable[..., bool]:
    namespace: dict[str, Any] = {
        "__builtins__": {"bool": bool, "ArithmeticError": ArithmeticError, "ValueError": ValueError},
        **_GUARD_NAMESPACE,
    }
    exec(compile(source, "<symcore guard_fn>", "exec"), namespace)
    fn: Callable[..., bool] = namespace["guard_fn"]
    return fn


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
        ['n >= 5']
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
        self._facts: list[Guard] = []  # guards and checks, index-aligned with the native facts
        self._lock = threading.Lock()  # keeps _facts aligned when threads record at once
        self._fact_keys: set[tuple[object, ...]] = set()
        self._sizes: set[str] = set()
        self._produced: tuple[int, list[str]] | None = None
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
        self._sizes.add(str(symbol))
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
        """``(lo, hi)``: bounds of the integer ``x`` under the symbols' ranges, tightened by the
        facts recorded so far (``-math.inf`` / ``math.inf`` for an unbounded end). Sound: every
        value ``x`` takes where the facts hold is inside."""
        lo, hi = self._env.bound(x)
        return (-math.inf if lo is None else lo, math.inf if hi is None else hi)

    def decide(self, b: SymBool | bool) -> Decision:
        """Decides ``b`` for every binding of the symbols that satisfies their ranges and every
        guard and check recorded so far — never from hints, and never wrongly.

        Returns a :class:`Decision`: ``truth`` is ``True``, ``False`` or ``None`` (unknown), with
        the facts and ranges a proof used, a refuting binding for a false claim, and for an
        unknown one a binding each way and a fact that would settle it, when a small search finds
        them. Records nothing.

        Examples:
            >>> env = ShapeEnv()
            >>> a, b = env.symint("a", 6, min=1), env.symint("b", 4, min=1)
            >>> env.decide((a // b) * b <= a).truth
            True
            >>> print(env.decide(a * b >= 2 * a))
            unknown: 2*a <= a*b
              true at a=1, b=2
              false at a=1, b=1
              would be proved by the fact b >= 2
        """
        with _modes_suspended():
            question = self._as_bool(b)
            truth, used, symbols = self._env.decide(question)
            expr = self._env.canonical(question)
            assert isinstance(expr, SymBool)
            facts = tuple(self._facts[i] for i in used)
            if truth is True:
                return Decision(True, expr, facts, tuple(symbols))
            counter = self._search(expr, False)
            if truth is False:
                return Decision(False, expr, facts, tuple(symbols), counterexample=counter)
            return Decision(
                None, expr, counterexample=counter, example=self._search(expr, True), settled_by=self._settle(expr)
            )

    def statically_known_true(self, b: SymBool | bool) -> bool:
        """True only if ``b`` holds at every binding satisfying the ranges and recorded facts
        (:meth:`decide` without the explanation); records no guard."""
        if isinstance(b, bool):
            return b
        if not _core.active_modes():
            return self._env.truth(b) is True
        with _modes_suspended():
            return self._env.truth(b) is True

    def statically_known_false(self, b: SymBool | bool) -> bool:
        """True only if ``b`` is false at every binding satisfying the ranges and recorded facts."""
        if isinstance(b, bool):
            return not b
        if not _core.active_modes():
            return self._env.truth(b) is False
        with _modes_suspended():
            return self._env.truth(b) is False

    def guard_size_oblivious(self, b: SymBool | bool) -> bool:
        """``bool(b)``, but decided first as if every size symbol (from :meth:`size`) were
        ``>= 2``: a fact that holds for all sizes except 0 and 1 (``s0 != 1`` under broadcasting,
        say) is answered without a guard. Otherwise the hints decide and a guard is recorded."""
        if isinstance(b, bool):
            return b
        with _modes_suspended():
            sizes = sorted(self._sizes & b.free_symbols)
            truth = self._env.decide(b, sizes)[0]
        if truth is not None:
            return truth
        return bool(b)

    def check(self, cond: SymBool | bool, message: str | Callable[[], str] | None = None) -> None:
        """Asserts ``cond`` at runtime: from now on proofs may use it (an axiom), and it is listed
        in :attr:`runtime_asserts` for the code that runs the trace to check.

        Raises:
            ContradictionError: ``cond`` is false for the traced values (its hint), is provably
                false, or contradicts the facts already known; nothing is recorded then.
        """
        if isinstance(cond, bool):
            if not cond:
                raise ContradictionError(_message(message, "check failed: False"))
            return
        with _modes_suspended():
            truth = self._env.decide(cond)[0]
            if truth is True:
                return
            if truth is False:
                raise ContradictionError(_message(message, f"check failed: {cond} can never hold here"))
            if cond.hint is False:
                raise ContradictionError(_message(message, f"check failed: {cond} is False for the traced values"))
            self._record(cond, "check", None if message is None else _message(message, ""))

    @property
    def runtime_asserts(self) -> list[Guard]:
        """The checks recorded by :meth:`check`, in order."""
        return [f for f in self._facts if f.kind == "check"]

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
        """The guards as Python expressions over the symbol names, in order, minimal: a guard
        implied by the symbols' declared ranges or by the other guards kept is dropped."""
        if self._produced is not None and self._produced[0] == len(self._facts):
            return list(self._produced[1])
        indices = [i for i, f in enumerate(self._facts) if f.kind == "guard"]
        kept = list(indices)
        for i in indices:
            if self._env.implied_by(i, [j for j in kept if j != i]):
                kept.remove(i)
        out: list[str] = []
        for i in kept:
            text = str(self._facts[i].expr)
            if text not in out:
                out.append(text)
        self._produced = (len(self._facts), out)
        return list(out)

    def guard_fn(self) -> GuardFn:
        """A compiled checker of the guards and the symbols' declared ranges: call it with the
        symbol values as a mapping (``fn({"s0": 8})``) or positionally in declaration order
        (``fn(8)``); it returns whether the traced code is valid for them. Its ``positional``
        attribute is the raw compiled function (no argument handling), for hot loops."""
        return GuardFn(self)

    def failing_guards(self, binding: Mapping[str, int]) -> list[Guard]:
        """The guards that are false (or raise) for ``binding`` — why a new input cannot reuse
        the trace. Each has its :attr:`Guard.origin`."""
        out = []
        for g in self.guards:
            try:
                ok = self._env.evaluate(g.expr, dict(binding))
            except (ArithmeticError, ValueError):
                ok = False
            if not ok:
                out.append(g)
        return out

    def validity_region(self) -> ValidityRegion:
        """The guards as a readable description of where the trace is valid, with the hints as a
        binding inside and a nearby binding outside (found by varying one symbol at a time)."""
        conditions = tuple(self.produce_guards())
        symbols = self.symbols
        inside: Binding | None = None
        if all(h is not None for h, _, _ in symbols.values()):
            inside = {n: h for n, (h, _, _) in symbols.items() if h is not None}
        outside: Binding | None = None
        violated: tuple[str, ...] = ()
        if inside is not None and conditions:
            check = self.guard_fn()
            for name, (hint, lo, hi) in symbols.items():
                assert hint is not None
                for v in (hint + 1, hint - 1, 2 * hint, hint + 8, lo, hi, 0, 1, 2, 3):
                    if v is None or v == hint or (lo is not None and v < lo) or (hi is not None and v > hi):
                        continue
                    trial = {**inside, name: v}
                    if not check(trial):
                        outside = trial
                        violated = tuple(str(g) for g in self.failing_guards(trial))
                        break
                if outside is not None:
                    break
        return ValidityRegion(conditions, inside, outside, violated)

    def explain(self, binding: Mapping[str, int] | None = None) -> str:
        """A readable account of the environment: symbols (hint, range), replacements, guards and
        checks with the source line of each. With ``binding``, only the guards it violates —
        the answer to "why did this input not reuse the trace?"."""
        if binding is not None:
            failing = self.failing_guards(binding)
            if not failing:
                return f"every guard holds for {_fmt(binding)}"
            lines = [f"{len(failing)} guard(s) fail for {_fmt(binding)}:"]
            lines.extend(f"  {g.explain()}" for g in failing)
            return "\n".join(lines)
        lines = ["symbols:"]
        for name, (hint, _, _) in self.symbols.items():
            lo, hi = self._env.symbol_range(name)
            span = f"[{'-inf' if lo is None else lo}, {'inf' if hi is None else hi}]"
            lines.append(f"  {name} = {'(no hint)' if hint is None else hint} in {span}")
        for name, by in self.replacements.items():
            lines.append(f"  {name} -> {by}")
        kept = set(self.produce_guards())
        for f in self._facts:
            note = "" if f.kind == "check" or str(f.expr) in kept else "  (implied by the others)"
            lines.append(f"{f.explain()}{note}")
        return "\n".join(lines)

    @property
    def guards(self) -> list[Guard]:
        """The guards recorded so far, in order (a copy)."""
        return [f for f in self._facts if f.kind == "guard"]

    @property
    def replacements(self) -> dict[str, SymInt]:
        """``name -> expression`` for every symbol replaced after an equality guard or check."""
        return dict(self._env.replacements())

    @property
    def symbols(self) -> dict[str, tuple[int | None, int | None, int | None]]:
        """``name -> (hint, min, max)`` for every symbol, in declaration order (declared ranges;
        :meth:`bound` of a symbol gives its range tightened by the facts)."""
        return {name: (hint, lo, hi) for name, hint, lo, hi in self._env.symbols()}

    def __len__(self) -> int:
        """Number of distinct expression nodes stored."""
        return len(self._env)

    def __repr__(self) -> str:
        n_guards = sum(f.kind == "guard" for f in self._facts)
        return f"<ShapeEnv: {len(self.symbols)} symbols, {n_guards} guards, {len(self)} nodes>"

    # -- pickling ----------------------------------------------------------------------------

    def __getstate__(self) -> dict[str, Any]:
        """Plain data: the options, the symbols, and every guard and check as text in order
        (loading replays them, so ranges, replacements and divisibility are learned again)."""
        return {
            "version": 1,
            "options": (self.specialize_zero_one, self.duck_shape),
            "symbols": [(n, h, lo, hi) for n, (h, lo, hi) in self.symbols.items()],
            "facts": [(str(f.expr), f.origin, f.kind, f.message) for f in self._facts],
            "sizes": sorted(self._sizes),
            "duck": {hint: str(sym) for hint, sym in self._duck.items()},
            "fresh": dict(self._fresh),
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        if not isinstance(state, dict) or state.get("version") != 1:
            raise ValueError("not a pickled ShapeEnv of this symcore version")
        self.__init__(specialize_zero_one=state["options"][0], duck_shape=state["options"][1])  # type: ignore[misc]
        for name, hint, lo, hi in state["symbols"]:
            self._env.symbol(name, hint, lo, hi)
        for text, origin, kind, message in state["facts"]:
            expr = self._env.parse(text)
            if not isinstance(expr, SymBool):
                raise ValueError(f"pickled fact {text!r} is not a boolean")
            self._env.add_fact(expr)
            self._fact_keys.add(expr.key())
            self._facts.append(Guard(expr, origin, kind, message))
        self._sizes = set(state["sizes"])
        for hint, name in state["duck"].items():
            sym = self._env.parse(name)
            assert isinstance(sym, SymInt)
            self._duck[hint] = sym
        self._fresh = dict(state["fresh"])

    # -- internals ---------------------------------------------------------------------------

    def _as_bool(self, b: SymBool | bool) -> SymBool:
        if isinstance(b, bool):
            c = self._env.constant(b)
            assert isinstance(c, SymBool)
            return c
        if not isinstance(b, SymBool):
            raise TypeError(f"expected a SymBool or bool, got {type(b).__name__}")
        return b

    def _record(self, fact: SymBool, kind: Literal["guard", "check"], message: str | None = None) -> None:
        """Adds a guard or check (deduplicated) to the native facts, which learn from it."""
        key = fact.key()
        origin = _user_frame()
        with self._lock:
            if key in self._fact_keys:
                return
            index, _, _ = self._env.add_fact(fact)
            assert index == len(self._facts)
            self._fact_keys.add(key)
            self._facts.append(Guard(fact, origin, kind, message))

    def _search(self, b: SymBool, want: bool) -> Binding | None:
        """A binding within the declared ranges that satisfies every recorded fact and gives
        ``b == want``, from a small search around the hints and range ends (``None`` if none)."""
        symbols = self.symbols
        base: Binding = {}
        for name, (hint, lo, _) in symbols.items():
            base[name] = hint if hint is not None else (lo if lo is not None else 0)
        free = sorted(b.free_symbols)
        if len(free) > 4:
            return None

        def candidates(name: str) -> list[int]:
            hint, lo, hi = symbols[name]
            start = base[name] if lo is None else lo
            values = [start, start + 1, start + 2, start + 3, start + 7, start + 8, base[name], base[name] + 1]
            if hint is not None:
                values += [hint - 1, 2 * hint]
            return sorted({v for v in values if (lo is None or v >= lo) and (hi is None or v <= hi)})

        facts = [f.expr for f in self._facts]
        for combo in itertools.islice(itertools.product(*(candidates(n) for n in free)), 512):
            binding = {**base, **dict(zip(free, combo))}
            try:
                if not all(self._env.evaluate(f, binding) for f in facts):
                    continue
                if self._env.evaluate(b, binding) is want:
                    return {n: binding[n] for n in free}
            except (ArithmeticError, ValueError):
                continue
        return None

    def _settle(self, b: SymBool) -> str | None:
        """A one-symbol bound (``s0 >= 2``, ``s0 <= 64``) that would prove ``b``, if a few tries
        find one."""
        for name in sorted(b.free_symbols):
            lo, hi = self._env.symbol_range(name)
            base = 0 if lo is None else lo
            for k in (base + 1, base + 2, base + 3, base + 8, base + 64):
                if hi is not None and k > hi:
                    break
                text = f"{name} >= {k}"
                hypothesis = self._env.parse(text)
                assert isinstance(hypothesis, SymBool)
                if self._env.decide(b, [], [hypothesis])[0] is True:
                    return text
        return None

    def _guard(self, x: SymValue) -> int | float | bool:
        """Decides a symbolic value that Python needs as a concrete one (the hook ``bool()``,
        ``int()``, ``float()`` and ``__index__`` reach): a provable boolean is answered without a
        guard; otherwise the hints answer and the fact relied on is recorded as a guard."""
        with _modes_suspended():
            if isinstance(x, SymBool):
                known = self._env.truth(x)
                if known is not None:
                    return known  # provable from ranges and facts (even without hints)
            hint = x.hint
            if hint is None:
                unbacked = sorted(s for s in x.free_symbols if self.symbols[s][0] is None)
                raise DataDependentError(
                    f"could not decide {x}: it depends on {', '.join(unbacked)}, which "
                    f"{'has' if len(unbacked) == 1 else 'have'} no hint (a data-dependent value). "
                    f"If you know it holds, assert it with symcore.check({x}) (or env.check); otherwise "
                    "give the symbols hints, or avoid branching on this value"
                )
            if isinstance(x, SymBool):
                fact = x if hint else sym_not(x)
            elif isinstance(hint, float) and hint != hint:  # NaN equals nothing; nothing to record
                return hint
            else:
                fact = x == hint
            assert isinstance(fact, SymBool)
            if not fact.is_constant:
                self._record(fact, "guard")
            return hint


def _message(message: str | Callable[[], str] | None, default: str) -> str:
    if message is None:
        return default
    return message() if callable(message) else message


def check(cond: SymBool | bool, message: str | Callable[[], str] | None = None) -> None:
    """Asserts ``cond`` at runtime, as :meth:`ShapeEnv.check` of the environment ``cond``
    belongs to (PyTorch's ``torch._check``). A plain ``False`` raises at once.

    Raises:
        ContradictionError: As :meth:`ShapeEnv.check`.
    """
    if isinstance(cond, bool):
        if not cond:
            raise ContradictionError(_message(message, "check failed: False"))
        return
    env = cond.shape_env
    if not isinstance(env, ShapeEnv):
        # A SymBool from a bare native environment: only its value can be checked.
        if cond.hint is False:
            raise ContradictionError(_message(message, f"check failed: {cond} is False"))
        return
    env.check(cond, message)


def guard_size_oblivious(b: SymBool | bool) -> bool:
    """:meth:`ShapeEnv.guard_size_oblivious` in the environment ``b`` belongs to (``bool(b)`` for
    a value outside any ShapeEnv)."""
    if isinstance(b, SymBool):
        env = b.shape_env
        if isinstance(env, ShapeEnv):
            return env.guard_size_oblivious(b)
    return bool(b)


def _value_from_text(env: ShapeEnv, text: str) -> SymValue:
    """Loads a pickled symbolic value: its printed form, read back in its (unpickled) ShapeEnv."""
    return env.parse(text)


def _reduce_value(x: SymValue) -> tuple[Any, ...]:
    """Pickles a value as its printed form plus its ShapeEnv (shared through pickle's memo, so
    values pickled together stay in one environment); a constant as the plain number. The
    partial operations a value went through (where it would raise) are not kept: ``(n // m) * 0``
    loads as ``0``."""
    if x.is_constant:
        return (type(x), (x.hint,))
    env = x.shape_env
    if not isinstance(env, ShapeEnv):
        raise TypeError(f"cannot pickle {x}: it belongs to a bare _core.Env, not a ShapeEnv")
    return (_value_from_text, (env, str(x)))


for _cls in (SymInt, SymBool, SymFloat):
    copyreg.pickle(_cls, _reduce_value)  # type: ignore[arg-type]
