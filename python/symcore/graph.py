"""The graph IR: ``Graph`` and ``Node``, code generation, an interpreter, JSON and DOT.

Who uses it: the proxy tracer records the operations a traced function performs (SymInt arithmetic
today, tensor ops later) into a :class:`Graph`; compiler authors and passes read and rewrite it
through ``users``, ``replace_all_uses_with``, ``inserting_before``/``inserting_after`` and
``eliminate_dead_code``; model analysts print it, save it with :meth:`Graph.to_json`, draw it with
:meth:`Graph.to_dot`, and run it either as generated Python (:class:`GraphModule`) or node by node
(:class:`Interpreter`).

The vocabulary is torch.fx's (``placeholder``/``call_function``/``get_attr``/``output``,
``target``, ``args``, ``kwargs``, ``users``, ``meta``), rebuilt from its documented concepts with
the standard library only. Three rules keep the IR safe to share:

* Node names always come from a namespace that turns any candidate into a unique, ASCII,
  identifier-safe name that is never a keyword or builtin name, so generated code cannot be
  subverted through a name.
* Arguments are a closed language: nodes, ``int``/``float``/``bool``/``None``/``str`` literals and
  ``tuple``/``list``/``dict`` containers nested at most :data:`MAX_DEPTH` levels.
* Callables are named through an explicit registry (:func:`register_target`); code generation and
  JSON only ever refer to registered targets, and :meth:`Graph.from_json` never imports anything.
"""

from __future__ import annotations

import builtins
import contextlib
import itertools
import json
import keyword
import math
import operator
import re
import threading
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Final, Union

from symcore._core import sym_float, sym_int, sym_ite, sym_max, sym_min, sym_not

__all__ = [
    "JSON_FORMAT",
    "JSON_VERSION",
    "MAX_DEPTH",
    "MAX_JSON_CHARS",
    "OPS",
    "Argument",
    "Graph",
    "GraphError",
    "GraphModule",
    "Interpreter",
    "Node",
    "Target",
    "UnregisteredTargetError",
    "lookup_target",
    "map_arg",
    "register_target",
    "registered_targets",
    "target_name",
]

OPS: Final = ("placeholder", "call_function", "get_attr", "output")
"""The four node kinds, in the order a graph usually lists them."""

MAX_DEPTH: Final = 100
"""How deeply ``tuple``/``list``/``dict`` arguments (and JSON ``meta``) may nest."""

MAX_JSON_CHARS: Final = 10_000_000
"""The largest document :meth:`Graph.from_json` accepts, in characters."""

JSON_FORMAT: Final = "symcore.graph"
"""The ``format`` tag of a serialised graph."""

JSON_VERSION: Final = 1
"""The document version :meth:`Graph.to_json` writes and :meth:`Graph.from_json` reads."""

# Ints wider than this are written as hexadecimal (in code, listings and JSON): CPython refuses to
# convert ints of more than 4300 decimal digits (~14,000 bits) to or from decimal text.
_BIG_INT_BITS: Final = 10_000

Argument = Union["Node", int, float, bool, str, None, tuple["Argument", ...], list["Argument"], dict[Any, "Argument"]]
"""What ``Node.args`` and ``Node.kwargs`` values may hold: nodes, literals and nested containers."""

Target = Union[Callable[..., Any], str]
"""A node's target: a callable for ``call_function``, a string for the other ops."""


class GraphError(ValueError):
    """A graph breaks an invariant, or an argument or document cannot become a valid graph."""


class UnregisteredTargetError(KeyError):
    """A callable (or qualified name) that is not in the target registry.

    Raised where a stable name is needed: code generation, :meth:`Graph.to_json`,
    :func:`target_name` and :func:`lookup_target`.
    """

    def __str__(self) -> str:
        # KeyError's str() is the repr of its argument; the message reads better unquoted.
        return str(self.args[0]) if self.args else ""


# --------------------------------------------------------------------------------------------------
# Target registry
# --------------------------------------------------------------------------------------------------

_registry_lock = threading.Lock()
_TARGETS: dict[str, Callable[..., Any]] = {}
# Keyed by id(): callables need not be hashable; _TARGETS keeps each one alive, so ids are stable.
_TARGET_NAMES: dict[int, str] = {}
_CANDIDATES: dict[int, tuple[object, str]] = {}  # id(target) -> (target, default name) for call_function
_QUALNAME_RE: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")


def register_target(qualname: str, fn: Callable[..., Any]) -> None:
    """Give ``fn`` the stable name ``qualname`` for code generation and JSON.

    Registering the same pair twice is a no-op; a name or a callable can have only one partner.

    Args:
        qualname: Dotted identifiers such as ``"operator.add"`` or ``"symcore.sym_max"``.
        fn: The callable ``call_function`` nodes will hold as their ``target``.

    Raises:
        ValueError: ``qualname`` is malformed, or either side is already registered differently.
        TypeError: ``fn`` is not callable.

    Examples:
        >>> target_name(operator.add)
        'operator.add'
    """
    if not isinstance(qualname, str) or not _QUALNAME_RE.fullmatch(qualname):
        raise ValueError(f"target name must be dotted identifiers like 'operator.add', got {_short(qualname)}")
    if not callable(fn):
        raise TypeError(f"target {qualname!r} must be callable, got {type(fn).__name__}")
    with _registry_lock:
        existing = _TARGETS.get(qualname)
        if existing is fn:
            return
        if existing is not None:
            raise ValueError(f"target name {qualname!r} is already registered for {existing!r}")
        other = _TARGET_NAMES.get(id(fn))
        if other is not None:
            raise ValueError(f"{fn!r} is already registered as {other!r}")
        _TARGETS[qualname] = fn
        _TARGET_NAMES[id(fn)] = qualname
        _CANDIDATES.pop(id(fn), None)  # its default node name may change with the registration


def target_name(fn: Callable[..., Any]) -> str:
    """The registered qualified name of ``fn``.

    Raises:
        UnregisteredTargetError: ``fn`` was never passed to :func:`register_target`.
    """
    name = _TARGET_NAMES.get(id(fn))
    if name is None or _TARGETS.get(name) is not fn:
        raise UnregisteredTargetError(
            f"{_describe_callable(fn)} is not a registered graph target; "
            "call symcore.graph.register_target('module.name', fn) before generating code or JSON"
        )
    return name


def lookup_target(qualname: str) -> Callable[..., Any]:
    """The callable registered as ``qualname``; the registry is the only place looked in.

    Raises:
        UnregisteredTargetError: no callable is registered under that name.
    """
    fn = _TARGETS.get(qualname) if isinstance(qualname, str) else None
    if fn is None:
        raise UnregisteredTargetError(f"unknown target {_short(qualname)}: no callable is registered under that name")
    return fn


def registered_targets() -> dict[str, Callable[..., Any]]:
    """A snapshot of the registry, qualified name to callable."""
    with _registry_lock:
        return dict(_TARGETS)


def _describe_callable(fn: object) -> str:
    module = getattr(fn, "__module__", None)
    qualname = getattr(fn, "__qualname__", None)
    if isinstance(module, str) and isinstance(qualname, str):
        return f"{module}.{qualname}"
    return _short(fn)


def _register_builtin_targets() -> None:
    for name in (
        "add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "lshift", "rshift", "and_", "or_", "xor",
        "neg", "pos", "abs", "invert", "not_", "lt", "le", "gt", "ge", "eq", "ne", "getitem", "index", "truth",
    ):  # fmt: skip
        register_target(f"operator.{name}", getattr(operator, name))
    math_fns: tuple[Callable[..., Any], ...] = (math.floor, math.ceil, math.trunc)
    for fn in math_fns:
        register_target(f"math.{fn.__name__}", fn)
    builtin_fns: tuple[Callable[..., Any], ...] = (abs, round, divmod, pow, int, float, bool, min, max)
    for fn in builtin_fns:
        register_target(f"builtins.{fn.__name__}", fn)
    symcore_fns: tuple[Callable[..., Any], ...] = (sym_max, sym_min, sym_not, sym_ite, sym_float, sym_int)
    for fn in symcore_fns:
        register_target(f"symcore.{fn.__name__}", fn)


