"""Cost formulas of a traced module: FLOPs, activation memory and parameters, symbolic in its dims.

Who uses it: model analysts. :func:`analyze` runs a :class:`~symcore.tensor.TracedModule` once on
its symbolic inputs, reads the shape of every intermediate, and sums per-op costs into expressions
over the trace's symbols (``batch``, ``seq``, ...), in the trace's :class:`~symcore.ShapeEnv`::

    >>> import symcore
    >>> from symcore import nn
    >>> from symcore.analysis import analyze
    >>> layer = nn.Linear(64, 256)
    >>> traced = symcore.trace(layer, (8, 128, 64), dynamic={"input": {0: "batch", 1: "seq"}})
    >>> report = analyze(traced, (8, 128, 64))
    >>> print(report.flops)             # 2*M*N*K for the matmul + one add per output for the bias
    33024*batch*seq
    >>> report.params, report.evaluate({"batch": 1, "seq": 10})["flops"]
    (16640, 330240)

Conventions (one FLOP is one multiply or one add; the rule is chosen by the op's graph target
name, see :data:`FLOP_RULES`):

===========================================  =====================================================
op                                           FLOPs
===========================================  =====================================================
``matmul mm bmm dot mv``                     ``2*M*N*K``: ``2 * numel(out) * K`` (K the contracted size)
``linear``                                   ``2 * numel(out) * in_features``, plus ``numel(out)`` with a bias
``addmm baddbmm``                            as ``mm``/``bmm``, plus ``numel(out)`` for the add (unless beta=0)
``outer``                                    ``numel(out)``
``bilinear``                                 ``2 * numel(out) * in1 * in2``, plus ``numel(out)`` with a bias
``einsum``                                   ``2 * prod(size of every index)`` when an index is summed
                                             over two or more operands, else ``prod(...)``
``conv1d/2d/3d``                             ``2 * numel(out) * (C_in / groups) * prod(kernel)`` (+ bias)
``conv_transpose1d/2d/3d``                   ``2 * numel(input) * (C_out / groups) * prod(kernel)`` (+ bias)
``scaled_dot_product_attention``             ``2*B*L*S*E + 2*B*L*S*Ev`` (``Q @ K^T`` and ``P @ V``; the
                                             softmax and scaling are not counted, as PyTorch's
                                             ``torch.utils.flop_counter``)
``max/avg_pool*``                            ``numel(out) * prod(kernel)``
elementwise and activations                  ``numel(out)``: one per output element, whatever the
                                             function (``gelu`` counts 1, like ``add``)
reductions, softmax, norms, losses,          ``numel(input)``: one per element read
adaptive pools, ``cumsum``, ``sort``, ...
views, copies, dtype casts, indexing,        ``0``
factories, ``embedding``, ``dropout``,
shape arithmetic (``sym_size``, ``operator.*``)
===========================================  =====================================================

An op with no rule counts ``numel(out)`` (the elementwise default) and is listed with rule
``"default"`` in :attr:`CostReport.per_node`, so a report never silently drops an op.

Memory: :attr:`CostReport.activation_bytes` is the bytes of every intermediate tensor an op
allocates (``numel * itemsize``; views and ``getitem`` of a tuple allocate nothing, the graph's
inputs and parameters are not intermediates). :attr:`CostReport.peak_bytes` walks the nodes in the
graph's order: the inputs are live throughout, each allocation is live from its node to the last
use of it or of any view of it, outputs stay live to the end; the peak is the largest live total
(a ``max(...)`` expression when no single point is provably the largest for every size).
:attr:`CostReport.params` counts the elements of each distinct parameter once (tied weights once).
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import operator
import random
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Union

from symcore._core import SymInt, sym_max
from symcore.graph import Node, target_name
from symcore.nn import Parameter
from symcore.shape_env import ShapeEnv
from symcore.tensor.fake import FakeTensor
from symcore.tensor.ops_index import use_shape_env
from symcore.tensor.tracing import TracedModule

__all__ = [
    "FLOP_RULES",
    "CostReport",
    "NodeCost",
    "analyze",
    "describe_value",
    "flop_rule",
    "node_values",
    "symbolic_inputs",
]

IntLike = Union[SymInt, int]
"""A size or count: a Python int or a SymInt."""

FlopRule = Callable[[inspect.BoundArguments, Any], IntLike]
"""A FLOP rule: the op's arguments bound to its signature, and its output value -> FLOPs."""


