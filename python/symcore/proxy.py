"""The proxy tracer: record the operations on symbolic values into a :class:`~symcore.graph.Graph`.

Tracer authors use :class:`ProxySymDispatchMode` directly, or :func:`trace_symbolic` to turn a
function of ints into a :class:`~symcore.graph.GraphModule`:

    >>> import symcore
    >>> def f(n, m):
    ...     if n > m:
    ...         return (n * m + 3) // 2, n % 8
    ...     return m, n
    >>> gm = symcore.trace_symbolic(f, 10, 4)
    >>> print(gm.graph)
    graph(n, m):
        %n = placeholder[n]
        %m = placeholder[m]
        %mul = operator.mul(%n, %m)
        %add = operator.add(%mul, 3)
        %floordiv = operator.floordiv(%add, 2)
        %mod = operator.mod(%n, 8)
        return (%floordiv, %mod)
    >>> gm(7, 2) == f(7, 2)
    True
    >>> [str(g) for g in gm.shape_env.guards]
    ['m < n']

Proxies live in the tracer, not on the values: a map from each value's structural key
(:meth:`SymInt.key`) to its node. Because expressions are hash-consed, the same computation on the
same operands (or any computation giving the same canonical expression) is recorded once, and
when the tracer dies its proxies die with it.
"""

from __future__ import annotations

import ast
import builtins
import inspect
import math
import operator
from collections.abc import Callable, Mapping
from typing import Any

from symcore import _core
from symcore._core import SymBool, SymFloat, SymInt, sym_float, sym_int, sym_ite, sym_max, sym_min, sym_not
from symcore.dispatch import SymDispatchMode
from symcore.graph import Argument, Graph, GraphModule, Node
from symcore.shape_env import ShapeEnv

__all__ = ["MissingProxyError", "ProxySymDispatchMode", "SymbolicTracer", "trace_symbolic"]

_SYM_TYPES = (SymInt, SymBool, SymFloat)


class MissingProxyError(RuntimeError):
    """A symbolic value reached the graph, but neither it nor all of its symbols have nodes."""


