"""``symcore.trace``: trace a function of tensors into a graph of tensor ops and shape arithmetic.

Who uses it: model analysts and compiler authors. Inputs are FakeTensors or shape specs (tuples
of ints) with the dims chosen by ``dynamic`` made symbolic; each tensor op the function runs
becomes one ``call_function`` node whose target is the public op (``symcore.ops.matmul``,
``symcore.nn.functional.linear``, ...); sizes the function reads become ``sym_size`` /
``sym_stride`` / ``sym_numel`` nodes and the SymInt arithmetic on them is recorded by the proxy
tracer. While an op's shape rule runs, recording is suspended, so a rule's internal arithmetic
never reaches the graph. The result runs on shapes:

    >>> import symcore
    >>> from symcore.tensor import trace
    >>> def f(x, w):
    ...     y = x @ w
    ...     return y.view(x.shape[0] * x.shape[1], -1).relu()
    >>> gm = trace(f, (2, 5, 8), (8, 3), dynamic={"x": {0: "b", 1: "t"}})
    >>> print(gm.graph)
    graph(x, w):
        %x = placeholder[x]
        %w = placeholder[w]
        %sym_size = symcore.ops.sym_size(%x, 0)
        %sym_size_1 = symcore.ops.sym_size(%x, 1)
        %matmul = symcore.ops.matmul(%x, %w)
        %mul = operator.mul(%sym_size, %sym_size_1)
        %view = symcore.ops.view(%matmul, %mul, -1)
        %relu = symcore.ops.relu(%view)
        return %relu
    >>> gm((4, 7, 8), (8, 3)).shape
    symcore.Size([28, 3])
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from symcore._core import SymBool, SymFloat, SymInt
from symcore.graph import Argument, Graph, GraphModule, Interpreter, Node, register_target
from symcore.proxy import ProxySymDispatchMode, SymbolicTracer, _parameter_names
from symcore.shape_env import ShapeEnv, _modes_suspended
from symcore.tensor import dtypes
from symcore.tensor._state import STATE
from symcore.tensor.fake import FakeTensor, IntLike, make, wrap_dim
from symcore.tensor.ops_index import use_shape_env

__all__ = ["GuardViolation", "TensorTracer", "TracedModule", "sym_numel", "sym_size", "sym_stride", "trace"]

_SYM = (SymInt, SymBool, SymFloat)


def sym_size(input: FakeTensor, dim: int) -> IntLike:
    """``input.size(dim)``: how graphs read a size."""
    out: IntLike = input._size[wrap_dim(dim, input.ndim, "sym_size")]
    return out


def sym_stride(input: FakeTensor, dim: int) -> IntLike:
    """``input.stride(dim)``: how graphs read a stride."""
    out: IntLike = input._strides()[wrap_dim(dim, input.ndim, "sym_stride")]
    return out


def sym_numel(input: FakeTensor) -> IntLike:
    """``input.numel()``: how graphs read an element count."""
    out: IntLike = 1
    for s in input._size:
        out = out * s
    return out


register_target("symcore.ops.sym_size", sym_size)
register_target("symcore.ops.sym_stride", sym_stride)
register_target("symcore.ops.sym_numel", sym_numel)


class GuardViolation(RuntimeError):
    """A traced module was called with sizes for which a guard (or a runtime assertion over the
    input sizes) recorded while tracing is false."""


class TensorTracer:
    """Records tensor ops into a graph; owns a :class:`~symcore.proxy.SymbolicTracer` for the SymInt
    arithmetic between them.

    Tensors are mapped to nodes by identity (the tracer keeps them alive while it lives); a tensor
    the trace did not create or receive (a module parameter) becomes a ``get_attr`` node whose
    value is in :attr:`attrs`.
    """

    def __init__(self, shape_env: ShapeEnv, param_names: Mapping[int, str] | None = None) -> None:
        self.shape_env = shape_env
        self.sym = SymbolicTracer()
        self.mode = ProxySymDispatchMode(self.sym)
        self.attrs: dict[str, FakeTensor] = {}
        self._tensors: dict[int, tuple[FakeTensor, Node]] = {}
        self._param_names = dict(param_names or {})

    @property
    def graph(self) -> Graph:
        """The graph recorded so far."""
        return self.sym.graph

    # -- inputs --------------------------------------------------------------------------------

    def add_tensor_input(self, name: str, t: FakeTensor, *, bind: bool = True) -> Node:
        """A placeholder for ``t``, with ``sym_size`` (and ``sym_stride``) nodes for its symbols
        (later, with :meth:`bind_input_dims`, when ``bind`` is False)."""
        node = self.graph.placeholder(name)
        self._tensors[id(t)] = (t, node)
        if bind:
            self._bind_dims(t, node)
        return node

    def bind_input_dims(self, t: FakeTensor) -> None:
        """``sym_size``/``sym_stride`` nodes for the symbols of the input ``t``."""
        self._bind_dims(t, self._tensors[id(t)][1])

    def _bind_dims(self, t: FakeTensor, node: Node) -> None:
        for i, v in enumerate(t._size):
            if type(v) is SymInt and not v.is_constant and self.sym.node_of(v) is None:
                self.sym.bind(v, self.graph.call_function(sym_size, (node, i)))
        if t._stride is not None:
            for i, v in enumerate(t._stride):
                if type(v) is SymInt and not v.is_constant and self.sym.node_of(v) is None:
                    self.sym.bind(v, self.graph.call_function(sym_stride, (node, i)))

    def add_value_input(self, name: str, value: Any) -> Node:
        """A placeholder for a non-tensor input (a symbolic value gets it as its node)."""
        node = self.graph.placeholder(name)
        if isinstance(value, _SYM) and not value.is_constant:
            self.sym.bind(value, node)
        return node

    # -- mapping values to graph arguments -----------------------------------------------------

    def tensor_node(self, t: FakeTensor) -> Node:
        """The node of ``t``; a tensor from outside the trace becomes a ``get_attr`` node."""
        entry = self._tensors.get(id(t))
        if entry is not None and entry[0] is t:
            return entry[1]
        name = self._param_names.get(id(t)) or f"_tensor_constant{len(self.attrs)}"
        while name in self.attrs:
            name = f"{name}_"
        self.attrs[name] = t
        node = self.graph.get_attr(name)
        self._tensors[id(t)] = (t, node)
        self._bind_dims(t, node)
        return node

    def arg(self, value: Any) -> Argument:
        """``value`` in the graph's argument language: tensors and symbolic values become nodes,
        dtypes their names, slices ``{"slice": (start, stop, step)}``, ``...`` the string ``"..."``."""
        if isinstance(value, FakeTensor):
            return self.tensor_node(value)
        if isinstance(value, _SYM):
            return self.sym.arg(value)
        if value is None or isinstance(value, (bool, int, float, str)):
            return value
        if isinstance(value, tuple):
            return tuple(self.arg(v) for v in value)
        if isinstance(value, list):
            return [self.arg(v) for v in value]
        if isinstance(value, dict):
            return {k: self.arg(v) for k, v in value.items()}
        if isinstance(value, dtypes.dtype):
            return value.name
        if isinstance(value, slice):
            return {"slice": (self.arg(value.start), self.arg(value.stop), self.arg(value.step))}
        if value is Ellipsis:
            return "..."
        raise TypeError(f"cannot record a {type(value).__name__} argument of a tensor op in a symcore graph: {value!r}")

    # -- ops -----------------------------------------------------------------------------------

    def call_op(
        self, op: Callable[..., Any], rule: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Any:
        """Runs ``rule`` with recording suspended, then records ``op(*args, **kwargs)`` as one node."""
        STATE.tracer = None
        try:
            with _modes_suspended():
                out = rule(*args, **kwargs)
        finally:
            STATE.tracer = self
        if isinstance(out, FakeTensor) and any(out is a for a in args) and not getattr(op, "inplace", False):
            return out  # the op returned its input (``x.contiguous()`` of a contiguous x)
        node = self.graph.call_function(
            op, tuple(self.arg(a) for a in args), {k: self.arg(v) for k, v in kwargs.items()}
        )
        if isinstance(out, FakeTensor):
            self._tensors[id(out)] = (out, node)
        elif isinstance(out, (tuple, list)):
            for i, item in enumerate(out):
                if isinstance(item, FakeTensor):
                    self._tensors[id(item)] = (item, self.graph.call_function(operator.getitem, (node, i)))
        return out

    # -- size reads ----------------------------------------------------------------------------

    def read_sizes(self, t: FakeTensor, dim: int | None) -> None:
        """User code read ``t``'s sizes: give their symbolic ones ``sym_size`` nodes."""
        dims = range(len(t._size)) if dim is None else (dim,)
        node: Node | None = None
        for i in dims:
            v = t._size[i]
            if type(v) is SymInt and not v.is_constant and self.sym.node_of(v) is None:
                node = node or self.tensor_node(t)
                self.sym.bind(v, self.graph.call_function(sym_size, (node, i)))

    def read_strides(self, t: FakeTensor, strides: Sequence[IntLike]) -> None:
        """User code read ``t``'s strides: give their symbolic ones ``sym_stride`` nodes."""
        node: Node | None = None
        for i, v in enumerate(strides):
            if type(v) is SymInt and not v.is_constant and self.sym.node_of(v) is None:
                node = node or self.tensor_node(t)
                self.sym.bind(v, self.graph.call_function(sym_stride, (node, i)))

    def read_numel(self, t: FakeTensor, n: IntLike) -> None:
        """User code read ``t.numel()``: a symbolic count gets a ``sym_numel`` node."""
        if type(n) is SymInt and not n.is_constant and self.sym.node_of(n) is None:
            self.sym.bind(n, self.graph.call_function(sym_numel, (self.tensor_node(t),)))