# --------------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------------


def _prod(values: Sequence[IntLike]) -> IntLike:
    out: IntLike = 1
    for v in values:
        out = out * v
    return out


def _total(value: Any, of: Callable[[FakeTensor], IntLike]) -> IntLike:
    """``of(tensor)`` of a tensor, summed over every tensor in a tuple/list; 0 for anything else."""
    if isinstance(value, FakeTensor):
        return of(value)
    if isinstance(value, (tuple, list)):
        total: IntLike = 0
        for v in value:
            total = total + _total(v, of)
        return total
    return 0


def _numel(value: Any) -> IntLike:
    """Elements of a tensor, or of every tensor in a tuple/list; 0 for anything else."""
    return _total(value, lambda t: _prod(t._size))


def _nbytes(value: Any) -> IntLike:
    """Bytes of a tensor, or of every tensor in a tuple/list; 0 for anything else."""
    return _total(value, lambda t: _prod(t._size) * t.dtype.itemsize)


def _tensors(value: Any) -> Iterator[FakeTensor]:
    if isinstance(value, FakeTensor):
        yield value
    elif isinstance(value, (tuple, list)):
        for v in value:
            yield from _tensors(v)
    elif isinstance(value, dict):
        for v in value.values():
            yield from _tensors(v)


def _arg(bound: inspect.BoundArguments, name: str, default: Any = None) -> Any:
    return bound.arguments.get(name, default)


def _kernel(value: Any, n: int) -> IntLike:
    if isinstance(value, (tuple, list)):
        return _prod(list(value))
    return _prod([value] * n)


# --------------------------------------------------------------------------------------------------
# FLOP rules
# --------------------------------------------------------------------------------------------------


def _contracting(first: str) -> FlopRule:
    """``2 * numel(out) * K`` where K is the last size of the argument ``first``."""

    def rule(bound: inspect.BoundArguments, out: Any) -> IntLike:
        a = _arg(bound, first)
        flops: IntLike = 2 * _numel(out) * a._size[-1]
        return flops

    return rule


def _linear(bound: inspect.BoundArguments, out: Any) -> IntLike:
    weight = _arg(bound, "weight")
    k = weight._size[-1] if weight.ndim else 1
    flops = 2 * _numel(out) * k
    if _arg(bound, "bias") is not None:
        flops = flops + _numel(out)
    return flops


def _addmm(first: str) -> FlopRule:
    def rule(bound: inspect.BoundArguments, out: Any) -> IntLike:
        flops: IntLike = 2 * _numel(out) * _arg(bound, first)._size[-1]
        if _arg(bound, "beta", 1) != 0:
            flops = flops + _numel(out)
        return flops

    return rule


def _bilinear(bound: inspect.BoundArguments, out: Any) -> IntLike:
    weight = _arg(bound, "weight")
    flops: IntLike = 2 * _numel(out) * weight._size[1] * weight._size[2]
    if _arg(bound, "bias") is not None:
        flops = flops + _numel(out)
    return flops


