"""A differential oracle for shape functions: symbolic trace vs. plain Python ints.

Test authors call :func:`check_shape_function` on a function computing shapes from ints (output
sizes of a convolution, a reshape's inferred dimension, ...). It traces the function with
symbolic inputs, then uses hypothesis to draw concrete inputs and checks that the traced graph
and the function itself agree on them: inputs satisfying the trace's guards run the traced
:class:`~symcore.GraphModule`; inputs violating them are traced again at those values (a
different branch of the function) and that trace is run. A disagreement raises
:class:`ShapeFunctionMismatch`, showing the smallest such input hypothesis found, the guards and
the diverging output expression.

Examples:
    >>> def conv_out(size, kernel, stride):
    ...     return (size - kernel) // stride + 1
    >>> check_shape_function(conv_out, 32, 3, 2, min_value=1, max_examples=50)

    A function whose traced path differs from its plain-int path is caught:

    >>> def wrong(n):
    ...     return n + 1 if isinstance(n, int) else n + 2
    >>> check_shape_function(wrong, 8, max_examples=20)
    Traceback (most recent call last):
        ...
    symcore.testing.ShapeFunctionMismatch: wrong(n=0): output differs at result
        traced expression: n + 2
        ...
"""

from __future__ import annotations

import ast
import inspect
import math
from collections.abc import Callable, Collection, Mapping
from typing import Any

try:
    from hypothesis import given, note
    from hypothesis import settings as Settings
    from hypothesis.control import currently_in_test_context
    from hypothesis.errors import Flaky
except ImportError as _error:  # pragma: no cover - exercised only without hypothesis
    raise ImportError(
        "symcore.testing needs hypothesis; install it with `pip install hypothesis` (or `pip install symcore[test]`)"
    ) from _error

from symcore._core import SymBool, SymFloat, SymInt
from symcore.graph import GraphModule
from symcore.proxy import _parameter_names, trace_symbolic
from symcore.shape_env import ShapeEnv
from symcore.strategies import bindings

__all__ = ["ShapeFunctionMismatch", "check_shape_function"]

_SYM_TYPES = (SymInt, SymBool, SymFloat)


class ShapeFunctionMismatch(AssertionError):
    """The traced shape function and the plain function disagree at some input.

    Attributes:
        inputs: The dynamic inputs (parameter name -> int) where they disagree.
        guards: The guards of the trace that was run, as Python expressions.
        path: Where in the output they disagree (``result``, ``result[1]``, ...).
        expression: The traced output expression there (its printed form), if symbolic.
        expected: What the function returns on plain ints there (or the exception it raised).
        actual: What the traced graph returns there (or the exception it raised).
    """

    def __init__(
        self,
        message: str,
        *,
        inputs: Mapping[str, int],
        guards: list[str],
        path: str,
        expression: str | None,
        expected: object,
        actual: object,
    ) -> None:
        super().__init__(message)
        self.inputs = dict(inputs)
        self.guards = guards
        self.path = path
        self.expression = expression
        self.expected = expected
        self.actual = actual


class _Raised:
    """An outcome that is an exception (compared by type)."""

    def __init__(self, exc: BaseException) -> None:
        self.exc = exc

    def __repr__(self) -> str:
        return f"raised {type(self.exc).__name__}: {self.exc}"


def _outcome(fn: Callable[[], Any]) -> Any:
    try:
        return fn()
    except Exception as e:  # any exception is an outcome to compare, not a test error
        return _Raised(e)


def _same_leaf(a: object, b: object) -> bool:
    if isinstance(a, _Raised) or isinstance(b, _Raised):
        return isinstance(a, _Raised) and isinstance(b, _Raised) and type(a.exc) is type(b.exc)
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a) == math.copysign(1, b))
    if isinstance(a, int) and isinstance(b, int):
        return a == b
    return type(a) is type(b) and a == b


def _first_difference(expected: object, actual: object, path: str = "result") -> str | None:
    """The path of the first leaf where two outputs differ (structure included), or None."""
    if isinstance(expected, (tuple, list)) and not isinstance(actual, _Raised):
        if type(actual) is not type(expected) or len(actual) != len(expected):
            return path
        for i, (e, a) in enumerate(zip(expected, actual)):
            found = _first_difference(e, a, f"{path}[{i}]")
            if found is not None:
                return found
        return None
    if isinstance(expected, dict) and isinstance(actual, dict):
        if expected.keys() != actual.keys():
            return path
        for k in expected:
            found = _first_difference(expected[k], actual[k], f"{path}[{k!r}]")
            if found is not None:
                return found
        return None
    return None if _same_leaf(expected, actual) else path