_register_builtin_targets()


# --------------------------------------------------------------------------------------------------
# Names
# --------------------------------------------------------------------------------------------------

_IDENT_RE: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_UNSAFE_RUN_RE: Final = re.compile(r"[^A-Za-z0-9_]+")
_KEYWORDS: Final = frozenset(keyword.kwlist)
# "_" is bound by the interactive interpreter only; it is a fine name for an empty candidate.
_BUILTIN_NAMES: Final = frozenset(name for name in dir(builtins) if name != "_")
_NODE_RESERVED: Final = _KEYWORDS | _BUILTIN_NAMES | {"__builtins__"}
# Generated code runs with an empty ``__builtins__`` and binds every global itself, so its global
# names may shadow builtins (``float``), but never keywords or dunders the runtime gives meaning to.
_GLOBAL_RESERVED: Final = _KEYWORDS | {name for name in _BUILTIN_NAMES if name.startswith("__")} | {"__builtins__"}


class _Namespace:
    """Hands out unique, identifier-safe names derived from candidates.

    A candidate is sanitised (every run of characters outside ``[A-Za-z0-9_]`` becomes ``_``, a
    leading digit gets a ``_`` prefix, the empty string becomes ``_``); a reserved or already used
    result gets the first free ``_1``, ``_2``, ... suffix. ASCII only: Python normalises non-ASCII
    identifiers (NFKC), so two distinct non-ASCII names could be the same variable.

    Examples:
        >>> ns = _Namespace()
        >>> [ns.create_name(c) for c in ["s0; import os", "class", "1x", "", "add", "add"]]
        ['s0_import_os', 'class_1', '_1x', '_', 'add', 'add_1']
    """

    def __init__(self, reserved: frozenset[str] = _NODE_RESERVED) -> None:
        self._reserved = reserved
        self._used: set[str] = set()
        self._counters: dict[str, int] = {}
        self._bases: dict[str, str] = {}  # candidate -> sanitised base (tracers repeat candidates)

    @staticmethod
    def sanitize(candidate: str) -> str:
        """``candidate`` turned into an ASCII identifier (not yet checked against reserved names)."""
        name = _UNSAFE_RUN_RE.sub("_", candidate)
        if not name:
            return "_"
        return "_" + name if name[0].isdigit() else name

    def is_safe(self, name: object) -> bool:
        """Whether ``name`` could be handed out as is: an ASCII identifier that is not reserved."""
        return isinstance(name, str) and _IDENT_RE.fullmatch(name) is not None and name not in self._reserved

    def create_name(self, candidate: str) -> str:
        """A fresh safe name derived from ``candidate``; it is marked used."""
        base = self._bases.get(candidate)
        if base is None:
            base = self._bases[candidate] = self.sanitize(candidate)
        # `sanitize` always yields an ASCII identifier, and so does `base` plus a `_N` suffix:
        # only the reserved-name check is left to do.
        if base not in self._used and base not in self._reserved:
            self._used.add(base)
            return base
        i = self._counters.get(base, 0)
        while True:
            i += 1
            name = f"{base}_{i}"
            if name not in self._used and name not in self._reserved:
                break
        self._counters[base] = i
        self._used.add(name)
        return name

    def reserve(self, name: str) -> None:
        """Mark an exact ``name`` used; it must be safe and unused.

        Raises:
            GraphError: ``name`` is unsafe or already used.
        """
        if not self.is_safe(name):
            raise GraphError(f"name {_short(name)} is not a safe identifier")
        if name in self._used:
            raise GraphError(f"duplicate node name {name!r}")
        self._used.add(name)

    def mark_used(self, name: str) -> None:
        """Mark ``name`` used without checks (names owned by someone else, e.g. node names)."""
        self._used.add(name)


def _check_kwarg_name(key: object) -> str:
    if not isinstance(key, str) or type(key) is not str or not _IDENT_RE.fullmatch(key) or key in _KEYWORDS:
        raise GraphError(f"keyword argument name {_short(key)} must be an ASCII identifier and not a keyword")
    return key


def _check_fn_name(name: object) -> str:
    if not isinstance(name, str) or not _IDENT_RE.fullmatch(name) or name in _KEYWORDS or name.startswith("__"):
        raise ValueError(f"function name {_short(name)} must be an ASCII identifier, not a keyword or dunder")
    return name


def _short(value: object, limit: int = 80) -> str:
    """``repr(value)`` cut to ``limit`` characters, for error messages about hostile input."""
    try:
        text = repr(value)
    except Exception:  # a hostile __repr__ must not hide the real error
        text = f"<{type(value).__name__} object>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


# --------------------------------------------------------------------------------------------------
# Arguments
# --------------------------------------------------------------------------------------------------

_LITERAL_TYPES: Final = (int, float, bool, str, type(None))


def _check_key(key: object) -> object:
    if type(key) not in _LITERAL_TYPES:
        raise GraphError(f"unsupported dict key of type {type(key).__qualname__}; keys must be literals")
    return key


def _map_arg(arg: object, fn: Callable[[Node], Any], depth: int = 0) -> Any:
    """Rebuild ``arg`` with ``fn`` applied to every node; validate every literal on the way."""
    if depth > MAX_DEPTH:
        raise GraphError(f"arguments nest deeper than {MAX_DEPTH} levels")
    if isinstance(arg, Node):
        return fn(arg)
    kind = type(arg)
    if kind in _LITERAL_TYPES:
        return arg
    if kind is tuple:
        return tuple(_map_arg(a, fn, depth + 1) for a in arg)  # type: ignore[attr-defined]
    if kind is list:
        return [_map_arg(a, fn, depth + 1) for a in arg]  # type: ignore[attr-defined]
    if kind is dict:
        return {_check_key(k): _map_arg(v, fn, depth + 1) for k, v in arg.items()}  # type: ignore[attr-defined]
    raise GraphError(
        f"unsupported argument of type {kind.__module__}.{kind.__qualname__}; "
        "expected a Node, int, float, bool, None, str, or a tuple/list/dict of those"
    )


def map_arg(arg: Argument, fn: Callable[[Node], Argument]) -> Argument:
    """``arg`` rebuilt with ``fn`` applied to every :class:`Node` inside it.

    Containers are copied (a tuple stays a tuple, a list a list, a dict a dict); literals are kept.

    Raises:
        GraphError: ``arg`` holds an unsupported type or nests deeper than :data:`MAX_DEPTH`.

    Examples:
        >>> g = Graph()
        >>> n = g.placeholder("n")
        >>> map_arg((n, [1, {"k": n}]), lambda node: node.name)
        ('n', [1, {'k': 'n'}])
    """
    result: Argument = _map_arg(arg, fn)
    return result


def _collect_inputs(args: tuple[Argument, ...], kwargs: Mapping[str, Argument]) -> dict[Node, None]:
    found: dict[Node, None] = {}

    def visit(node: Node) -> Node:
        found[node] = None
        return node

    _map_arg(args, visit)
    _map_arg(dict(kwargs), visit)
    return found


def _is_big_int(value: int) -> bool:
    return value.bit_length() > _BIG_INT_BITS


