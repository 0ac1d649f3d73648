"""Hypothesis strategies for symcore: symbols, environments, expressions, bindings and shapes.

Test authors use these to fuzz code that computes with symbolic shapes. Every strategy draws
concrete, inspectable data: :func:`expression_trees` gives the structure of an expression as
nested tuples (so a test can compute the same thing with Python ints, independently of symcore)
and :func:`expressions` builds it into a ``SymInt``/``SymBool``; :func:`bindings` gives values
of an environment's symbols that satisfy their declared ranges *and* the guards recorded so far.

Strategies that take a :class:`~symcore.ShapeEnv` declare symbols in it when drawn (``symbols``,
``shapes``); make the environment inside the test (``data.draw(shape_envs())``, or
``ShapeEnv()`` in the test body) so each example starts from a fresh one.

Examples:
    >>> from hypothesis import given, settings
    >>> from symcore import ShapeEnv
    >>> env = ShapeEnv()
    >>> n = env.symint("n", hint=4, min=1, max=8)
    >>> @settings(max_examples=20, database=None)
    ... @given(expr=expressions(env, max_depth=2), values=bindings(env))
    ... def test_evaluates_to_an_int(expr, values):
    ...     assert isinstance(env.evaluate(expr, values), int)
    >>> test_evaluates_to_an_int()

With ``symcore`` installed, hypothesis' plugin hook makes ``st.from_type(symcore.SymInt)`` (and
``SymBool``, ``SymFloat``, ``ShapeEnv``) work; each draw lives in a fresh environment.

Profiles: :func:`load_profile` registers ``symcore-default``, ``symcore-ci`` and
``symcore-thorough`` and loads the one named by ``SYMCORE_HYPOTHESIS_PROFILE``.
"""

from __future__ import annotations

import operator
import os
from collections.abc import Callable, Collection, Sequence
from typing import Any, Union

from symcore._core import SymBool, SymFloat, SymInt, sym_float, sym_max, sym_min, sym_not
from symcore.shape_env import GuardFn, ShapeEnv

# hypothesis runs its plugin hooks (this module's ``_hypothesis_setup_hook``, through the
# ``hypothesis`` entry point) while ``import hypothesis`` executes. When that import is the one
# below, this module is only partly initialised, so the hook is defined first and, called that
# early, only asks for the registration to happen at the end of this module.
_READY = False
_REGISTER_WHEN_READY = False


def _hypothesis_setup_hook() -> None:
    """Registers ``st.from_type`` strategies for ``SymInt``, ``SymBool``, ``SymFloat`` and
    ``ShapeEnv`` (hypothesis calls this through the ``hypothesis`` entry point of the installed
    package)."""
    global _REGISTER_WHEN_READY
    if not _READY:
        _REGISTER_WHEN_READY = True
        return
    _register_types()


try:
    from hypothesis import assume
    from hypothesis import settings as _settings
    from hypothesis import strategies as st
    from hypothesis.errors import InvalidArgument
except ImportError as _error:  # pragma: no cover - exercised only without hypothesis
    raise ImportError(
        "symcore.strategies needs hypothesis; install it with `pip install hypothesis` (or `pip install symcore[test]`)"
    ) from _error

__all__ = [
    "BOOL_OPS",
    "DEFAULT_OPS",
    "INT_OPS",
    "ExprTree",
    "bindings",
    "build",
    "expression_trees",
    "expressions",
    "fake_tensors",
    "load_profile",
    "shape_envs",
    "shapes",
    "symbols",
]

ExprTree = tuple[Any, ...]
"""An expression's structure: ``("sym", name)``, ``("const", value)``, or ``(op, *children)``
with ``op`` one of :data:`INT_OPS` (``"abs"`` is unary, the others binary) or :data:`BOOL_OPS`
(``"not"`` is unary; ``"and"``/``"or"`` combine two bool trees, comparisons two int trees)."""

INT_OPS: tuple[str, ...] = ("+", "-", "*", "//", "%", "min", "max", "abs")
"""Integer operations :func:`expression_trees` can use."""

BOOL_OPS: tuple[str, ...] = ("<", "<=", ">", ">=", "==", "!=", "and", "or", "not")
"""Boolean operations: comparisons of two ints, and ``and``/``or``/``not`` of bools."""