# -- the traced module -------------------------------------------------------------------------


class _InputSpec:
    """How a placeholder's traced value maps concrete arguments back to symbols."""

    __slots__ = ("dtype", "kind", "symbols")

    def __init__(self, kind: str, dtype: dtypes.dtype | None, symbols: list[str | None]) -> None:
        self.kind = kind  # "tensor", "symbol" or "other"
        self.dtype = dtype
        self.symbols = symbols  # per dim (tensors) or one (symbol): the bare symbol name, if any


class TracedModule(GraphModule):
    """A traced graph that runs on shapes.

    Call it with concrete inputs — FakeTensors with int sizes, or shape tuples for tensor inputs;
    ints for symbolic int inputs — that satisfy the trace's guards; it returns what the function
    returned, computed on FakeTensors (read ``.shape``). :meth:`shapes` gives every node's value.

    Attributes:
        shape_env: The ShapeEnv of the trace (``shape_env.produce_guards()`` lists what it relied on).
    """

    def __init__(
        self, graph: Graph, attrs: Mapping[str, Any], shape_env: ShapeEnv, inputs: Sequence[_InputSpec]
    ) -> None:
        super().__init__(graph, attrs=attrs)
        self.shape_env = shape_env
        self._inputs = list(inputs)
        self._symbolic_attrs = any(isinstance(v, FakeTensor) and v.free_symbols for v in self.attrs.values())

    def _prepare(self, args: tuple[Any, ...]) -> tuple[list[Any], dict[str, int]]:
        if len(args) != len(self._inputs):
            raise TypeError(f"traced module takes {len(self._inputs)} arguments but {len(args)} were given")
        binding: dict[str, int] = {}
        values: list[Any] = []

        def bind(name: str | None, value: Any) -> None:
            if name is None or not isinstance(value, int):
                return
            old = binding.setdefault(name, value)
            if old != value:
                raise GuardViolation(f"{name} was traced as one size but is given both {old} and {value}")

        for spec, arg in zip(self._inputs, args):
            if spec.kind == "tensor":
                if isinstance(arg, (tuple, list)):
                    assert spec.dtype is not None
                    arg = FakeTensor(tuple(arg), spec.dtype)
                if not isinstance(arg, FakeTensor):
                    raise TypeError(f"expected a FakeTensor or a shape tuple, got {type(arg).__name__}")
                if arg.ndim != len(spec.symbols):
                    raise GuardViolation(f"expected a tensor of {len(spec.symbols)} dims, got {arg.ndim}")
                for name, s in zip(spec.symbols, arg._size):
                    bind(name, s)
            elif spec.kind == "symbol":
                bind(spec.symbols[0], arg)
            values.append(arg)
        for guard in self.shape_env.guards:
            if guard.expr.free_symbols <= binding.keys():
                if not self.shape_env.evaluate(guard.expr, binding):
                    raise GuardViolation(f"guard {guard.expr} is false for {binding} (recorded at {guard.origin})")
        # Runtime assertions (symcore.check) over the input sizes are checked here too; those over
        # data-dependent sizes can only be checked where the data exists.
        for check in self.shape_env.runtime_asserts:
            if check.expr.free_symbols <= binding.keys() and not self.shape_env.evaluate(check.expr, binding):
                why = f": {check.message}" if check.message else ""
                raise GuardViolation(
                    f"runtime assertion {check.expr} fails for {binding}{why} (recorded at {check.origin})"
                )
        return values, binding

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Run the graph on concrete shapes.

        Raises:
            GuardViolation: The inputs break a guard or a runtime assertion of the trace.
            TypeError: Wrong number or kind of arguments.
        """
        values, binding = self._prepare(args)
        with use_shape_env(self.shape_env):
            if self._symbolic_attrs:
                return self._interpreter(binding).run(*values)
            return super().__call__(*values)

    def _interpreter(self, binding: Mapping[str, int]) -> Interpreter:
        attrs = {
            k: v.subs(binding) if isinstance(v, FakeTensor) and v.free_symbols else v for k, v in self.attrs.items()
        }
        return Interpreter(self.graph, attrs=attrs)

    def shapes(self, *args: Any) -> dict[str, Any]:
        """Every node's value for these inputs, by node name: a tensor's ``Size`` (its shape), other
        values as they are."""
        values, binding = self._prepare(args)
        interp = self._interpreter(binding)
        with use_shape_env(self.shape_env):
            interp.run(*values)
        return {node.name: v._size if isinstance(v, FakeTensor) else v for node, v in interp.env.items()}


# -- trace() -----------------------------------------------------------------------------------


def _dims_spec(spec: Any, ndim: int, name: str) -> dict[int, str | None]:
    """``dynamic``'s entry for one tensor: dim -> symbol name (None: a fresh duck-sized symbol)."""
    if spec is None or spec is False:
        return {}
    if spec is True:
        return dict.fromkeys(range(ndim))
    if isinstance(spec, Mapping):
        items = list(spec.items())
    elif isinstance(spec, (list, tuple, set, frozenset)):
        items = [(d, None) for d in spec]
    else:
        raise TypeError(f"dynamic[{name!r}] must be True, a list of dims or a dict dim -> name, got {spec!r}")
    out: dict[int, str | None] = {}
    for d, sym in items:
        if not isinstance(d, int):
            raise TypeError(f"dynamic[{name!r}]: dims must be ints, got {d!r}")
        out[wrap_dim(d, ndim, f"dynamic[{name!r}]")] = sym if isinstance(sym, str) else None
    return out