_BINOPS: dict[type[ast.operator], Callable[..., Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
    ast.LShift: operator.lshift,
    ast.RShift: operator.rshift,
    ast.BitAnd: operator.and_,
    ast.BitOr: operator.or_,
    ast.BitXor: operator.xor,
}
_UNARY: dict[type[ast.unaryop], Callable[..., Any]] = {
    ast.USub: operator.neg,
    ast.UAdd: operator.pos,
    ast.Invert: operator.invert,
    ast.Not: sym_not,
}
_COMPARE: dict[type[ast.cmpop], Callable[..., Any]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
}
# Functions of the printed expression language; float()/int() become sym_float/sym_int so that a
# rebuilt graph never converts a symbolic value to a concrete one.
_CALLS: dict[str, Callable[..., Any]] = {
    "min": sym_min,
    "max": sym_max,
    "abs": builtins.abs,
    "pow": builtins.pow,
    "float": sym_float,
    "int": sym_int,
    "floor": math.floor,
    "ceil": math.ceil,
    "trunc": math.trunc,
    "round": builtins.round,
}


class SymbolicTracer:
    """Owns the graph being built and the map from values to the nodes that compute them.

    Recording is buffered in a native :class:`symcore._core.Recorder`: an operation is stored as a
    small record (operands that are values are entry numbers), and the graph's nodes are created —
    in recording order — the next time anyone looks at :attr:`graph` or asks for a node. Inside the
    traced code, recording an operation does not run any Python.
    """

    def __init__(self, graph: Graph | None = None) -> None:
        self._graph = graph if graph is not None else Graph()
        self._recorder = _core.Recorder()
        self._entries: list[Node | None] = []  # entry number -> node (None until created)
        self._symbols: dict[str, Node] = {}

    @property
    def graph(self) -> Graph:
        """The graph recorded so far (creating the nodes of operations recorded since the last look)."""
        self._flush()
        return self._graph

    def _flush(self) -> None:
        records = self._recorder.take()
        if not records:
            return
        entries, call = self._entries, self._graph.call_function
        for entry, func, args, mask in records:
            if mask:
                args = tuple([entries[a] if mask >> i & 1 else a for i, a in enumerate(args)])
            self._set(entry, call(func, args))

    def _set(self, entry: int, node: Node) -> None:
        entries = self._entries
        if entry >= len(entries):
            entries.extend([None] * (entry + 1 - len(entries)))
        entries[entry] = node

    def bind(self, value: SymInt | SymBool | SymFloat, node: Node) -> None:
        """Declares that ``node`` computes ``value`` (e.g. a placeholder for an input symbol)."""
        self._flush()
        self._set(self._recorder.bind(value), node)
        names = value.free_symbols
        if len(names) == 1 and str(value) in names:
            self._symbols[str(value)] = node

    def node_of(self, value: SymInt | SymBool | SymFloat) -> Node | None:
        """The node recorded for ``value``, if any."""
        if value.is_constant:
            return None
        entry = self._recorder.entry(value)
        if entry is None:
            return None
        self._flush()
        node: Node | None = self._entries[entry]
        return node

    def arg(self, value: object) -> Argument:
        """The graph argument for a Python value: constants become literals, symbolic values their
        nodes (rebuilt from their symbols' nodes when they have none), containers are mapped."""
        if isinstance(value, _SYM_TYPES):
            if value.is_constant:
                return value.hint
            node = self.node_of(value)
            return node if node is not None else self._rebuild(value)
        if isinstance(value, tuple):
            return tuple(self.arg(v) for v in value)
        if isinstance(value, list):
            return [self.arg(v) for v in value]
        if isinstance(value, dict):
            return {k: self.arg(v) for k, v in value.items()}
        if value is None or isinstance(value, (int, float, str)):
            return value
        raise TypeError(f"cannot record a {type(value).__name__} in a symcore graph: {value!r}")

    def record(self, func: Callable[..., Any], args: tuple[Any, ...], kwargs: Mapping[str, Any], out: Any) -> None:
        """Records ``out = func(*args, **kwargs)`` unless ``out`` is concrete or already has a node."""
        if kwargs:
            # Rare (operators take none): create the node right away.
            if isinstance(out, _SYM_TYPES) and not out.is_constant and self.node_of(out) is None:
                node = self.graph.call_function(
                    func, tuple(self.arg(a) for a in args), {k: self.arg(v) for k, v in kwargs.items()}
                )
                self._set(self._recorder.bind(out), node)
            return
        self._recorder.record(func, args, out)

    def _entry_for(self, value: SymInt | SymBool | SymFloat) -> int:
        """Called by the recorder for an operand that has no entry: rebuilds it (or raises
        :class:`MissingProxyError`) and returns its entry number."""
        self._flush()
        self._rebuild(value)
        entry = self._recorder.entry(value)
        assert entry is not None
        return entry

    def _rebuild(self, value: SymInt | SymBool | SymFloat) -> Node:
        """Builds nodes computing ``value`` from the nodes of its free symbols, by walking its
        printed form (the printed language is Python syntax)."""
        missing = sorted(s for s in value.free_symbols if s not in self._symbols)
        if missing:
            raise MissingProxyError(
                f"the symbolic value {value} reached the graph, but it was computed outside the trace "
                f"and its symbols {', '.join(missing)} are not inputs of the trace; pass the values it "
                "depends on as arguments of the traced function (or compute it inside the function)"
            )
        tree = ast.parse(str(value), mode="eval").body
        self._flush()
        result = self._emit(tree)
        if not isinstance(result, Node):
            raise MissingProxyError(f"cannot rebuild {value}: it folds to the literal {result!r}")
        self._set(self._recorder.bind(value), result)
        return result

    def _emit(self, tree: ast.expr) -> Argument:
        """Emits nodes for one expression of the printed language (iteratively deep expressions are
        rare here: values reaching this path were built outside the trace)."""
        call = self._graph.call_function
        if isinstance(tree, ast.Constant) and isinstance(tree.value, (int, float, bool)):
            return tree.value
        if isinstance(tree, ast.Name):
            return self._symbols[tree.id]
        if isinstance(tree, ast.BinOp) and type(tree.op) in _BINOPS:
            return call(_BINOPS[type(tree.op)], (self._emit(tree.left), self._emit(tree.right)))
        if isinstance(tree, ast.UnaryOp) and type(tree.op) in _UNARY:
            operand = self._emit(tree.operand)
            if isinstance(tree.op, ast.USub) and isinstance(operand, (int, float)):
                return -operand
            return call(_UNARY[type(tree.op)], (operand,))
        if isinstance(tree, ast.Compare) and len(tree.ops) == 1 and type(tree.ops[0]) in _COMPARE:
            return call(_COMPARE[type(tree.ops[0])], (self._emit(tree.left), self._emit(tree.comparators[0])))
        if isinstance(tree, ast.BoolOp):
            fn = operator.and_ if isinstance(tree.op, ast.And) else operator.or_
            acc = self._emit(tree.values[0])
            for v in tree.values[1:]:
                acc = call(fn, (acc, self._emit(v)))
            return acc
        if isinstance(tree, ast.IfExp):
            return call(sym_ite, (self._emit(tree.test), self._emit(tree.body), self._emit(tree.orelse)))
        if isinstance(tree, ast.Call) and isinstance(tree.func, ast.Name) and tree.func.id in _CALLS:
            first = tree.args[0] if tree.args else None
            if tree.func.id == "float" and isinstance(first, ast.Constant) and isinstance(first.value, str):
                return float(first.value)  # float('inf') / float('nan')
            return call(_CALLS[tree.func.id], tuple(self._emit(a) for a in tree.args))
        raise MissingProxyError(f"cannot rebuild the expression {ast.unparse(tree)!r} into graph nodes")


class ProxySymDispatchMode(_core.Recorder, SymDispatchMode):
    """A dispatch mode that records every operation into ``tracer.graph``.

    Constants appear in the graph as literals, never as nodes; an operation whose result is
    concrete (``bool(x)``, a guard) is not recorded — the fact it relied on is a guard in the
    ShapeEnv. The handler (``__sym_dispatch__``, inherited from the native recorder) computes
    ``func(*args, **kwargs)`` and records it; while this class's handler is not overridden, the
    native dispatch path records without entering Python.
    """

    def __init__(self, tracer: SymbolicTracer) -> None:
        self.tracer = tracer
        self._share(tracer._recorder)


def _parameter_names(fn: Callable[..., Any], count: int, var_positional: bool = False) -> list[str]:
    """Names for ``count`` positional arguments of ``fn``: its parameter names, then ``argN``
    (or ``args_N`` after a ``*args`` parameter when ``var_positional``), never repeated."""
    try:
        params = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        params = []
    names = [
        p.name for p in params if p.kind in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    ]
    var = next((p.name for p in params if p.kind == inspect.Parameter.VAR_POSITIONAL), None)
    if var_positional and var is not None:
        names += [f"{var}_{i}" for i in range(count - len(names))]
    out = [names[i] if i < len(names) else f"arg{i}" for i in range(count)]
    seen: set[str] = set()
    for i, n in enumerate(out):
        if n in seen:
            out[i] = f"arg{i}"
        seen.add(out[i])
    return out


def trace_symbolic(fn: Callable[..., Any], *args: Any, shape_env: ShapeEnv | None = None) -> GraphModule:
    """Traces ``fn(*args)`` with every int argument made a symbol (its value is the hint).

    Each argument becomes a placeholder named after ``fn``'s parameter. Int arguments become
    symbols of ``shape_env`` (a new one by default); symcore values are used as given; other
    arguments are passed through unchanged and specialised (the module ignores what is passed for
    them). The result may be any nesting of tuples, lists and dicts of values.

    Returns:
        A :class:`~symcore.graph.GraphModule` that, called with concrete ints, returns what ``fn``
        returns for them — for every input satisfying the guards recorded while tracing, which are
        in ``module.shape_env.guards``.

    Raises:
        MissingProxyError: ``fn`` returned a symbolic value computed from symbols that are not
            inputs of the trace.
    """
    env = shape_env if shape_env is not None else ShapeEnv()
    tracer = SymbolicTracer()
    sym_args: list[Any] = []
    for i, (name, value) in enumerate(zip(_parameter_names(fn, len(args)), args)):
        node = tracer.graph.placeholder(name)
        if isinstance(value, int) and not isinstance(value, bool):
            symbol_name = name if name.isidentifier() and name not in env.symbols else f"s{i}"
            try:
                value = env.symint(symbol_name, hint=value)
            except ValueError:  # a reserved or taken name: fall back to a fresh one
                value = env.symint(f"_s{i}_{len(env.symbols)}", hint=value)
        if isinstance(value, _SYM_TYPES) and not value.is_constant:
            tracer.bind(value, node)
        sym_args.append(value)
    with ProxySymDispatchMode(tracer):
        out = fn(*sym_args)
    tracer.graph.output(tracer.arg(out))
    tracer.graph.eliminate_dead_code()
    module = GraphModule(tracer.graph)
    module.shape_env = env  # type: ignore[attr-defined]
    return module