def _einsum(bound: inspect.BoundArguments, out: Any) -> IntLike:
    equation = str(_arg(bound, "equation")).replace(" ", "")
    operands = list(_arg(bound, "operands", ()))
    if len(operands) == 1 and isinstance(operands[0], (tuple, list)):
        operands = list(operands[0])
    lhs, _, rhs = equation.partition("->")
    terms = lhs.split(",")
    sizes: dict[str, IntLike] = {}
    for term, t in zip(terms, operands):
        if not isinstance(t, FakeTensor):
            continue
        letters = term.replace("...", "")
        explicit = len(letters)
        ell = t.ndim - explicit if "..." in term else 0
        dims = list(t._size)
        before = term.split("...")[0] if "..." in term else term
        for i, ch in enumerate(before):
            sizes[ch] = dims[i]
        if "..." in term:
            after = term.split("...")[1]
            for j, ch in enumerate(after):
                sizes[ch] = dims[len(before) + ell + j]
    if "->" not in equation:
        counts: dict[str, int] = {}
        for ch in lhs.replace(",", "").replace(".", ""):
            counts[ch] = counts.get(ch, 0) + 1
        rhs = "".join(sorted(ch for ch, c in counts.items() if c == 1))
    total: IntLike = _prod(list(sizes.values()))
    if "..." in rhs and isinstance(out, FakeTensor):
        n_ell = out.ndim - len(rhs.replace("...", ""))
        start = rhs.index("...")
        total = total * _prod(list(out._size[start : start + n_ell]))
    summed = any(ch not in rhs for ch in sizes)
    return 2 * total if summed and len(operands) >= 2 else total


def _conv(bound: inspect.BoundArguments, out: Any) -> IntLike:
    weight = _arg(bound, "weight")
    flops = 2 * _numel(out) * _prod(list(weight._size[1:]))
    if _arg(bound, "bias") is not None:
        flops = flops + _numel(out)
    return flops


def _conv_transpose(bound: inspect.BoundArguments, out: Any) -> IntLike:
    weight = _arg(bound, "weight")
    flops = 2 * _numel(_arg(bound, "input")) * _prod(list(weight._size[1:]))
    if _arg(bound, "bias") is not None:
        flops = flops + _numel(out)
    return flops


def _sdpa(bound: inspect.BoundArguments, out: Any) -> IntLike:
    q, k, v = _arg(bound, "query"), _arg(bound, "key"), _arg(bound, "value")
    rows = _prod(list(q._size[:-1]))  # B * ... * L
    s = k._size[-2]
    flops: IntLike = 2 * rows * s * q._size[-1] + 2 * rows * s * v._size[-1]
    return flops


def _pool(n: int) -> FlopRule:
    def rule(bound: inspect.BoundArguments, out: Any) -> IntLike:
        first = out[0] if isinstance(out, (tuple, list)) else out
        return _numel(first) * _kernel(_arg(bound, "kernel_size", 1), n)

    return rule


def _per_output(bound: inspect.BoundArguments, out: Any) -> IntLike:
    return _numel(out)


def _per_input(bound: inspect.BoundArguments, out: Any) -> IntLike:
    first = next(iter(bound.arguments.values()), None)
    return _numel(first)


def _free(bound: inspect.BoundArguments, out: Any) -> IntLike:
    return 0


_ELEMENTWISE: Final = """
add sub rsub div mul floor_divide remainder fmod pow float_power atan2 hypot maximum minimum fmax fmin
copysign xlogy eq ne lt le gt ge logical_and logical_or logical_xor bitwise_and bitwise_or bitwise_xor
bitwise_left_shift bitwise_right_shift exp exp2 expm1 log log2 log10 log1p sqrt rsqrt sin cos tan asin acos
atan sinh cosh asinh acosh atanh sigmoid erf erfc erfinv reciprocal lgamma digamma sinc logit i0 neg abs relu
floor ceil round trunc frac sign square positive gelu silu mish softplus elu selu celu hardswish hardsigmoid
leaky_relu relu6 hardtanh softsign isnan isinf isfinite isposinf isneginf isreal signbit logical_not tanh
logsigmoid tanhshrink bitwise_not clamp clamp_min clamp_max where masked_fill lerp addcmul addcdiv nan_to_num
threshold glu interpolate cosine_similarity tril triu
""".split()

_REDUCTION: Final = """
sum prod mean nansum nanmean amax amin logsumexp all any count_nonzero argmax argmin max min std var norm
softmax log_softmax softmin cumsum cumprod topk sort argsort layer_norm rms_norm group_norm batch_norm
instance_norm normalize mse_loss l1_loss smooth_l1_loss huber_loss binary_cross_entropy
binary_cross_entropy_with_logits kl_div soft_margin_loss cross_entropy nll_loss adaptive_avg_pool1d
adaptive_avg_pool2d adaptive_avg_pool3d adaptive_max_pool1d adaptive_max_pool2d unique bincount
index_add scatter_add scatter_reduce
""".split()