DEFAULT_OPS: tuple[str, ...] = INT_OPS + BOOL_OPS
"""Every operation (the default of :func:`expression_trees`)."""

_COMPARISONS: dict[str, Callable[[Any, Any], Any]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}
_BINARY: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "//": operator.floordiv,
    "%": operator.mod,
    "min": sym_min,
    "max": sym_max,
    "and": operator.and_,  # logical on SymBools, and never calls bool() (which would guard)
    "or": operator.or_,
    **_COMPARISONS,
}

# ---------------------------------------------------------------------------------------------
# Profiles
# ---------------------------------------------------------------------------------------------

_PROFILES: dict[str, dict[str, Any]] = {
    "default": {"max_examples": 100, "deadline": None},
    "ci": {"max_examples": 200, "deadline": None, "derandomize": True, "print_blob": True},
    "thorough": {"max_examples": 3000, "deadline": None},
}


def load_profile(name: str | None = None) -> str:
    """Registers the ``symcore-*`` hypothesis profiles and loads one.

    Args:
        name: ``default``, ``ci`` or ``thorough``; ``None`` reads ``SYMCORE_HYPOTHESIS_PROFILE``
            (unset means ``default``).

    Returns:
        The loaded profile's name, e.g. ``"symcore-ci"``.

    Raises:
        ValueError: An unknown profile name.
    """
    for key, values in _PROFILES.items():
        _settings.register_profile(f"symcore-{key}", **values)
    chosen = name if name is not None else os.environ.get("SYMCORE_HYPOTHESIS_PROFILE", "default")
    if chosen not in _PROFILES:
        raise ValueError(f"unknown symcore hypothesis profile {chosen!r}; choose one of {', '.join(_PROFILES)}")
    _settings.load_profile(f"symcore-{chosen}")
    return f"symcore-{chosen}"


# ---------------------------------------------------------------------------------------------
# Symbols and environments
# ---------------------------------------------------------------------------------------------


def _fresh_name(env: ShapeEnv, prefix: str) -> str:
    taken = env.symbols
    i = 0
    while f"{prefix}{i}" in taken:
        i += 1
    return f"{prefix}{i}"


def symbols(
    env: ShapeEnv,
    *,
    min_size: int = 1,
    max_size: int = 3,
    min_value: int = -8,
    max_value: int = 8,
    ranges: bool = True,
    backed: bool | None = True,
    prefix: str = "x",
) -> st.SearchStrategy[list[SymInt]]:
    """Declares fresh symbols in ``env`` (named ``x0``, ``x1``, ... by default) and draws them.

    Drawing has a side effect: the symbols are added to ``env``. Use a fresh environment per
    example (see :func:`shape_envs`).

    Args:
        env: Where to declare the symbols.
        min_size: Fewest symbols.
        max_size: Most symbols.
        min_value: Smallest hint, and smallest finite declared bound.
        max_value: Largest hint, and largest finite declared bound.
        ranges: Also draw declared ranges (a lower bound, an upper bound, both or none) around
            the hint; ``False`` declares unbounded symbols.
        backed: ``True`` gives every symbol a hint, ``False`` none (unbacked), ``None`` draws.
        prefix: Name prefix.

    Returns:
        A strategy for lists of ``SymInt`` symbols.

    Examples:
        >>> from hypothesis import given, settings
        >>> @settings(max_examples=10, database=None)
        ... @given(data=st.data())
        ... def test_fresh_names(data):
        ...     env = ShapeEnv()  # a fresh environment per example
        ...     xs = data.draw(symbols(env, min_size=2, max_size=2))
        ...     assert [str(x) for x in xs] == ["x0", "x1"]
        ...     for x in xs:
        ...         hint, lo, hi = env.symbols[str(x)]
        ...         assert (lo is None or lo <= hint) and (hi is None or hint <= hi)
        >>> test_fresh_names()
    """
    if min_size < 0 or max_size < min_size:
        raise InvalidArgument(f"need 0 <= min_size <= max_size, got {min_size} and {max_size}")
    if min_value > max_value:
        raise InvalidArgument(f"need min_value <= max_value, got {min_value} and {max_value}")

    @st.composite
    def draw_symbols(draw: st.DrawFn) -> list[SymInt]:
        count = draw(st.integers(min_size, max_size))
        out: list[SymInt] = []
        for _ in range(count):
            value = draw(st.integers(min_value, max_value))
            has_hint = backed if backed is not None else draw(st.booleans())
            lo = hi = None
            if ranges:
                if draw(st.booleans()):
                    lo = draw(st.integers(min_value, value))
                if draw(st.booleans()):
                    hi = draw(st.integers(value, max_value))
            name = _fresh_name(env, prefix)
            out.append(env.symint(name, value if has_hint else None, min=lo, max=hi))
        return out

    return draw_symbols()