def _format_arg(arg: object, depth: int = 0) -> str:
    """The listing form of an argument; never raises, so broken graphs can still be printed."""
    if isinstance(arg, Node):
        return f"%{arg.name}"
    if depth > MAX_DEPTH:
        return "..."
    if type(arg) is int and _is_big_int(arg):
        return hex(arg)
    if type(arg) is tuple:
        items = [_format_arg(a, depth + 1) for a in arg]
        return f"({items[0]},)" if len(items) == 1 else f"({', '.join(items)})"
    if type(arg) is list:
        return f"[{', '.join(_format_arg(a, depth + 1) for a in arg)}]"
    if type(arg) is dict:
        return (
            "{" + ", ".join(f"{_format_arg(k, depth + 1)}: {_format_arg(v, depth + 1)}" for k, v in arg.items()) + "}"
        )
    return _short(arg, limit=1_000)


def _display_target(target: object) -> str:
    if callable(target):
        name = _TARGET_NAMES.get(id(target))
        if name is not None and _TARGETS.get(name) is target:
            return name
        return _describe_callable(target)
    if isinstance(target, str) and re.fullmatch(r"[A-Za-z0-9_.]+", target):
        return target
    return _short(target)


def _check_target(op: str, target: object) -> None:
    if op == "call_function":
        if not callable(target):
            raise GraphError(f"call_function target must be callable, got {type(target).__qualname__}")
    elif type(target) is not str:
        raise GraphError(f"{op} target must be a str, got {type(target).__qualname__}")


def _check_op_shape(op: str, args: tuple[Argument, ...], kwargs: Mapping[str, Argument]) -> None:
    if op in ("placeholder", "get_attr") and (args or kwargs):
        raise GraphError(f"{op} nodes take no args or kwargs")
    if op == "output" and (len(args) != 1 or kwargs):
        raise GraphError("output nodes take exactly one arg (the result) and no kwargs")


# --------------------------------------------------------------------------------------------------
# Node
# --------------------------------------------------------------------------------------------------


class Node:
    """One operation in a :class:`Graph`.

    The ``op`` says what the node does and how ``target``, ``args`` and ``kwargs`` are read:

    * ``placeholder``: an input of the graph, in order of appearance. ``target`` is the input's
      original name (any str, kept verbatim); ``args`` and ``kwargs`` are empty. In generated
      code it is a parameter named ``name``.
    * ``call_function``: ``target(*args, **kwargs)``. ``target`` is a callable (registered with
      :func:`register_target` to be printed by name, generated or serialised); ``args``/``kwargs``
      mix nodes (the values they computed) and literals.
    * ``get_attr``: a constant supplied by whoever runs the graph. ``target`` is its key in the
      ``attrs`` mapping given to :class:`GraphModule` or :class:`Interpreter` (for example
      ``"layer1.weight"``); ``args`` and ``kwargs`` are empty.
    * ``output``: what the graph returns. ``target`` is ``"output"``; ``args`` is a one-tuple
      whose item (a node, literal or nested tuple/list/dict of them) is the returned value. At most
      one per graph, and it is the last node.

    Attributes:
        graph: The graph that owns the node.
        name: Unique within the graph, an identifier-safe name (see ``_Namespace``).
        op: One of :data:`OPS`.
        target: See above.
        users: The nodes whose ``args``/``kwargs`` mention this node, in the order they started to;
            maintained automatically (a dict used as an ordered set; values are ``None``).
        meta: Free for passes (shapes, provenance, ...). See :meth:`Graph.to_json` for what of it
            is serialised.

    ``args`` and ``kwargs`` are properties: assigning them validates and copies the new value and
    updates ``users`` of the nodes that stop or start being used. Mutating a list or dict inside
    ``args`` in place bypasses that bookkeeping (:meth:`Graph.lint` reports it).
    """

    __slots__ = (
        "__weakref__",
        "_args",
        "_erased",
        "_kwargs",
        "_next",
        "_prev",
        "graph",
        "meta",
        "name",
        "op",
        "target",
        "users",
    )

    def __init__(
        self,
        graph: Graph,
        name: str,
        op: str,
        target: Target,
        args: tuple[Argument, ...],
        kwargs: Mapping[str, Argument],
    ) -> None:
        """Build a node; use :meth:`Graph.create_node`, which names and links it."""
        self.graph = graph
        self.name = name
        self.op = op
        self.target = target
        self.users: dict[Node, None] = {}
        self.meta: dict[str, Any] = {}
        self._args: tuple[Argument, ...] = ()
        self._kwargs: dict[str, Argument] = {}
        self._prev: Node = self
        self._next: Node = self
        self._erased = False
        self._update(args, kwargs)

    # -- arguments and users -------------------------------------------------------------------

    @property
    def args(self) -> tuple[Argument, ...]:
        """Positional arguments; assigning validates, copies and updates ``users``."""
        return self._args

    @args.setter
    def args(self, value: tuple[Argument, ...]) -> None:
        self._update(value, self._kwargs)

    @property
    def kwargs(self) -> dict[str, Argument]:
        """Keyword arguments; assigning validates, copies and updates ``users``."""
        return self._kwargs

    @kwargs.setter
    def kwargs(self, value: Mapping[str, Argument]) -> None:
        self._update(self._args, value)

    def _check_input(self, node: Node) -> Node:
        if node.graph is not self.graph:
            raise GraphError(f"{self!r} cannot use {node!r}: it belongs to another graph")
        if node._erased:
            raise GraphError(f"{self!r} cannot use {node!r}: it was erased")
        return node

    def _update(self, args: object, kwargs: object) -> None:
        """Validate and copy new args/kwargs first, then move ``users`` entries (all or nothing)."""
        if type(args) is tuple and not kwargs and not self._args and not self._kwargs:
            # Fast path for a fresh node with flat positional args (what tracers create): one pass.
            inputs: list[Node] = []
            for a in args:
                kind = type(a)
                if isinstance(a, Node) and kind is Node:
                    self._check_input(a)
                    inputs.append(a)
                elif kind not in _LITERAL_TYPES:
                    break
            else:
                self._args = args  # tuples are immutable: no copy needed
                self._kwargs = {}
                for node in inputs:
                    node.users[self] = None
                return
        if type(args) not in (tuple, list):
            raise GraphError(f"{self!r}: args must be a tuple, got {type(args).__qualname__}")
        if not isinstance(kwargs, Mapping):
            raise GraphError(f"{self!r}: kwargs must be a mapping, got {type(kwargs).__qualname__}")
        new_args: tuple[Argument, ...] = _map_arg(tuple(args), self._check_input)  # type: ignore[arg-type]
        new_kwargs: dict[str, Argument] = {
            _check_kwarg_name(k): _map_arg(v, self._check_input, 1) for k, v in kwargs.items()
        }
        old_inputs = _collect_inputs(self._args, self._kwargs)
        self._args, self._kwargs = new_args, new_kwargs
        new_inputs = _collect_inputs(new_args, new_kwargs)
        for node in old_inputs:
            if node not in new_inputs:
                node.users.pop(self, None)
        for node in new_inputs:
            node.users[self] = None

    @property
    def all_input_nodes(self) -> list[Node]:
        """The distinct nodes this node uses, in order of first appearance in ``args`` then ``kwargs``."""
        return list(_collect_inputs(self._args, self._kwargs))

    def replace_input_with(self, old: Node, new: Node) -> None:
        """Use ``new`` wherever this node's arguments mention ``old``."""

        def swap(node: Node) -> Node:
            return new if node is old else node

        self._update(_map_arg(self._args, swap), {k: _map_arg(v, swap) for k, v in self._kwargs.items()})

    def replace_all_uses_with(self, replace_with: Node) -> list[Node]:
        """Make every user of this node use ``replace_with`` instead.

        Returns:
            The nodes that were changed, in the order they were users.

        Raises:
            GraphError: ``replace_with`` is not a live node of the same graph.
        """
        if not isinstance(replace_with, Node):
            raise GraphError(f"replace_all_uses_with needs a Node, got {type(replace_with).__qualname__}")
        self._check_input(replace_with)
        users = list(self.users)
        for user in users:
            user.replace_input_with(self, replace_with)
        return users

    # -- list links ----------------------------------------------------------------------------

    @property
    def next(self) -> Node | None:
        """The following node of the graph, or ``None`` for the last one."""
        return None if self._next is self.graph._root else self._next

    @property
    def prev(self) -> Node | None:
        """The preceding node of the graph, or ``None`` for the first one."""
        return None if self._prev is self.graph._root else self._prev

    # -- printing ------------------------------------------------------------------------------

    def format_node(self) -> str:
        """This node's line in the graph listing (see :class:`Graph`)."""
        if self.op == "output":
            return f"return {_format_arg(self._args[0]) if len(self._args) == 1 else _format_arg(self._args)}"
        parts = [_format_arg(a) for a in self._args]
        parts += [f"{k}={_format_arg(v)}" for k, v in self._kwargs.items()]
        if self.op == "call_function":
            return f"%{self.name} = {_display_target(self.target)}({', '.join(parts)})"
        # Placeholders and get_attr have no arguments except in broken graphs; show them, not hide.
        extra = f"({', '.join(parts)})" if parts else ""
        return f"%{self.name} = {self.op}[{_display_target(self.target)}]{extra}"

    def __repr__(self) -> str:
        return f"%{self.name}"