_FREE: Final = """
view reshape view_as reshape_as flatten unflatten permute transpose t adjoint numpy_T movedim squeeze unsqueeze
expand expand_as broadcast_to broadcast_tensors repeat tile repeat_interleave contiguous as_strided narrow select
unbind split split_with_sizes tensor_split chunk cat stack hstack vstack roll flip unfold diagonal
empty zeros ones rand randn empty_strided full randint arange linspace eye tensor scalar_tensor empty_like
zeros_like ones_like rand_like randn_like full_like new_empty new_zeros new_ones new_full new_tensor
getitem index_select gather scatter take_along_dim nonzero argwhere masked_select
to type_as type to_float to_half to_double to_bfloat16 to_long to_int to_short to_char to_byte to_bool
to_cfloat to_cdouble clone detach dropout embedding one_hot pad pixel_shuffle pixel_unshuffle im2col col2im
sym_size sym_stride sym_numel
""".split()

FLOP_RULES: Final[dict[str, tuple[str, FlopRule]]] = {
    **{name: ("elementwise", _per_output) for name in _ELEMENTWISE},
    **{name: ("reduction", _per_input) for name in _REDUCTION},
    **{name: ("free", _free) for name in _FREE},
    "matmul": ("matmul", _contracting("input")),
    "mm": ("matmul", _contracting("input")),
    "bmm": ("matmul", _contracting("input")),
    "dot": ("matmul", _contracting("input")),
    "mv": ("matmul", _contracting("input")),
    "addmm": ("matmul", _addmm("mat1")),
    "baddbmm": ("matmul", _addmm("batch1")),
    "outer": ("matmul", _per_output),
    "linear": ("matmul", _linear),
    "bilinear": ("matmul", _bilinear),
    "einsum": ("matmul", _einsum),
    **{f"conv{n}d": ("conv", _conv) for n in (1, 2, 3)},
    **{f"conv_transpose{n}d": ("conv", _conv_transpose) for n in (1, 2, 3)},
    "scaled_dot_product_attention": ("attention", _sdpa),
    **{f"{kind}_pool{n}d": ("pool", _pool(n)) for kind in ("max", "avg") for n in (1, 2, 3)},
}
"""FLOP rules by the op's short graph target name (``"linear"`` for ``symcore.nn.functional.linear``):
``name -> (kind, rule)``; ``kind`` is one of ``matmul``, ``conv``, ``attention``, ``pool``,
``elementwise``, ``reduction``, ``free`` and groups :attr:`CostReport.flops_by_kind`."""

# Ops whose tensor outputs share their input's storage: they allocate nothing.
_VIEWS: Final = frozenset(
    """
view reshape view_as reshape_as flatten unflatten permute transpose t adjoint numpy_T movedim squeeze unsqueeze
expand expand_as broadcast_to broadcast_tensors as_strided narrow select unbind split split_with_sizes
tensor_split chunk diagonal unfold detach getitem
""".split()
)


def flop_rule(target: object) -> tuple[str, str, FlopRule]:
    """``(short name, kind, rule)`` for a call target; unknown ops get the ``"default"`` rule."""
    name = _short_name(target)
    kind, rule = FLOP_RULES.get(name, ("default", _per_output))
    return name, kind, rule


def _short_name(target: object) -> str:
    if target is operator.getitem:
        return "operator.getitem"
    try:
        full = target_name(target)  # type: ignore[arg-type]
    except KeyError:
        full = getattr(target, "__name__", repr(target))
    if full.startswith("operator.") or full.startswith("math.") or full.startswith("symcore.sym_"):
        return full
    return full.rsplit(".", 1)[-1]


@functools.cache
def _signature(target: Callable[..., Any]) -> inspect.Signature | None:
    try:
        return inspect.signature(target)
    except (TypeError, ValueError):
        return None