def _symbolize(
    t: FakeTensor, dims: Mapping[int, str | None], env: ShapeEnv, named: dict[str, SymInt | int]
) -> FakeTensor:
    size: list[IntLike] = list(t._size)
    for d, sym in dims.items():
        hint = size[d]
        if not isinstance(hint, int):
            continue  # already symbolic
        if sym is None:
            size[d] = env.size(hint=hint)
        elif sym in named:
            existing = named[sym]
            if (existing if isinstance(existing, int) else existing.hint) != hint:
                raise ValueError(f"dynamic: the symbol {sym!r} is used for sizes {existing} and {hint}")
            size[d] = existing
        else:
            size[d] = named[sym] = env.size(sym, hint=hint)
    return make(size, t.dtype)


def trace(
    fn: Callable[..., Any],
    *inputs: Any,
    dynamic: bool | Mapping[str, Any] | None = None,
    shape_env: ShapeEnv | None = None,
) -> TracedModule:
    """Traces ``fn(*inputs)`` into a :class:`TracedModule`.

    Args:
        fn: A function (or ``symcore.nn.Module``) of tensors, ints and other values.
        inputs: FakeTensors, shape specs (tuples of ints: float32 tensors of that shape), SymInts,
            ints, or anything else (passed through and specialised).
        dynamic: Which sizes become symbols: ``True`` for every dim of every tensor input and every
            int input (unnamed, duck-sized: equal sizes share a symbol; sizes 0 and 1 stay ints);
            or a mapping from ``fn``'s parameter names to ``True``, a list of dims, or a dict
            ``dim -> symbol name`` (the same name in two places is one symbol); an int parameter
            maps to ``True`` or a name. Sizes that are already SymInts stay as they are.
        shape_env: The ShapeEnv for the symbols (a new one by default; reused when the inputs
            already hold symbols of one).

    Returns:
        The traced module; its ``shape_env`` holds the guards.

    Raises:
        TypeError, ValueError: Bad ``dynamic`` or inputs.
    """
    from symcore.nn import Module

    env = shape_env
    if env is None:
        for x in inputs:
            if isinstance(x, FakeTensor):
                for v in x._size:
                    if isinstance(v, SymInt) and isinstance(v.shape_env, ShapeEnv):
                        env = v.shape_env
                        break
            elif isinstance(x, SymInt) and isinstance(x.shape_env, ShapeEnv):
                env = x.shape_env
            if env is not None:
                break
    if env is None:
        env = ShapeEnv()
    param_names: dict[int, str] = {}
    target: Callable[..., Any] = fn
    if isinstance(fn, Module):
        param_names = {id(p): n for n, p in fn.named_parameters()}
        param_names.update({id(b): n for n, b in fn.named_buffers()})
        target = fn.forward
    names = _parameter_names(target, len(inputs), var_positional=True)
    if dynamic is not None and not isinstance(dynamic, (bool, Mapping)):
        raise TypeError(f"dynamic must be a bool or a mapping of parameter names, got {type(dynamic).__name__}")
    if isinstance(dynamic, Mapping):
        unknown = [k for k in dynamic if k not in names]
        if unknown:
            raise ValueError(f"dynamic names {unknown}, which are not parameters of the traced function ({names})")
    tracer = TensorTracer(env, param_names)
    named: dict[str, SymInt | int] = {}
    values: list[Any] = []
    specs: list[_InputSpec] = []
    tensor_inputs: list[FakeTensor] = []
    for name, x in zip(names, inputs):
        spec = dynamic if isinstance(dynamic, bool) else (dynamic or {}).get(name)
        if isinstance(x, (tuple, list)) and all(isinstance(s, (int, SymInt)) and not isinstance(s, bool) for s in x):
            x = FakeTensor(tuple(x))
        if isinstance(x, FakeTensor):
            x = _symbolize(x, _dims_spec(spec, x.ndim, name), env, named)
            tracer.add_tensor_input(name, x, bind=False)
            tensor_inputs.append(x)
            symbols = [str(s) if isinstance(s, SymInt) and len(s.free_symbols) == 1 and str(s) in s.free_symbols
                       else None for s in x._size]  # fmt: skip
            specs.append(_InputSpec("tensor", x.dtype, symbols))
        elif isinstance(x, int) and not isinstance(x, bool) and spec:
            sym_name = spec if isinstance(spec, str) else name
            x = named.get(sym_name) or env.symint(sym_name if sym_name not in env.symbols else f"{sym_name}_", hint=x)
            named[sym_name] = x
            tracer.add_value_input(name, x)
            specs.append(_InputSpec("symbol", None, [str(x) if isinstance(x, SymInt) else None]))
        else:
            tracer.add_value_input(name, x)
            bare = isinstance(x, SymInt) and not x.is_constant and str(x) in x.free_symbols
            specs.append(_InputSpec("symbol" if bare else "other", None, [str(x) if bare else None]))
        values.append(x)
    for t in tensor_inputs:  # placeholders first, then the size nodes
        tracer.bind_input_dims(t)
    previous, STATE.tracer = STATE.tracer, tracer
    previous_env, STATE.env = STATE.env, env
    try:
        with tracer.mode:
            out = target(*values)
    finally:
        STATE.tracer, STATE.env = previous, previous_env
    graph = tracer.graph
    graph.output(tracer.arg(out))
    graph.eliminate_dead_code()
    return TracedModule(graph, tracer.attrs, env, specs)