# --------------------------------------------------------------------------------------------------
# Graph
# --------------------------------------------------------------------------------------------------


class _NodeView:
    """A live, ordered view of a graph's nodes: iterable (both ways), sized, supports ``in``.

    Iterating while erasing the current node is fine; erased nodes are skipped.
    """

    __slots__ = ("_graph",)

    def __init__(self, graph: Graph) -> None:
        self._graph = graph

    def __iter__(self) -> Iterator[Node]:
        root = self._graph._root
        node = root._next
        while node is not root:
            if not node._erased:
                yield node
            node = node._next

    def __reversed__(self) -> Iterator[Node]:
        root = self._graph._root
        node = root._prev
        while node is not root:
            if not node._erased:
                yield node
            node = node._prev

    def __len__(self) -> int:
        return self._graph._len

    def __contains__(self, item: object) -> bool:
        return (
            isinstance(item, Node) and item.graph is self._graph and not item._erased and item is not self._graph._root
        )

    def __repr__(self) -> str:
        return f"<{len(self)} nodes: {', '.join(map(repr, self))}>"


class Graph:
    """An ordered list of :class:`Node` objects in topological order: inputs, operations, output.

    Every node is created through :meth:`create_node` (the helpers :meth:`placeholder`,
    :meth:`call_function`, :meth:`get_attr` and :meth:`output` call it). New nodes go at the end —
    but before the output node, if there is one — unless :meth:`inserting_before` or
    :meth:`inserting_after` says otherwise.

    ``print(graph)`` shows one line per node: ``%name = op[target]`` for placeholders and
    get_attr, ``%name = qualified.target(args, kw=value)`` for calls, ``return value`` for the
    output; nodes print as ``%name`` and literals with ``repr`` (huge ints in hex). The header
    lists the placeholders' names.

    Examples:
        >>> g = Graph()
        >>> n = g.placeholder("n")
        >>> m = g.placeholder("m")
        >>> add = g.call_function(operator.add, (n, 1))
        >>> lt = g.call_function(operator.lt, (add, m))
        >>> out = g.output((add, lt))
        >>> print(g)
        graph(n, m):
            %n = placeholder[n]
            %m = placeholder[m]
            %add = operator.add(%n, 1)
            %lt = operator.lt(%add, %m)
            return (%add, %lt)
        >>> list(n.users)
        [%add]
        >>> GraphModule(g)(3, 5)
        (4, True)
        >>> print(g.python_code())
        def forward(n, m):
            add = operator_add(n, 1)
            lt = operator_lt(add, m)
            return (add, lt)
        <BLANKLINE>
    """

    def __init__(self) -> None:
        """An empty graph."""
        self._root = Node(self, "", "root", "root", (), {})  # sentinel of the circular list
        self._len = 0
        self._namespace = _Namespace()
        self._anchor: Node = self._root  # insertion point
        self._after = False  # insert after the anchor (and advance it) rather than before it

    # -- building ------------------------------------------------------------------------------

    @property
    def nodes(self) -> _NodeView:
        """The nodes in order, as a live view."""
        return _NodeView(self)

    def create_node(
        self,
        op: str,
        target: Target,
        args: tuple[Argument, ...] = (),
        kwargs: Mapping[str, Argument] | None = None,
        name: str | None = None,
    ) -> Node:
        """Create a node at the current insertion point; every node is made here.

        Args:
            op: One of :data:`OPS`.
            target: A callable for ``call_function``, a str otherwise (see :class:`Node`).
            args: Positional arguments; may nest nodes of this graph and literals.
            kwargs: Keyword arguments (ASCII identifier keys).
            name: Candidate name; defaults to the target's short name. It goes through the
                namespace, so the final name may be sanitised or suffixed.

        Returns:
            The new node.

        Raises:
            GraphError: Unknown op, wrong target type, bad arguments, or a second output node.
        """
        return self._create(op, target, args, {} if kwargs is None else kwargs, name, exact=False)

    def _create(
        self,
        op: str,
        target: Target,
        args: tuple[Argument, ...],
        kwargs: Mapping[str, Argument],
        name: str | None,
        *,
        exact: bool,
    ) -> Node:
        if op not in OPS:
            raise GraphError(f"unknown op {_short(op)}; expected one of {', '.join(OPS)}")
        _check_target(op, target)
        if name is not None and not isinstance(name, str):
            raise GraphError(f"node name must be a str, got {type(name).__qualname__}")
        if op == "output" and self._root._prev.op == "output":
            # An output node is always kept last, so checking the last node is enough.
            raise GraphError("the graph already has an output node")
        if self._anchor._erased:
            raise GraphError(f"the insertion point {self._anchor!r} was erased")
        node = Node(self, "", op, target, args, kwargs)  # validates before touching anything
        try:
            if op != "call_function":
                _check_op_shape(op, node.args, node.kwargs)
            if exact:
                assert name is not None
                self._namespace.reserve(name)
                node.name = name
            else:
                node.name = self._namespace.create_name(_default_candidate(op, target) if name is None else name)
        except GraphError:
            node._update((), {})  # give back the users entries the constructor made
            raise
        if exact:
            self._link_before(node, self._root)
        elif self._after:
            self._link_before(node, self._anchor._next)
            self._anchor = node
        elif self._anchor is self._root and self._root._prev.op == "output" and op != "output":
            self._link_before(node, self._root._prev)
        else:
            self._link_before(node, self._anchor)
        return node

    def _link_before(self, node: Node, ref: Node) -> None:
        prev = ref._prev
        node._prev, node._next = prev, ref
        prev._next = node
        ref._prev = node
        self._len += 1

    def placeholder(self, name: str) -> Node:
        """An input named ``name`` (its node name is the sanitised ``name``)."""
        return self.create_node("placeholder", name, name=name)

    def call_function(
        self,
        target: Callable[..., Any],
        args: tuple[Argument, ...] = (),
        kwargs: Mapping[str, Argument] | None = None,
        name: str | None = None,
    ) -> Node:
        """A call ``target(*args, **kwargs)``; the default name is the target's short name."""
        return self.create_node("call_function", target, args, kwargs, name)

    def get_attr(self, name: str) -> Node:
        """The constant ``attrs[name]`` of whoever runs the graph."""
        return self.create_node("get_attr", name, name=name)

    def output(self, result: Argument) -> Node:
        """The graph's return value (a node, literal, or nested tuple/list/dict of them)."""
        return self.create_node("output", "output", (result,), name="output")

    def _check_own(self, node: Node) -> None:
        if not isinstance(node, Node) or node.graph is not self or node._erased or node is self._root:
            raise GraphError(f"{_short(node)} is not a node of this graph")

    @contextlib.contextmanager
    def inserting_before(self, node: Node) -> Iterator[None]:
        """Within the ``with`` block, create nodes immediately before ``node`` (in creation order).

        Examples:
            >>> g = Graph()
            >>> x = g.placeholder("x")
            >>> out = g.output(x)
            >>> with g.inserting_before(out):
            ...     y = g.call_function(operator.neg, (x,))
            >>> out.args = (y,)
            >>> [n.name for n in g.nodes]
            ['x', 'neg', 'output']
        """
        self._check_own(node)
        saved = self._anchor, self._after
        self._anchor, self._after = node, False
        try:
            yield
        finally:
            self._anchor, self._after = saved

    @contextlib.contextmanager
    def inserting_after(self, node: Node) -> Iterator[None]:
        """Within the ``with`` block, create nodes after ``node``; each new one goes after the last.

        Unlike torch.fx (where each new node lands right after ``node``, reversing their order),
        nodes created in the block appear in the order they were created.
        """
        self._check_own(node)
        saved = self._anchor, self._after
        self._anchor, self._after = node, True
        try:
            yield
        finally:
            self._anchor, self._after = saved

    def erase_node(self, node: Node) -> None:
        """Remove an unused node from the graph.

        Raises:
            GraphError: ``node`` still has users, or is not a live node of this graph.
        """
        self._check_own(node)
        if node.users:
            raise GraphError(f"cannot erase {node!r}: it is still used by {', '.join(map(repr, node.users))}")
        node._update((), {})
        # The erased node keeps its own links so that an iterator standing on it can move on.
        node._prev._next = node._next
        node._next._prev = node._prev
        node._erased = True
        self._len -= 1
        if self._anchor is node and not self._after:
            self._anchor = node._next

    def find_nodes(self, *, op: str | None = None, target: Target | None = None) -> list[Node]:
        """The nodes with the given ``op`` and/or ``target``, in graph order."""
        return [
            n
            for n in self.nodes
            if (op is None or n.op == op) and (target is None or n.target is target or _same(n.target, target))
        ]

    # -- checking and simplifying --------------------------------------------------------------

    def lint(self) -> None:
        """Check every invariant of the graph.

        Raises:
            GraphError: naming the first problem found: a broken node list, an unknown op, a wrong
                target type, an unsafe or duplicate name, bad args/kwargs (unsupported literal,
                too deep, malformed for the op), a use of a node not in this graph or defined
                later, ``users`` out of sync, or more than one output / an output that is not last.
        """
        root = self._root
        nodes: list[Node] = []
        prev, node = root, root._next
        while node is not root:
            if node._prev is not prev:
                raise GraphError(f"node list is corrupt around {node!r}")
            if node._erased:
                raise GraphError(f"erased node {node!r} is still linked into the graph")
            if len(nodes) > self._len:
                raise GraphError("node list is longer than recorded (cycle in the links?)")
            nodes.append(node)
            prev, node = node, node._next
        if root._prev is not prev or len(nodes) != self._len:
            raise GraphError("node list is corrupt at its end")
        members = set(nodes)
        names: set[str] = set()
        defined: set[Node] = set()
        inputs_of: dict[Node, dict[Node, None]] = {}
        outputs: list[Node] = []
        for node in nodes:
            if node.graph is not self:
                raise GraphError(f"{node!r} belongs to another graph")
            if not self._namespace.is_safe(node.name):
                raise GraphError(f"node name {_short(node.name)} is not a safe identifier")
            if node.name in names:
                raise GraphError(f"duplicate node name {node.name!r}")
            names.add(node.name)
            if node.op not in OPS:
                raise GraphError(f"{node!r}: unknown op {_short(node.op)}; expected one of {', '.join(OPS)}")
            if node.op == "output":
                outputs.append(node)
            try:
                _check_target(node.op, node.target)
                if type(node._args) is not tuple or type(node._kwargs) is not dict:
                    raise GraphError("args must be a tuple and kwargs a dict")
                _check_op_shape(node.op, node._args, node._kwargs)
                for key in node._kwargs:
                    _check_kwarg_name(key)
                used: dict[Node, None] = {}

                def visit(arg: Node, node: Node = node, used: dict[Node, None] = used) -> Node:
                    if arg not in members:
                        raise GraphError(f"uses {arg!r}, which is not in this graph")
                    if arg not in defined:
                        raise GraphError(
                            f"uses {arg!r}, which is defined after it (nodes must be in topological order)"
                        )
                    used[arg] = None
                    return arg

                _map_arg(node._args, visit)
                _map_arg(node._kwargs, visit)
            except GraphError as e:
                raise GraphError(f"{node!r}: {e}") from None
            inputs_of[node] = used
            defined.add(node)
        for node in nodes:
            for arg in inputs_of[node]:
                if node not in arg.users:
                    raise GraphError(f"users out of sync: {node!r} uses {arg!r} but is missing from {arg!r}.users")
            for user in node.users:
                if user not in members or node not in inputs_of[user]:
                    raise GraphError(f"users out of sync: {node!r}.users lists {user!r}, which does not use it")
        if len(outputs) > 1:
            raise GraphError(f"more than one output node: {', '.join(map(repr, outputs))}")
        if outputs and nodes[-1] is not outputs[0]:
            raise GraphError(f"output node {outputs[0]!r} is not the last node")

    def eliminate_dead_code(self) -> bool:
        """Erase ``call_function`` and ``get_attr`` nodes whose results are unused.

        Walks the graph backwards, so a chain of dead nodes goes in one pass. Calls are assumed
        pure (all registered targets are). Placeholders and the output are always kept.

        Returns:
            Whether any node was erased.
        """
        changed = False
        for node in list(reversed(self.nodes)):
            if node.op in ("call_function", "get_attr") and not node.users:
                self.erase_node(node)
                changed = True
        return changed

    # -- printing ------------------------------------------------------------------------------

    def __str__(self) -> str:
        params = ", ".join(n.name for n in self.nodes if n.op == "placeholder")
        return "\n".join([f"graph({params}):"] + [f"    {n.format_node()}" for n in self.nodes])

    def __repr__(self) -> str:
        return f"<symcore.graph.Graph with {len(self.nodes)} nodes>"

    # -- code generation -----------------------------------------------------------------------

    def python_code(self, fn_name: str = "forward") -> str:
        """The source of a Python function computing this graph.

        One statement per ``call_function``/``get_attr`` node. Callables are reached through
        global names that :class:`GraphModule` binds (``operator.add`` as ``operator_add``),
        never through imports; ``get_attr`` reads through a bound ``fetch_attr``; ``inf``/``nan``
        literals are written ``float('inf')`` with a bound ``float``. Names come from the
        namespace and literals are checked, so no node name or string can inject code.

        Args:
            fn_name: The function's name (an ASCII identifier, not a keyword or dunder).

        Raises:
            GraphError: the graph fails :meth:`lint`.
            UnregisteredTargetError: a call target is not registered.
            ValueError: ``fn_name`` is not acceptable.
        """
        return self._codegen(fn_name)[0]

    def _codegen(self, fn_name: str) -> tuple[str, dict[str, Callable[..., Any]], str | None]:
        """Source, the globals it needs (name to callable), and the name it uses for ``fetch_attr``."""
        _check_fn_name(fn_name)
        self.lint()
        names = _Namespace(reserved=_GLOBAL_RESERVED)
        for node in self.nodes:
            names.mark_used(node.name)
        names.mark_used(fn_name)
        bound: dict[str, Callable[..., Any]] = {}
        bound_by_id: dict[int, str] = {}
        float_name: list[str] = []
        fetch_name: str | None = None

        def bind_target(fn: Callable[..., Any]) -> str:
            name = bound_by_id.get(id(fn))
            if name is None:
                name = names.create_name(target_name(fn).replace(".", "_"))
                bound[name] = fn
                bound_by_id[id(fn)] = name
            return name

        def float_literal(text: str) -> str:
            if not float_name:
                float_name.append(names.create_name("float"))
                bound[float_name[0]] = float
            return f"{float_name[0]}({text!r})"

        def emit(arg: object, depth: int = 0) -> str:
            if depth > MAX_DEPTH:
                raise GraphError(f"arguments nest deeper than {MAX_DEPTH} levels")
            if isinstance(arg, Node):
                return arg.name
            kind = type(arg)
            if arg is None or kind is bool or kind is str:
                return repr(arg)
            if kind is int:
                return hex(arg) if _is_big_int(arg) else repr(arg)  # type: ignore[arg-type]
            if kind is float:
                if math.isnan(arg):  # type: ignore[arg-type]
                    return float_literal("nan")
                if math.isinf(arg):  # type: ignore[arg-type]
                    return float_literal("inf" if arg > 0 else "-inf")  # type: ignore[operator]
                return repr(arg)
            if kind is tuple:
                items = [emit(a, depth + 1) for a in arg]  # type: ignore[attr-defined]
                return f"({items[0]},)" if len(items) == 1 else f"({', '.join(items)})"
            if kind is list:
                return f"[{', '.join(emit(a, depth + 1) for a in arg)}]"  # type: ignore[attr-defined]
            if kind is dict:
                pairs = (f"{emit(_check_key(k), depth + 1)}: {emit(v, depth + 1)}" for k, v in arg.items())  # type: ignore[attr-defined]
                return "{" + ", ".join(pairs) + "}"
            raise GraphError(f"cannot generate code for a literal of type {kind.__qualname__}")

        params: list[str] = []
        body: list[str] = []
        result = "None"
        for node in self.nodes:
            if node.op == "placeholder":
                params.append(node.name)
            elif node.op == "get_attr":
                if fetch_name is None:
                    fetch_name = names.create_name("fetch_attr")
                body.append(f"{node.name} = {fetch_name}({emit(node.target)})")
            elif node.op == "call_function":
                assert callable(node.target)
                parts = [emit(a) for a in node.args] + [f"{k}={emit(v)}" for k, v in node.kwargs.items()]
                body.append(f"{node.name} = {bind_target(node.target)}({', '.join(parts)})")
            else:
                result = emit(node.args[0])
        body.append(f"return {result}")
        source = f"def {fn_name}({', '.join(params)}):\n" + "".join(f"    {line}\n" for line in body)
        return source, bound, fetch_name

    # -- serialisation -------------------------------------------------------------------------

    def to_json(self) -> str:
        """This graph as a versioned JSON document that :meth:`from_json` reads back.

        Layout: ``{"format": "symcore.graph", "version": 1, "nodes": [node, ...]}`` where a node
        is ``{"name", "op", "target", "args": [...], "kwargs": {...}, "meta": {...}}`` and a
        call's ``target`` is its registered qualified name. Values are tagged where JSON is
        ambiguous: ``{"node": name}``, ``{"tuple": [...]}``, ``{"list": [...]}``,
        ``{"dict": [[key, value], ...]}``, ``{"float": "inf" | "-inf" | "nan"}`` and
        ``{"int": "0x..."}`` for ints wider than 10,000 bits; other ints, finite floats (``1.0``
        stays a float, ``-0.0`` keeps its sign), bools, ``null`` and strings are plain JSON.

        ``meta`` entries are process-local (SymInts, tensors, ...) and are written only when the
        key is a str and the value is plain JSON data: ``None``, bool, int, finite float, str, and
        lists / str-keyed dicts of those (tuples are not plain data and are dropped). Everything
        else in ``meta`` is silently left out.

        Raises:
            GraphError: the graph fails :meth:`lint`.
            UnregisteredTargetError: a call target is not registered.
        """
        self.lint()
        nodes = []
        for node in self.nodes:
            nodes.append(
                {
                    "name": node.name,
                    "op": node.op,
                    "target": target_name(node.target) if node.op == "call_function" else node.target,  # type: ignore[arg-type]
                    "args": [_encode(a) for a in node.args],
                    "kwargs": {k: _encode(v) for k, v in node.kwargs.items()},
                    "meta": {k: v for k, v in node.meta.items() if type(k) is str and _is_plain_json(v)},
                }
            )
        return json.dumps({"format": JSON_FORMAT, "version": JSON_VERSION, "nodes": nodes}, allow_nan=False)

    @classmethod
    def from_json(cls, text: str) -> Graph:
        """Rebuild a graph from :meth:`to_json` output, validating everything and executing nothing.

        Checked: size (:data:`MAX_JSON_CHARS`), JSON syntax (duplicate keys and bare
        ``NaN``/``Infinity`` rejected), the format tag and version, the type of every field,
        unknown keys, ops, tags and targets (looked up in the registry only; nothing is
        imported), references to unknown or later nodes (so no cycles), nesting deeper than
        :data:`MAX_DEPTH`, and finally :meth:`lint`.

        Names are taken verbatim and must already be safe: a document naming a node
        ``"a; import os"`` (or ``"class"``, or a duplicate) is rejected rather than renamed, because
        :meth:`to_json` never writes such names and renaming would silently change the graph.

        Raises:
            GraphError: with a message naming the offending node and field.
        """
        if not isinstance(text, str):
            raise GraphError(f"a graph document must be a str, got {type(text).__qualname__}")
        if len(text) > MAX_JSON_CHARS:
            raise GraphError(f"graph document is {len(text)} characters; the limit is {MAX_JSON_CHARS}")
        try:
            doc = json.loads(text, object_pairs_hook=_json_object, parse_constant=_json_constant)
        except GraphError:
            raise
        except RecursionError:
            raise GraphError("graph document nests too deeply to parse") from None
        except ValueError as e:
            raise GraphError(f"graph document is not valid JSON: {e}") from None
        return _decode_graph(doc)

    # -- drawing -------------------------------------------------------------------------------

    def to_dot(self, name: str = "graph") -> str:
        """Graphviz DOT source: one box per node labelled with its name and what it does.

        Edges go from each input to the node that uses it. Every id and label is a quoted,
        escaped DOT string, so hostile targets cannot break out of the drawing.
        """
        lines = [f"digraph {_dot_quote(name)} {{", "    node [shape=box];"]
        for node in self.nodes:
            if node.op == "call_function":
                what = _display_target(node.target)
            elif node.op == "output":
                what = "output"
            else:
                what = f"{node.op}: {node.target}"
            lines.append(f"    {_dot_quote(node.name)} [label={_dot_quote(node.name + chr(10) + what)}];")
        for node in self.nodes:
            for arg in node.all_input_nodes:
                lines.append(f"    {_dot_quote(arg.name)} -> {_dot_quote(node.name)};")
        lines.append("}")
        return "\n".join(lines) + "\n"