def _at(value: object, path: str) -> object:
    """The part of a (traced) output at ``path`` (``result[1][0]``), or None if absent."""
    steps = []
    node: ast.expr = ast.parse(path, mode="eval").body
    while isinstance(node, ast.Subscript):
        steps.append(ast.literal_eval(node.slice))
        node = node.value
    for key in reversed(steps):
        try:
            value = value[key]  # type: ignore[index]
        except (TypeError, KeyError, IndexError):
            return None
    return value


class _Trace:
    """One trace of the function: the module, its guards and the symbolic outputs it returned."""

    def __init__(
        self,
        fn: Callable[..., Any],
        names: list[str],
        dynamic: list[int],
        args: tuple[Any, ...],
        min_value: int | None,
        max_value: int | None,
    ) -> None:
        self.env = ShapeEnv()
        outputs: list[Any] = []
        symbols = {
            i: self.env.symint(self._symbol_name(names[i], i), args[i], min=min_value, max=max_value) for i in dynamic
        }

        def run(*syms: Any) -> Any:
            call = list(args)
            for i, s in zip(dynamic, syms):
                call[i] = s
            out = fn(*call)
            outputs.append(out)
            return out

        run.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
            [inspect.Parameter(names[i], inspect.Parameter.POSITIONAL_ONLY) for i in dynamic]
        )
        self.module: GraphModule = trace_symbolic(run, *(symbols[i] for i in dynamic), shape_env=self.env)
        self.output = outputs[0] if outputs else None
        self.guard_fn = self.env.guard_fn()
        self.guards = self.env.produce_guards()

    def _symbol_name(self, name: str, i: int) -> str:
        candidate = name if name.isidentifier() else f"arg{i}"
        return candidate if candidate not in self.env.symbols and not candidate.startswith("_") else f"arg{i}"

    def expression(self, path: str) -> str | None:
        part = _at(self.output, path)
        return str(part) if isinstance(part, _SYM_TYPES) else None


def _dynamic_positions(
    args: tuple[Any, ...], names: list[str], dynamic: bool | Collection[int | str] | None
) -> list[int]:
    ints = [i for i, a in enumerate(args) if isinstance(a, int) and not isinstance(a, bool)]
    if dynamic is None or dynamic is True:
        return ints
    if dynamic is False:
        return []
    out: list[int] = []
    for d in dynamic:
        if isinstance(d, str) and d not in names:
            raise ValueError(f"dynamic names {d!r}, which is not a parameter of the function ({', '.join(names)})")
        i = names.index(d) if isinstance(d, str) else d
        if not (0 <= i < len(args)) or i not in ints:
            raise ValueError(f"dynamic argument {d!r} is not an int argument")
        out.append(i)
    return sorted(set(out))