def shape_envs(
    *,
    min_symbols: int = 1,
    max_symbols: int = 3,
    min_value: int = -8,
    max_value: int = 8,
    ranges: bool = True,
    backed: bool | None = True,
) -> st.SearchStrategy[ShapeEnv]:
    """A fresh :class:`~symcore.ShapeEnv` holding symbols drawn by :func:`symbols` (same
    arguments).

    Examples:
        >>> from hypothesis import find
        >>> env = find(shape_envs(min_symbols=2), lambda env: True)
        >>> sorted(env.symbols)
        ['x0', 'x1']
    """

    @st.composite
    def draw_env(draw: st.DrawFn) -> ShapeEnv:
        env = ShapeEnv()
        draw(
            symbols(
                env,
                min_size=min_symbols,
                max_size=max_symbols,
                min_value=min_value,
                max_value=max_value,
                ranges=ranges,
                backed=backed,
            )
        )
        return env

    return draw_env()


# ---------------------------------------------------------------------------------------------
# Expressions
# ---------------------------------------------------------------------------------------------


def _names(env: ShapeEnv, given: Sequence[str | SymInt] | None) -> list[str]:
    if given is None:
        return list(env.symbols)
    names = [str(s) for s in given]
    unknown = [n for n in names if n not in env.symbols]
    if unknown:
        raise InvalidArgument(f"not symbols of this environment: {', '.join(unknown)}")
    return names