def _bind(target: Callable[..., Any], args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> inspect.BoundArguments:
    sig = _signature(target)
    if sig is not None:
        try:
            return sig.bind(*args, **kwargs)
        except TypeError:
            pass
    # Unbindable: expose the positional arguments as input, arg1, ...
    params = [inspect.Parameter("input" if i == 0 else f"arg{i}", inspect.Parameter.POSITIONAL_ONLY)
              for i in range(len(args))]  # fmt: skip
    return inspect.Signature(params).bind(*args)


# --------------------------------------------------------------------------------------------------
# Running the trace on symbolic inputs
# --------------------------------------------------------------------------------------------------


def _scratch_env(traced: TracedModule, needed: set[str]) -> ShapeEnv:
    """A fresh environment with the ``needed`` symbols of the trace (same names, hints, ranges).

    Re-running the graph records guards and makes unbacked symbols; doing it here keeps the trace's
    own environment untouched, and since unbacked symbols are numbered in creation order the re-run's
    ``u0, u1, ...`` are the trace's.
    """
    env = traced.shape_env
    scratch = ShapeEnv(specialize_zero_one=env.specialize_zero_one, duck_shape=env.duck_shape)
    sizes: set[str] = getattr(env, "_sizes", set())
    for name, (hint, lo, hi) in env.symbols.items():
        if name not in needed:
            continue
        if hint is None:
            scratch.unbacked(name, min=lo, max=hi)
        elif name in sizes:
            # Tracing specialises sizes 0 and 1, so a size symbol stands for 2 and more (PyTorch's
            # assumption too); saying so lets the peak's candidates be compared.
            scratch.size(name, hint, min=max(2, lo or 0) if hint >= 2 else (lo or 0), max=hi)
        else:
            scratch.symint(name, hint, min=lo, max=hi)
    return scratch


def _port(value: Any, env: ShapeEnv) -> Any:
    """``value`` with its symbolic sizes re-read in ``env`` (by their printed form)."""
    if isinstance(value, SymInt) and not value.is_constant:
        return env.parse(str(value))
    if isinstance(value, FakeTensor) and any(isinstance(s, SymInt) for s in value._size):
        size = tuple(_port(s, env) for s in value._size)
        stride = None if value._stride is None else tuple(_port(s, env) for s in value._stride)
        return FakeTensor(size, value.dtype, stride, _port(value._offset, env))
    return value


def symbolic_inputs(traced: TracedModule, *inputs: Any, env: ShapeEnv | None = None) -> tuple[Any, ...]:
    """The inputs ``traced`` was traced with, symbolic again: each traced symbol replaces its size.

    Args:
        traced: A module from :func:`symcore.trace`.
        inputs: The example inputs given to ``trace`` (shape tuples, FakeTensors, ints, ...).
            Optional when the module keeps them itself (an ``example_inputs`` attribute).
        env: Where to read the symbols (default: the trace's environment).

    Raises:
        TypeError: No inputs given and none kept, or a different number than the trace took.
    """
    env = traced.shape_env if env is None else env
    kept = getattr(traced, "example_inputs", None)
    if not inputs and kept is not None:
        return tuple(_port(x, env) for x in kept)
    specs = traced._inputs
    if len(inputs) != len(specs):
        raise TypeError(
            f"analyze() needs the {len(specs)} example inputs the module was traced with, got {len(inputs)}"
        )
    out: list[Any] = []
    for spec, x in zip(specs, inputs):
        if spec.kind == "tensor":
            sizes = list(x._size if isinstance(x, FakeTensor) else x)
            if len(sizes) != len(spec.symbols):
                raise TypeError(f"example input of {len(sizes)} dims for a placeholder of {len(spec.symbols)}")
            dims: list[IntLike] = [_parse_int(env, s) if s is not None else v for s, v in zip(spec.symbols, sizes)]
            assert spec.dtype is not None
            out.append(FakeTensor(tuple(dims), spec.dtype))
        elif spec.kind == "symbol" and spec.symbols[0] is not None:
            out.append(env.parse(spec.symbols[0]))
        else:
            out.append(x)
    return tuple(out)


def _parse_int(env: ShapeEnv, text: str) -> SymInt:
    value = env.parse(text)
    assert isinstance(value, SymInt)
    return value


def _input_symbols(traced: TracedModule) -> set[str]:
    names: set[str] = set()
    for spec in traced._inputs:
        names.update(s for s in spec.symbols if s is not None)
    for x in getattr(traced, "example_inputs", None) or ():
        if isinstance(x, FakeTensor):
            for s in x._size:
                if isinstance(s, SymInt):
                    names.update(s.free_symbols)
        elif isinstance(x, SymInt):
            names.update(x.free_symbols)
    for t in traced.attrs.values():
        if isinstance(t, FakeTensor):
            names.update(t.free_symbols)
    return names


def node_values(traced: TracedModule, *inputs: Any) -> tuple[dict[Node, Any], ShapeEnv]:
    """Every node's symbolic value, from one run of the graph on :func:`symbolic_inputs`, and the
    scratch environment the run used (a copy of the trace's symbols; the trace's own environment
    is left as it was)."""
    from symcore.graph import Interpreter

    scratch = _scratch_env(traced, _input_symbols(traced))
    values = symbolic_inputs(traced, *inputs, env=scratch)
    attrs = {k: _port(v, scratch) for k, v in traced.attrs.items()}
    interp = Interpreter(traced.graph, attrs=attrs)
    with use_shape_env(scratch):
        interp.run(*values)
    return interp.env, scratch


def describe_value(value: Any) -> str:
    """A tensor as ``[batch, seq, 768] float32``; tuples of them in parentheses; other values as str."""
    if isinstance(value, FakeTensor):
        return f"[{', '.join(str(s) for s in value._size)}] {value.dtype.name}"
    if isinstance(value, (tuple, list)):
        inner = ", ".join(describe_value(v) for v in value)
        return f"({inner})" if isinstance(value, tuple) else f"[{inner}]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {describe_value(v)}" for k, v in value.items()) + "}"
    return str(value)