def check_shape_function(
    fn: Callable[..., Any],
    *example_args: Any,
    dynamic: bool | Collection[int | str] | None = None,
    max_examples: int = 100,
    min_value: int | None = 0,
    max_value: int | None = None,
    settings: Settings | None = None,
) -> None:
    """Fuzzes ``fn``'s symbolic trace against ``fn`` on plain ints; raises on a disagreement.

    ``fn`` takes ints (and any other arguments, which are passed through unchanged) and returns
    ints, bools, floats, or tuples, lists and dicts of them. The dynamic int arguments become
    symbols hinted by ``example_args`` and ``fn`` is traced (:func:`symcore.trace_symbolic`).
    Then, for inputs drawn by hypothesis in ``[min_value, max_value]``:

    * if the trace's guards hold, the traced module at those inputs must return what ``fn``
      returns (or raise the same exception type);
    * otherwise ``fn`` is traced again with those inputs as hints (the branch they take), the new
      trace's guards must hold there, and its module must agree with ``fn`` in the same way.

    The example inputs themselves are always checked too. Call it from a plain test, not from
    inside a ``@given`` test (hypothesis refuses nested ``@given`` with a ``FailedHealthCheck``).

    Args:
        fn: The shape function.
        example_args: Its arguments for the first trace (the hints).
        dynamic: Which int arguments are symbolic: ``None``/``True`` all, ``False`` none, or a
            collection of positions and parameter names. Other arguments stay fixed.
        max_examples: Inputs to try (hypothesis also shrinks a failure to a smallest input).
        min_value: Smallest value of a dynamic input (also declared as the symbols' lower bound,
            so guards the bound implies are not recorded); ``None`` for unbounded.
        max_value: Largest value; default ``max(64, 2 * largest example)``.
        settings: Hypothesis settings to start from (default: the current profile, without
            the example database and without a deadline).

    Raises:
        ShapeFunctionMismatch: An input where the trace and ``fn`` disagree (an
            ``AssertionError``); its message shows the input, the guards and the diverging
            expression.
        Exception: Whatever ``fn`` raises while being traced at ``example_args``.

    Examples:
        >>> def flatten(n, c, h, w):
        ...     return (n, c * h * w) if n > 1 else (c * h * w,)
        >>> check_shape_function(flatten, 4, 3, 8, 8, dynamic=["n", "h"], max_examples=30)
    """
    names = _parameter_names(fn, len(example_args))
    positions = _dynamic_positions(example_args, names, dynamic)
    hints = [example_args[i] for i in positions]
    if max_value is None:
        max_value = max([64, *(2 * abs(h) for h in hints)])
    if min_value is not None:
        low = [names[i] for i in positions if example_args[i] < min_value]
        if low:
            raise ValueError(f"example values of {', '.join(low)} are below min_value={min_value}")
    if any(h > max_value for h in hints):
        raise ValueError(f"example values above max_value={max_value}")
    first = _Trace(fn, names, positions, example_args, min_value, max_value)
    symbol_of = dict(zip(positions, first.env.symbols))
    fn_name = getattr(fn, "__name__", repr(fn))

    def call_args(values: Mapping[str, int]) -> tuple[Any, ...]:
        args = list(example_args)
        for i in positions:
            args[i] = values[symbol_of[i]]
        return tuple(args)

    def check(values: Mapping[str, int]) -> None:
        args = call_args(values)
        inputs = {names[i]: args[i] for i in positions}
        shown = ", ".join(f"{k}={v}" for k, v in inputs.items())
        expected = _outcome(lambda: fn(*args))
        trace = first
        how = "the first trace (its guards hold here)"
        if not first.guard_fn(dict(values)):
            retrace = _outcome(lambda: _Trace(fn, names, positions, args, min_value, max_value))
            if isinstance(retrace, _Raised):
                if not (isinstance(expected, _Raised) and type(expected.exc) is type(retrace.exc)):
                    raise ShapeFunctionMismatch(
                        f"{fn_name}({shown}): tracing at these values {retrace!r}, but the plain function "
                        f"gives {expected!r}",
                        inputs=inputs,
                        guards=[],
                        path="result",
                        expression=None,
                        expected=expected,
                        actual=retrace,
                    ) from retrace.exc
                return
            trace = retrace
            how = "a trace at these values (they violate the first trace's guards)"
            if not trace.guard_fn(dict(values)):
                raise ShapeFunctionMismatch(
                    f"{fn_name}({shown}): the trace at these values records guards that do not hold at "
                    f"them (a symcore bug):\n    guards: {trace.guards}",
                    inputs=inputs,
                    guards=trace.guards,
                    path="result",
                    expression=None,
                    expected=expected,
                    actual=None,
                )
        dyn_values = [values[symbol_of[i]] for i in positions]
        actual = _outcome(lambda: trace.module(*dyn_values))
        if currently_in_test_context():
            note(f"{fn_name}({shown}) via {how}: plain {expected!r}, traced {actual!r}")
        path = _first_difference(expected, actual)
        if path is None:
            return
        expression = trace.expression(path)
        lines = [
            f"{fn_name}({shown}): output differs at {path}",
            f"    traced expression: {expression if expression is not None else '(not symbolic)'}",
            f"    plain function:    {_at(expected, path) if not isinstance(expected, _Raised) else expected!r}",
            f"    traced graph:      {_at(actual, path) if not isinstance(actual, _Raised) else actual!r}",
            f"    checked with:      {how}",
            f"    guards:            {' and '.join(trace.guards) if trace.guards else '(none)'}",
            f"    traced at:         {', '.join(f'{names[i]}={example_args[i]}' for i in positions)}",
        ]
        cause = actual.exc if isinstance(actual, _Raised) else None
        raise ShapeFunctionMismatch(
            "\n".join(lines),
            inputs=inputs,
            guards=trace.guards,
            path=path,
            expression=expression,
            expected=expected,
            actual=actual,
        ) from cause

    hint_binding = {symbol_of[i]: example_args[i] for i in positions}
    if not positions:
        check(hint_binding)
        return
    base = settings if settings is not None else Settings()
    run_settings = Settings(base, max_examples=max_examples, deadline=None, database=None)
    strategy = bindings(
        first.env,
        min_value=min_value if min_value is not None else -max_value,
        max_value=max_value,
        satisfy_guards=False,
    )

    @run_settings
    @given(values=strategy)
    def fuzz_shape_function(values: dict[str, int]) -> None:
        check(values)

    # Fuzz first, so that a failure is shrunk to a smallest input; then the example itself.
    try:
        fuzz_shape_function()
    except Flaky as flaky:
        # fn is not deterministic (the same input failed once and passed on a retry): report the
        # first mismatch seen, which is a real disagreement at that input.
        found = [e for e in getattr(flaky, "exceptions", ()) if isinstance(e, ShapeFunctionMismatch)]
        if not found:
            raise
        first_found = found[0]
        first_found.args = (
            f"{first_found.args[0]}\n    note: {fn_name} is not deterministic: the same input passed on a retry",
        )
        raise first_found from flaky
    check(hint_binding)