def expression_trees(
    env: ShapeEnv,
    *,
    ops: Collection[str] = DEFAULT_OPS,
    max_depth: int = 3,
    kind: str = "int",
    allow_errors: bool = False,
    min_constant: int = -8,
    max_constant: int = 8,
    symbols: Sequence[str | SymInt] | None = None,
) -> st.SearchStrategy[ExprTree]:
    """The structure of random expressions over ``env``'s symbols (see :data:`ExprTree`).

    Leaves are the symbols (all of ``env``'s at draw time, or ``symbols``) and constants in
    ``[min_constant, max_constant]``. Without ``allow_errors`` every divisor of ``//`` and ``%``
    is a nonzero constant or ``abs(d) + 1`` for a drawn ``d`` (built with ``+``/``abs`` whether or
    not ``ops`` holds them), so no evaluation raises; with it, any subtree can be a divisor and
    evaluation may raise ``ZeroDivisionError``, exactly as Python does.

    Args:
        env: The environment whose symbols are the leaves.
        ops: The operations to use (a subset of :data:`DEFAULT_OPS`).
        max_depth: Most operations on a path from the root to a leaf.
        kind: ``"int"`` or ``"bool"``: the sort of the root.
        allow_errors: Allow divisors that may be zero.
        min_constant: Smallest constant leaf.
        max_constant: Largest constant leaf.
        symbols: The symbols to use (names or ``SymInt`` symbols of ``env``); default all.

    Returns:
        A strategy for nested tuples; :func:`build` turns one into a symcore value.

    Raises:
        InvalidArgument: Unknown ops, ``kind``, or symbols; a ``kind="bool"`` request without
            any comparison or bool op.

    Examples:
        >>> from hypothesis import find
        >>> env = ShapeEnv()
        >>> n = env.symint("n", hint=3)
        >>> find(expression_trees(env, ops=["+"]), lambda t: t[0] == "+")
        ('+', ('sym', 'n'), ('sym', 'n'))
    """
    unknown = set(ops) - set(DEFAULT_OPS)
    if unknown:
        raise InvalidArgument(f"unknown ops {sorted(unknown)}; choose from {list(DEFAULT_OPS)}")
    if kind not in ("int", "bool"):
        raise InvalidArgument(f"kind must be 'int' or 'bool', got {kind!r}")
    if max_depth < 0:
        raise InvalidArgument(f"max_depth must be >= 0, got {max_depth}")
    if min_constant > max_constant:
        raise InvalidArgument(f"need min_constant <= max_constant, got {min_constant} and {max_constant}")
    comparisons = [op for op in ops if op in _COMPARISONS]
    logic = [op for op in ops if op in ("and", "or", "not")]
    if kind == "bool" and not comparisons and not logic:
        raise InvalidArgument("kind='bool' needs a comparison or 'and'/'or'/'not' in ops")
    int_binary = [op for op in ops if op in ("+", "-", "*", "//", "%", "min", "max")]
    nonzero = [v for v in range(min_constant, max_constant + 1) if v != 0] or [1]

    @st.composite
    def draw_tree(draw: st.DrawFn) -> ExprTree:
        names = _names(env, symbols)
        leaf_choices: list[st.SearchStrategy[ExprTree]] = [
            st.integers(min_constant, max_constant).map(lambda v: ("const", v))
        ]
        if names:
            # symbols first: hypothesis shrinks towards the first alternative
            leaf_choices.insert(0, st.sampled_from(names).map(lambda n: ("sym", n)))
        leaf = st.one_of(leaf_choices)

        def int_tree(depth: int) -> ExprTree:
            if depth == 0 or draw(st.integers(0, 3)) == 0:
                return draw(leaf)
            choices = list(int_binary) + (["abs"] if "abs" in ops else [])
            if not choices:
                return draw(leaf)
            op = draw(st.sampled_from(choices))
            if op == "abs":
                return ("abs", int_tree(depth - 1))
            left = int_tree(depth - 1)
            if op in ("//", "%"):
                return (op, left, divisor(depth - 1))
            return (op, left, int_tree(depth - 1))

        def divisor(depth: int) -> ExprTree:
            if allow_errors:
                return int_tree(depth)
            if depth == 0 or draw(st.booleans()):
                return ("const", draw(st.sampled_from(nonzero)))
            return ("+", ("abs", int_tree(depth - 1)), ("const", 1))

        def bool_tree(depth: int) -> ExprTree:
            choices = list(comparisons)
            if depth > 1 or not comparisons:
                choices += logic
            if depth == 0 or not choices:
                return ("const", draw(st.booleans()))
            op = draw(st.sampled_from(choices))
            if op == "not":
                return ("not", bool_tree(depth - 1))
            if op in ("and", "or"):
                return (op, bool_tree(depth - 1), bool_tree(depth - 1))
            return (op, int_tree(depth - 1), int_tree(depth - 1))

        return int_tree(max_depth) if kind == "int" else bool_tree(max(max_depth, 1))

    return draw_tree()


def build(tree: ExprTree, env: ShapeEnv) -> SymInt | SymBool | int | bool:
    """Builds the symcore value an :data:`ExprTree` describes, over ``env``'s symbols.

    Constants stay plain Python values until combined with a symbol, so a tree without symbols
    gives a plain ``int``/``bool``. ``and``/``or``/``not`` become ``&``/``|``/``sym_not``, which
    never decide a symbolic truth value (``a and b`` would call ``bool(a)`` and record a guard).
    Builds iteratively, so deep trees do not hit the recursion limit.

    Examples:
        >>> env = ShapeEnv()
        >>> n = env.symint("n", hint=3)
        >>> print(build(("*", ("+", ("sym", "n"), ("const", 1)), ("const", 2)), env))
        2*n + 2
    """
    leaves = {name: env.parse(name) for name in env.symbols}
    results: list[Any] = []
    stack: list[tuple[ExprTree, bool]] = [(tree, False)]
    while stack:
        node, expanded = stack.pop()
        op = node[0]
        if op == "sym":
            results.append(leaves[node[1]])
        elif op == "const":
            results.append(node[1])
        elif not expanded:
            stack.append((node, True))
            stack.extend((child, False) for child in reversed(node[1:]))
        else:
            arity = len(node) - 1
            args = results[len(results) - arity :]
            del results[len(results) - arity :]
            results.append(_apply(op, args))
    (value,) = results
    return value  # type: ignore[no-any-return]