# --------------------------------------------------------------------------------------------------
# The report
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NodeCost:
    """The cost of one ``call_function`` node.

    Attributes:
        name: The node's name.
        op: The op's short target name (``"linear"``, ``"operator.mul"``).
        kind: The FLOP rule's kind (see :data:`FLOP_RULES`), ``"default"`` for an op with no rule.
        value: The node's value described (:func:`describe_value`): its symbolic shape and dtype.
        flops: FLOPs of the node.
        bytes: Bytes the node allocates (0 for views and non-tensors).
    """

    name: str
    op: str
    kind: str
    value: str
    flops: IntLike
    bytes: IntLike


@dataclass(frozen=True)
class CostReport:
    """Cost formulas of a traced module; symbolic fields are SymInts of :attr:`shape_env`.

    Attributes:
        flops: Total FLOPs of one forward call.
        activation_bytes: Bytes of every intermediate tensor.
        peak_bytes: Peak live bytes along the graph's order (inputs + live intermediates).
        params: Elements of the distinct parameters.
        flops_by_kind: ``kind -> FLOPs`` (``matmul``, ``conv``, ``attention``, ``elementwise``, ...).
        per_node: One :class:`NodeCost` per ``call_function`` node, in graph order.
        shape_env: The trace's environment (symbols, hints, guards).
    """

    flops: SymInt
    activation_bytes: SymInt
    peak_bytes: SymInt
    params: SymInt
    flops_by_kind: dict[str, SymInt]
    per_node: tuple[NodeCost, ...]
    shape_env: ShapeEnv

    @property
    def symbols(self) -> list[str]:
        """The symbols the formulas use, sorted."""
        free: set[str] = set()
        for v in (self.flops, self.activation_bytes, self.peak_bytes, self.params):
            free |= set(v.free_symbols)
        return sorted(free)

    def formulas(self) -> dict[str, str]:
        """``flops``, ``activation_bytes``, ``peak_bytes`` and ``params`` in symcore's printed form
        (which :meth:`ShapeEnv.parse` reads back; no sympy needed)."""
        return {
            "flops": str(self.flops),
            "activation_bytes": str(self.activation_bytes),
            "peak_bytes": str(self.peak_bytes),
            "params": str(self.params),
        }

    def evaluate(self, binding: Mapping[str, int] | None = None) -> dict[str, int]:
        """The four totals as ints; symbols missing from ``binding`` take their hints.

        Raises:
            UnboundSymbolError: a symbol has neither a binding nor a hint.
        """
        full = _with_hints(self.shape_env, binding)
        return {k: int(self.shape_env.evaluate(getattr(self, k), full)) for k in self.formulas()}