def _same(a: object, b: object) -> bool:
    try:
        return bool(a == b)
    except Exception:  # a target with a strange __eq__ is simply not equal
        return False


def _default_candidate(op: str, target: object) -> str:
    if op == "call_function":
        cached = _CANDIDATES.get(id(target))
        if cached is not None and cached[0] is target:
            return cached[1]
        candidate = _default_call_candidate(target)
        if len(_CANDIDATES) < 4096:
            _CANDIDATES[id(target)] = (target, candidate)
        return candidate
    return target if isinstance(target, str) else op


def _default_call_candidate(target: object) -> str:
    name = _TARGET_NAMES.get(id(target))
    if name is not None and _TARGETS.get(name) is target:
        return name.rsplit(".", 1)[-1]
    short = getattr(target, "__name__", None)
    return short if isinstance(short, str) else type(target).__name__


def _dot_quote(text: str) -> str:
    out = ['"']
    for ch in str(text):
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        elif ord(ch) < 32 or ord(ch) == 127:
            out.append(f"\\\\x{ord(ch):02x}")  # shown literally as \xNN
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


# --------------------------------------------------------------------------------------------------
# JSON encoding and decoding
# --------------------------------------------------------------------------------------------------


def _encode(arg: object, depth: int = 0) -> Any:
    if depth > MAX_DEPTH:
        raise GraphError(f"arguments nest deeper than {MAX_DEPTH} levels")
    if isinstance(arg, Node):
        return {"node": arg.name}
    kind = type(arg)
    if arg is None or kind is bool or kind is str:
        return arg
    if kind is int:
        return {"int": hex(arg)} if _is_big_int(arg) else arg  # type: ignore[arg-type]
    if kind is float:
        if math.isnan(arg):  # type: ignore[arg-type]
            return {"float": "nan"}
        if math.isinf(arg):  # type: ignore[arg-type]
            return {"float": "inf" if arg > 0 else "-inf"}  # type: ignore[operator]
        return arg
    if kind is tuple:
        return {"tuple": [_encode(a, depth + 1) for a in arg]}  # type: ignore[attr-defined]
    if kind is list:
        return {"list": [_encode(a, depth + 1) for a in arg]}  # type: ignore[attr-defined]
    if kind is dict:
        return {"dict": [[_encode(_check_key(k), depth + 1), _encode(v, depth + 1)] for k, v in arg.items()]}  # type: ignore[attr-defined]
    raise GraphError(f"cannot serialise a literal of type {kind.__qualname__}")