def _apply(op: str, args: list[Any]) -> Any:
    if op == "abs":
        return abs(args[0])
    if op == "not":
        return sym_not(args[0])
    if op in ("min", "max") and not any(isinstance(a, (SymInt, SymBool)) for a in args):
        return min(args) if op == "min" else max(args)
    if op in ("and", "or") and not any(isinstance(a, SymBool) for a in args):
        return (args[0] and args[1]) if op == "and" else (args[0] or args[1])
    return _BINARY[op](*args)


def expressions(
    env: ShapeEnv,
    *,
    ops: Collection[str] = DEFAULT_OPS,
    max_depth: int = 3,
    kind: str = "int",
    allow_errors: bool = False,
    min_constant: int = -8,
    max_constant: int = 8,
    symbols: Sequence[str | SymInt] | None = None,
) -> st.SearchStrategy[SymInt | SymBool | int | bool]:
    """Random ``SymInt`` (``kind="int"``) or ``SymBool`` (``kind="bool"``) expressions over
    ``env``'s symbols: :func:`expression_trees` (same arguments) built by :func:`build`.

    A tree that folds to a constant (``n - n``) or has no symbol gives a plain ``int``/``bool``
    or a constant symcore value; building never records a guard. With ``allow_errors``, trees
    whose building already raises (a divisor that folds to the constant 0) are skipped; the
    values drawn may still raise ``ZeroDivisionError`` when evaluated.

    Examples:
        >>> from hypothesis import find
        >>> env = ShapeEnv()
        >>> n = env.symint("n", hint=3)
        >>> e = find(expressions(env, ops=["*", "+"]), lambda e: "*" in str(e))
        >>> print(e)
        n**2
    """
    trees = expression_trees(
        env,
        ops=ops,
        max_depth=max_depth,
        kind=kind,
        allow_errors=allow_errors,
        min_constant=min_constant,
        max_constant=max_constant,
        symbols=symbols,
    )
    if not allow_errors:
        return trees.map(lambda tree: build(tree, env))

    @st.composite
    def draw_value(draw: st.DrawFn) -> SymInt | SymBool | int | bool:
        tree = draw(trees)
        try:
            return build(tree, env)
        except ZeroDivisionError:  # a zero divisor folded while building: Python raises there too
            assume(False)
            raise  # unreachable: assume(False) raises

    return draw_value()


# ---------------------------------------------------------------------------------------------
# Bindings
# ---------------------------------------------------------------------------------------------


class _GuardCache:
    """``env.guard_fn()``, recompiled only when the guards or symbols changed."""

    def __init__(self, env: ShapeEnv) -> None:
        self.env = env
        self.key: tuple[int, int] | None = None
        self.fn: GuardFn | None = None

    def get(self) -> GuardFn:
        key = (len(self.env.guards), len(self.env.symbols))
        if self.fn is None or key != self.key:
            self.fn, self.key = self.env.guard_fn(), key
        return self.fn


def _window(lo: int | None, hi: int | None, min_value: int, max_value: int) -> tuple[int, int]:
    """``[lo, hi]`` cut to the drawing window, slid inside the range when they do not overlap."""
    width = max_value - min_value
    a = min_value if lo is None else max(lo, min_value)
    b = max_value if hi is None else min(hi, max_value)
    if a > b:  # the range lies outside the window: take a window-sized piece of it
        if lo is not None and lo > max_value:
            a, b = lo, lo + width if hi is None else min(hi, lo + width)
        else:
            assert hi is not None
            a, b = (hi - width if lo is None else max(lo, hi - width)), hi
    return a, b