def _with_hints(env: ShapeEnv, binding: Mapping[str, int] | None) -> dict[str, int]:
    full = {name: hint for name, (hint, _, _) in env.symbols.items() if hint is not None}
    full.update(binding or {})
    return full


def _as_sym(env: ShapeEnv, value: IntLike) -> SymInt:
    if isinstance(value, SymInt):
        return value
    c = env.constant(int(value))
    assert isinstance(c, SymInt)
    return c


class _Peak:
    """The running maximum of symbolic totals, keeping only candidates not provably dominated.

    Proofs (``statically_known_true(a <= b)``) are costly; each candidate is first evaluated at a
    few probe bindings, and a proof is attempted only when the probes agree ``a <= b``. A probe that
    says otherwise only means a candidate is kept, so the result is the exact maximum either way.
    """

    def __init__(self, env: ShapeEnv) -> None:
        self.env = env
        self.candidates: list[tuple[IntLike, tuple[int, ...] | None]] = []
        self.probes: list[dict[str, int]] = []
        rng = random.Random(0)  # fixed seed: the same report every run
        for k in range(8):
            probe = {}
            for name, (hint, lo, hi) in env.symbols.items():
                if hint is None:  # unbacked: any size, so spread the probes over magnitudes
                    v = int(10 ** rng.uniform(0, 7))
                elif k == 0:
                    v = hint
                else:
                    v = rng.randint(2, 4 * hint)
                if lo is not None:
                    v = max(v, lo)
                if hi is not None:
                    v = min(v, hi)
                probe[name] = v
            self.probes.append(probe)

    def _values(self, value: IntLike) -> tuple[int, ...] | None:
        if isinstance(value, int):
            return (value,) * len(self.probes)
        try:
            return tuple(int(self.env.evaluate(value, p)) for p in self.probes)
        except (ArithmeticError, ValueError, KeyError):
            return None

    def offer(self, value: IntLike) -> None:
        probed = self._values(value)
        if any(self._le(value, probed, c, cp) for c, cp in self.candidates):
            return
        self.candidates = [(c, cp) for c, cp in self.candidates if not self._le(c, cp, value, probed)]
        self.candidates.append((value, probed))

    def _le(self, a: IntLike, ap: tuple[int, ...] | None, b: IntLike, bp: tuple[int, ...] | None) -> bool:
        if ap is not None and bp is not None and not all(map(operator.le, ap, bp)):
            return False  # (map over operator.le: this runs ~10^5 times for a large model)
        if isinstance(a, int) and isinstance(b, int):
            return a <= b
        return self.env.statically_known_true(a <= b)

    def result(self) -> IntLike:
        if not self.candidates:
            return 0
        return functools.reduce(lambda a, b: sym_max(a, b), (c for c, _ in self.candidates))