def _is_plain_json(value: object, depth: int = 0) -> bool:
    if depth > MAX_DEPTH:
        return False
    kind = type(value)
    if value is None or kind is bool or kind is str:
        return True
    if kind is int:
        return not _is_big_int(value)  # type: ignore[arg-type]
    if kind is float:
        return math.isfinite(value)  # type: ignore[arg-type]
    if kind is list:
        return all(_is_plain_json(v, depth + 1) for v in value)  # type: ignore[attr-defined]
    if kind is dict:
        return all(type(k) is str and _is_plain_json(v, depth + 1) for k, v in value.items())  # type: ignore[attr-defined]
    return False


def _json_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise GraphError(f"duplicate JSON key {_short(key)}")
        result[key] = value
    return result


def _json_constant(name: str) -> Any:
    raise GraphError(f'bare {name} is not allowed; write non-finite floats as {{"float": "inf"}}')


_HEX_INT_RE: Final = re.compile(r"-?0x[0-9a-f]+")


def _fields(obj: object, where: str, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> dict[str, Any]:
    if type(obj) is not dict:
        raise GraphError(f"{where}: expected a JSON object, got {_json_type(obj)}")
    missing = [k for k in required if k not in obj]
    if missing:
        raise GraphError(f"{where}: missing field {missing[0]!r}")
    unknown = [k for k in obj if k not in required and k not in optional]
    if unknown:
        raise GraphError(f"{where}: unknown field {_short(unknown[0])}")
    return obj


def _json_type(value: object) -> str:
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean", int: "an integer"}.get(
        type(value), "a number" if type(value) is float else "null"
    )