def bindings(
    env: ShapeEnv,
    *,
    min_value: int = -16,
    max_value: int = 16,
    satisfy_guards: bool = True,
    symbols: Sequence[str | SymInt] | None = None,
) -> st.SearchStrategy[dict[str, int]]:
    """Values for ``env``'s symbols (``name -> int``) inside their declared ranges and, with
    ``satisfy_guards``, satisfying every guard recorded so far (checked by ``env.guard_fn()``).

    Values come from ``[min_value, max_value]`` cut to each symbol's range (a range outside the
    window contributes a window-sized piece of itself). Guards are met by filtering; to keep that
    cheap, a symbol's hint is drawn often (the hints satisfy every guard), so even equality
    guards (``n == 8`` from ``int(n)``) are met quickly. Symbols and guards are read at draw
    time.

    Args:
        env: The environment.
        min_value: Smallest value drawn where the range allows.
        max_value: Largest value drawn where the range allows.
        satisfy_guards: ``False`` only respects the declared ranges.
        symbols: The symbols to bind (names or ``SymInt`` symbols); default all.

    Examples:
        >>> from hypothesis import find
        >>> env = ShapeEnv()
        >>> n = env.symint("n", hint=8, min=1)
        >>> if n % 4 == 0:
        ...     pass
        >>> b = find(bindings(env), lambda b: b["n"] > 8)
        >>> b["n"] > 8 and b["n"] % 4 == 0
        True
    """
    if min_value > max_value:
        raise InvalidArgument(f"need min_value <= max_value, got {min_value} and {max_value}")
    cache = _GuardCache(env)

    @st.composite
    def draw_binding(draw: st.DrawFn) -> dict[str, int]:
        names = _names(env, symbols)
        table = env.symbols
        # Every symbol draws the same choices (a value and a use-the-hint flag) whatever they
        # are, so that hypothesis' shrinking (shorter and smaller choice sequences) goes to small
        # values rather than to the hints. The hints satisfy every guard, so drawing them often
        # keeps filtering cheap even for equality guards.
        hints_only = draw(st.integers(0, 3)) == 3
        out: dict[str, int] = {}
        for name in names:
            hint, lo, hi = table[name]
            a, b = _window(lo, hi, min_value, max_value)
            value = draw(st.integers(a, b))
            use_hint = draw(st.booleans()) or hints_only
            out[name] = hint if hint is not None and use_hint else value
        return out

    strategy = draw_binding()
    if not satisfy_guards:
        return strategy

    def holds(values: dict[str, int]) -> bool:
        if symbols is not None:  # guards may mention other symbols: give them their hints
            full = {n: h for n, (h, _, _) in env.symbols.items() if h is not None}
            full.update(values)
            if any(n not in full for n in env.symbols):
                return True  # cannot check guards over an unbound unbacked symbol
            values = full
        return cache.get()(values)

    return strategy.filter(holds)


# ---------------------------------------------------------------------------------------------
# Shapes
# ---------------------------------------------------------------------------------------------


def shapes(
    env: ShapeEnv | None = None,
    *,
    min_dims: int = 1,
    max_dims: int = 4,
    min_side: int = 1,
    max_side: int = 16,
    dynamic: bool | None = None,
) -> st.SearchStrategy[tuple[SymInt | int, ...]]:
    """Tensor shapes: tuples of sizes, some of them symbolic sizes of ``env``.

    A symbolic dimension is ``env.size(hint=side)``: a ``[0, inf)`` symbol whose hint is the
    drawn side; with the environment's defaults, sides 0 and 1 stay plain ints and equal hints
    share a symbol (duck shaping). Drawing declares those symbols in ``env``.

    Args:
        env: Where symbolic sizes live; ``None`` makes every shape static.
        min_dims: Fewest dimensions.
        max_dims: Most dimensions.
        min_side: Smallest size.
        max_side: Largest size.
        dynamic: ``True``: every dimension symbolic; ``False``: none; ``None``: drawn per
            dimension.

    Examples:
        >>> from hypothesis import find
        >>> env = ShapeEnv()
        >>> find(shapes(env, min_dims=2, max_dims=2, min_side=2, dynamic=True), lambda s: True)
        (s0, s0)
        >>> find(shapes(min_dims=3, max_dims=3), lambda s: True)
        (1, 1, 1)
    """
    if min_dims < 0 or max_dims < min_dims:
        raise InvalidArgument(f"need 0 <= min_dims <= max_dims, got {min_dims} and {max_dims}")
    if min_side < 0 or max_side < min_side:
        raise InvalidArgument(f"need 0 <= min_side <= max_side, got {min_side} and {max_side}")
    if env is None and dynamic:
        raise InvalidArgument("dynamic=True needs an env for the symbolic sizes")

    @st.composite
    def draw_shape(draw: st.DrawFn) -> tuple[SymInt | int, ...]:
        rank = draw(st.integers(min_dims, max_dims))
        out: list[SymInt | int] = []
        for _ in range(rank):
            side = draw(st.integers(min_side, max_side))
            symbolic = env is not None and (dynamic if dynamic is not None else draw(st.booleans()))
            out.append(env.size(hint=side) if symbolic and env is not None else side)
        return tuple(out)

    return draw_shape()