def analyze(traced: TracedModule, *inputs: Any) -> CostReport:
    """FLOPs, activation memory, peak memory and parameters of ``traced`` as formulas in its symbols.

    Args:
        traced: A module from :func:`symcore.trace` (or ``symcore.models.trace_model``).
        inputs: The example inputs it was traced with (shape tuples, FakeTensors, ints): their
            static sizes are not kept in the graph; the symbolic ones are taken from the trace.

    Returns:
        A :class:`CostReport` whose fields are SymInts of ``traced.shape_env``.

    Raises:
        TypeError: Missing or mismatched ``inputs``.
    """
    env = traced.shape_env
    values, scratch = node_values(traced, *inputs)
    nodes = list(traced.graph.nodes)
    index = {node: i for i, node in enumerate(nodes)}
    end = len(nodes)

    # Alias classes: a view (or a tuple's item) lives in its base's allocation.
    root: dict[Node, Node] = {}

    def find(node: Node) -> Node:
        while root.get(node, node) is not node:
            node = root[node]
        return node

    costs: list[NodeCost] = []
    alloc: dict[Node, IntLike] = {}
    by_kind: dict[str, IntLike] = {}
    flops_total: IntLike = 0
    act_total: IntLike = 0
    for node in nodes:
        if node.op != "call_function":
            continue
        value = values.get(node)
        name, kind, rule = flop_rule(node.target)
        base = next((a for a in node.all_input_nodes if any(True for _ in _tensors(values.get(a)))), None)
        if name == "operator.getitem" or (name in _VIEWS and base is not None):
            if base is not None:
                root[node] = find(base)
            flops: IntLike = 0
            nbytes: IntLike = 0
            kind = "free"
        else:
            args = tuple(_resolve(a, values) for a in node.args)
            kwargs = {k: _resolve(v, values) for k, v in node.kwargs.items()}
            flops = rule(_bind(node.target, args, kwargs), value) if _has_tensor(value) else 0  # type: ignore[arg-type]
            if not _has_tensor(value):
                kind = "free"
            nbytes = _nbytes(value)
            if _has_tensor(value):
                alloc[node] = nbytes
        flops_total = flops_total + flops
        act_total = act_total + nbytes
        if kind != "free":
            by_kind[kind] = by_kind.get(kind, 0) + flops
        costs.append(NodeCost(node.name, name, kind, describe_value(value), flops, nbytes))

    # Liveness: an allocation lives until the last use of any member of its alias class.
    last: dict[Node, int] = {}
    for node in nodes:
        r = find(node)
        for user in node.users:
            last[r] = max(last.get(r, index[node]), end if user.op == "output" else index[user])
    held: IntLike = 0
    for node in nodes:
        if node.op == "placeholder":
            held = held + _nbytes(values.get(node))
    frees: dict[int, list[Node]] = {}
    for r in alloc:
        frees.setdefault(last.get(r, index[r]), []).append(r)
    peak = _Peak(scratch)
    live: IntLike = held
    rising = True  # allocations since the last free: the live total only grew
    for i, node in enumerate(nodes):
        if node in alloc:
            live = live + alloc[node]
            rising = True
        released = frees.get(i, ())
        if released and rising:
            # A local maximum; in between, each total is at most the next (sizes are >= 0), so
            # offering only these keeps the maximum exact.
            peak.offer(live)
            rising = False
        for r in released:
            live = live - alloc[r]
    peak.offer(live)  # what stays live to the end (the inputs and outputs; all of it when nothing is freed)

    params: IntLike = 0
    seen: set[int] = set()
    for t in traced.attrs.values():
        if isinstance(t, Parameter) and id(t) not in seen:
            seen.add(id(t))
            params = params + _prod(t._size)

    def back(v: IntLike) -> SymInt:
        return _as_sym(env, _port(v, env))

    return CostReport(
        flops=back(flops_total),
        activation_bytes=back(act_total),
        peak_bytes=back(peak.result()),
        params=back(params),
        flops_by_kind={k: back(v) for k, v in sorted(by_kind.items())},
        per_node=tuple(dataclasses.replace(c, flops=back(c.flops), bytes=back(c.bytes)) for c in costs),
        shape_env=env,
    )


def _has_tensor(value: Any) -> bool:
    return any(True for _ in _tensors(value))


def _resolve(arg: Any, values: Mapping[Node, Any]) -> Any:
    if isinstance(arg, Node):
        return values.get(arg)
    if isinstance(arg, tuple):
        return tuple(_resolve(a, values) for a in arg)
    if isinstance(arg, list):
        return [_resolve(a, values) for a in arg]
    if isinstance(arg, dict):
        return {k: _resolve(v, values) for k, v in arg.items()}
    return arg