def _decode_value(value: object, by_name: Mapping[str, Node], where: str, depth: int, *, key: bool = False) -> Any:
    if depth > MAX_DEPTH:
        raise GraphError(f"{where}: values nest deeper than {MAX_DEPTH} levels")
    kind = type(value)
    if value is None or kind is bool or kind is str or kind is int:
        return value
    if kind is float:
        if not math.isfinite(value):  # type: ignore[arg-type]
            raise GraphError(f'{where}: plain JSON numbers must be finite; tag inf/nan as {{"float": ...}}')
        return value
    if kind is list:
        raise GraphError(f'{where}: bare arrays are ambiguous; tag them as {{"list": ...}} or {{"tuple": ...}}')
    assert kind is dict
    if len(value) != 1:  # type: ignore[arg-type]
        raise GraphError(f"{where}: a tagged value has exactly one key, got {len(value)}")  # type: ignore[arg-type]
    ((tag, payload),) = value.items()  # type: ignore[attr-defined]
    if tag == "float":
        if payload not in ("inf", "-inf", "nan") or type(payload) is not str:
            raise GraphError(f'{where}: a tagged float is "inf", "-inf" or "nan", got {_short(payload)}')
        return float(payload)
    if tag == "int":
        if type(payload) is not str or not _HEX_INT_RE.fullmatch(payload):
            raise GraphError(f'{where}: a tagged int is a lowercase hex string like "0x1f", got {_short(payload)}')
        return int(payload, 16)
    if key:
        raise GraphError(f"{where}: dict keys must be literals, got a {_short(tag)} value")
    if tag == "node":
        if type(payload) is not str:
            raise GraphError(f"{where}: a node reference is a name string, got {_json_type(payload)}")
        node = by_name.get(payload)
        if node is None:
            raise GraphError(f"{where}: refers to unknown or later node {_short(payload)}")
        return node
    if tag in ("tuple", "list", "dict") and type(payload) is not list:
        raise GraphError(f"{where}: a tagged {tag} holds an array, got {_json_type(payload)}")
    if tag == "tuple":
        return tuple(_decode_value(v, by_name, f"{where}[{i}]", depth + 1) for i, v in enumerate(payload))
    if tag == "list":
        return [_decode_value(v, by_name, f"{where}[{i}]", depth + 1) for i, v in enumerate(payload)]
    if tag == "dict":
        result: dict[Any, Any] = {}
        for i, pair in enumerate(payload):
            if type(pair) is not list or len(pair) != 2:
                raise GraphError(f"{where}[{i}]: a dict entry is a [key, value] array")
            k = _decode_value(pair[0], by_name, f"{where}[{i}] key", depth + 1, key=True)
            if k in result:
                raise GraphError(f"{where}[{i}]: duplicate dict key {_short(k)}")
            result[k] = _decode_value(pair[1], by_name, f"{where}[{i}]", depth + 1)
        return result
    raise GraphError(f"{where}: unknown value tag {_short(tag)}")