def fake_tensors(
    env: ShapeEnv | None = None,
    *,
    shape: tuple[SymInt | int, ...] | st.SearchStrategy[tuple[SymInt | int, ...]] | None = None,
    dtype: Any = None,
    min_dims: int = 1,
    max_dims: int = 4,
    min_side: int = 1,
    max_side: int = 16,
    dynamic: bool | None = None,
    contiguous: bool | None = True,
) -> st.SearchStrategy[Any]:
    """FakeTensors (sizes, strides and a dtype, no data) for fuzzing shape code.

    Args:
        env: Where symbolic sizes live (see :func:`shapes`); ``None`` makes every size static.
        shape: A fixed shape, or a strategy of shapes; default :func:`shapes` with the bounds below.
        dtype: A fixed ``symcore`` dtype, or ``None`` to draw one of float32, float16, bfloat16,
            int64, int32 and bool.
        min_dims, max_dims, min_side, max_side, dynamic: As :func:`shapes`.
        contiguous: ``True``: contiguous tensors; ``False``: a transposed view of the last two
            dims (non-contiguous when they are > 1); ``None``: drawn.

    Examples:
        >>> from hypothesis import find
        >>> env = ShapeEnv()
        >>> t = find(fake_tensors(env, min_dims=2, max_dims=2, min_side=2, dynamic=True), lambda t: True)
        >>> t.shape, t.dtype
        (symcore.Size([s0, s0]), symcore.float32)
    """
    from symcore import tensor as _tensor

    dtypes = (_tensor.float32, _tensor.float16, _tensor.bfloat16, _tensor.int64, _tensor.int32, _tensor.bool)
    if shape is None:
        shape_strategy = shapes(
            env, min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side, dynamic=dynamic
        )
    elif isinstance(shape, tuple):
        shape_strategy = st.just(shape)
    else:
        shape_strategy = shape
    dtype_strategy = st.sampled_from(dtypes) if dtype is None else st.just(dtype)

    @st.composite
    def draw_tensor(draw: st.DrawFn) -> Any:
        size = draw(shape_strategy)
        kind = draw(dtype_strategy)
        transposed = len(size) >= 2 and (not contiguous if contiguous is not None else draw(st.booleans()))
        if transposed:
            swapped = (*size[:-2], size[-1], size[-2])
            return _tensor.empty(swapped, dtype=kind).transpose(-1, -2)
        return _tensor.empty(size, dtype=kind)

    return draw_tensor()


# ---------------------------------------------------------------------------------------------
# st.from_type registration (hypothesis' plugin entry point calls the hook)
# ---------------------------------------------------------------------------------------------

_AnyValue = Union[SymInt, SymBool, SymFloat, int, bool, float]


def _fresh_expression(kind: str) -> st.SearchStrategy[_AnyValue]:
    @st.composite
    def draw_value(draw: st.DrawFn) -> _AnyValue:
        env = draw(shape_envs())
        return draw(expressions(env, kind=kind))

    return draw_value()


def _symbolic(kind: str) -> st.SearchStrategy[Any]:
    """Values of exactly the symcore type: a constant-folded draw is wrapped as a constant."""
    if kind == "int":
        return _fresh_expression("int").map(lambda v: v if isinstance(v, SymInt) else SymInt(int(v)))
    if kind == "bool":
        return _fresh_expression("bool").map(lambda v: v if isinstance(v, SymBool) else SymBool(bool(v)))
    return _fresh_expression("int").map(lambda v: sym_float(v) if isinstance(v, SymInt) else SymFloat(float(v)))


def _register_types() -> None:
    st.register_type_strategy(SymInt, _symbolic("int"))
    st.register_type_strategy(SymBool, _symbolic("bool"))
    st.register_type_strategy(SymFloat, _symbolic("float"))
    st.register_type_strategy(ShapeEnv, shape_envs())


_READY = True
if _REGISTER_WHEN_READY:
    _register_types()