def _decode_graph(doc: object) -> Graph:
    doc = _fields(doc, "document", ("format", "version", "nodes"))
    if doc["format"] != JSON_FORMAT or type(doc["format"]) is not str:
        raise GraphError(f"document: format must be {JSON_FORMAT!r}, got {_short(doc['format'])}")
    if type(doc["version"]) is not int or doc["version"] != JSON_VERSION:
        raise GraphError(
            f"document: unsupported version {_short(doc['version'])}; this symcore reads version {JSON_VERSION}"
        )
    if type(doc["nodes"]) is not list:
        raise GraphError(f"document: nodes must be an array, got {_json_type(doc['nodes'])}")
    graph = Graph()
    by_name: dict[str, Node] = {}
    for i, item in enumerate(doc["nodes"]):
        where = f"nodes[{i}]"
        item = _fields(item, where, ("name", "op", "target", "args", "kwargs"), ("meta",))
        name, op, target = item["name"], item["op"], item["target"]
        if type(name) is not str:
            raise GraphError(f"{where}: name must be a string, got {_json_type(name)}")
        if not graph._namespace.is_safe(name):
            raise GraphError(
                f"{where}: name {_short(name)} is not a safe identifier "
                "(ASCII letters, digits and _, not a keyword or builtin); names are never rewritten"
            )
        if name in by_name:
            raise GraphError(f"{where}: duplicate node name {name!r}")
        where = f"nodes[{i}] ({name})"
        if type(op) is not str or op not in OPS:
            raise GraphError(f"{where}: unknown op {_short(op)}; expected one of {', '.join(OPS)}")
        if type(target) is not str:
            raise GraphError(f"{where}: target must be a string, got {_json_type(target)}")
        resolved: Target = target
        if op == "call_function":
            try:
                resolved = lookup_target(target)
            except UnregisteredTargetError as e:
                raise GraphError(f"{where}: {e}") from None
        if type(item["args"]) is not list:
            raise GraphError(f"{where}: args must be an array, got {_json_type(item['args'])}")
        if type(item["kwargs"]) is not dict:
            raise GraphError(f"{where}: kwargs must be an object, got {_json_type(item['kwargs'])}")
        args = tuple(_decode_value(a, by_name, f"{where} args[{j}]", 1) for j, a in enumerate(item["args"]))
        kwargs = {}
        for key, v in item["kwargs"].items():
            try:
                _check_kwarg_name(key)
            except GraphError as e:
                raise GraphError(f"{where}: {e}") from None
            kwargs[key] = _decode_value(v, by_name, f"{where} kwargs[{key!r}]", 1)
        meta = item.get("meta", {})
        if type(meta) is not dict or not _is_plain_json(meta):
            raise GraphError(f"{where}: meta must be an object of plain JSON data nested at most {MAX_DEPTH} levels")
        try:
            node = graph._create(op, resolved, args, kwargs, name, exact=True)
        except GraphError as e:
            raise GraphError(f"{where}: {e}") from None
        node.meta.update(meta)
        by_name[name] = node
    graph.lint()
    return graph


# --------------------------------------------------------------------------------------------------
# Running graphs
# --------------------------------------------------------------------------------------------------


def _fetch_attr(attrs: Mapping[str, Any], target: str) -> Any:
    try:
        return attrs[target]
    except KeyError:
        raise KeyError(f"get_attr target {target!r} is not in the attrs mapping") from None


_module_ids = itertools.count()


class GraphModule:
    """A graph compiled to a Python function.

    The graph is linted, turned into source by :meth:`Graph.python_code`, compiled, and executed
    in a fresh globals dict holding only the targets it calls (under the names the code uses),
    ``fetch_attr`` and ``float`` if needed, and an empty ``__builtins__``. Calling the module
    calls that function. After changing the graph, call :meth:`recompile`.

    Attributes:
        graph: The graph.
        name: The generated function's name.
        attrs: The constants ``get_attr`` nodes read, by target.
        code: The generated source (``print(gm.code)``).
    """

    def __init__(self, graph: Graph, name: str = "forward", attrs: Mapping[str, Any] | None = None) -> None:
        """Compile ``graph``.

        Raises:
            GraphError: the graph fails :meth:`Graph.lint`.
            UnregisteredTargetError: a call target is not registered.
            ValueError: ``name`` is not an acceptable function name.
        """
        self.graph = graph
        self.name = name
        self.attrs: dict[str, Any] = dict(attrs) if attrs is not None else {}
        self.code = ""
        self._fn: Callable[..., Any] = _unreachable
        self.recompile()

    def recompile(self) -> None:
        """Regenerate and recompile the code from the graph's current state."""
        source, bound, fetch_name = self.graph._codegen(self.name)
        namespace: dict[str, Any] = {"__builtins__": {}}
        namespace.update(bound)
        if fetch_name is not None:
            attrs = self.attrs

            def fetch_attr(target: str) -> Any:
                return _fetch_attr(attrs, target)

            namespace[fetch_name] = fetch_attr
        code = compile(source, f"<symcore.graph {self.name} #{next(_module_ids)}>", "exec", dont_inherit=True)
        exec(code, namespace)
        self.code = source
        self._fn = namespace[self.name]

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Run the generated function."""
        return self._fn(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<symcore.graph.GraphModule {self.name}>\n{self.code}"


def _unreachable(*args: Any, **kwargs: Any) -> Any:
    raise RuntimeError("GraphModule was not compiled")


class Interpreter:
    """Runs a graph node by node, one method per op; subclass and override to change behaviour.

    The call tree::

        run(*args)                                  lint, bind inputs, loop over the nodes
         └─ run_node(node)                          read args/kwargs values from env, dispatch on op
             ├─ placeholder(target, args, kwargs)   -> the next positional input
             ├─ get_attr(target, args, kwargs)      -> attrs[target]
             ├─ call_function(target, args, kwargs) -> target(*args, **kwargs)
             └─ output(target, args, kwargs)        -> args[0], which run() returns

    ``env`` maps each node already run to its value.

    Examples:
        >>> g = Graph()
        >>> x = g.placeholder("x")
        >>> w = g.get_attr("w")
        >>> out = g.output(g.call_function(operator.mul, (x, w)))
        >>> Interpreter(g, attrs={"w": 3}).run(5)
        15
    """

    def __init__(self, graph: Graph, attrs: Mapping[str, Any] | None = None) -> None:
        """Prepare to run ``graph``; ``attrs`` supplies the values of ``get_attr`` nodes."""
        self.graph = graph
        self.attrs: Mapping[str, Any] = attrs if attrs is not None else {}
        self.env: dict[Node, Any] = {}
        self._inputs: Iterator[Any] = iter(())

    def run(self, *args: Any) -> Any:
        """Evaluate the graph on positional ``args``; returns the output's value (``None`` if none).

        Raises:
            TypeError: wrong number of arguments.
            GraphError: the graph fails :meth:`Graph.lint`.
        """
        self.graph.lint()
        expected = len(self.graph.find_nodes(op="placeholder"))
        if len(args) != expected:
            raise TypeError(f"graph takes {expected} positional arguments but {len(args)} were given")
        self.env = {}
        self._inputs = iter(args)
        result: Any = None
        for node in self.graph.nodes:
            value = self.run_node(node)
            self.env[node] = value
            if node.op == "output":
                result = value
        return result

    def run_node(self, node: Node) -> Any:
        """Evaluate one node: substitute values for the nodes in its arguments, then dispatch."""

        def value_of(arg: Node) -> Any:
            return self.env[arg]

        args = _map_arg(node.args, value_of)
        kwargs = {k: _map_arg(v, value_of) for k, v in node.kwargs.items()}
        if node.op == "placeholder":
            return self.placeholder(node.target, args, kwargs)
        if node.op == "get_attr":
            return self.get_attr(node.target, args, kwargs)
        if node.op == "call_function":
            return self.call_function(node.target, args, kwargs)
        return self.output(node.target, args, kwargs)

    def placeholder(self, target: Target, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        """The next positional input."""
        return next(self._inputs)

    def get_attr(self, target: Target, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        """``attrs[target]``."""
        assert isinstance(target, str)
        return _fetch_attr(self.attrs, target)

    def call_function(self, target: Target, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        """``target(*args, **kwargs)``."""
        assert callable(target)
        return target(*args, **kwargs)

    def output(self, target: Target, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        """The graph's result, ``args[0]``."""
        return args[0]
