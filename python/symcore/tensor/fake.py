"""``FakeTensor``: a tensor with sizes, strides and a dtype but no data, plus the shape helpers
every shape rule shares.

Who uses it: shape rules (``ops_*.py``) build their outputs with :func:`make`; user code reads
``x.shape``, ``x.stride()``, ``x.numel()`` with PyTorch's names. Op methods (``x.view``,
``x.matmul``, ``x + y``, ...) are attached by the registry; they are not defined here.

Sizes, strides, numel and the storage offset are ints or ``SymInt`` values. Strides of
contiguous tensors are computed on demand, so the common case (every op's output is a fresh
contiguous tensor) costs nothing until someone asks.

Examples:
    >>> import symcore
    >>> env = symcore.ShapeEnv()
    >>> x = symcore.tensor.empty(env.size("b", hint=4), 3, 8)
    >>> x.shape, x.stride(), x.numel(), x.is_contiguous()
    (symcore.Size([b, 3, 8]), (24, 8, 1), 24*b, True)
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Callable, NoReturn, Union

from symcore._core import SymBool, SymFloat, SymInt, sym_max
from symcore.tensor import dtypes
from symcore.tensor._state import STATE
from symcore.tensor.dtypes import dtype

__all__ = [
    "FakeTensor",
    "IntLike",
    "Size",
    "broadcast_shapes",
    "check",
    "contiguous_strides",
    "fmt_shape",
    "guard_eq",
    "is_symbolic",
    "known_eq",
    "make",
    "maybe_one",
    "prod",
    "wrap_dim",
]

IntLike = Union[int, SymInt]
"""A size: a Python int or a ``SymInt``."""

_int = int


def is_symbolic(x: object) -> bool:
    """Whether ``x`` is a symcore value that is not a constant."""
    return isinstance(x, (SymInt, SymBool, SymFloat)) and not x.is_constant


def _concrete(x: IntLike) -> IntLike:
    """A constant ``SymInt`` as a plain int; anything else unchanged."""
    if type(x) is SymInt and x.is_constant:
        hint = x.hint
        assert hint is not None
        return hint
    return x


def known_eq(a: IntLike, b: IntLike) -> bool:
    """True if ``a == b`` is known without a guard: equal ints, or the same canonical expression
    (or the ShapeEnv proves it)."""
    if type(a) is _int and type(b) is _int:
        return a == b
    r = a == b
    if isinstance(r, bool):
        return r
    if r.is_constant:
        return r.hint is True
    env = r.shape_env
    return env is not None and bool(env.statically_known_true(r))


def guard_eq(a: IntLike, b: IntLike) -> bool:
    """``a == b`` decided the way PyTorch decides backed sizes: by the hints, recording a guard."""
    if type(a) is _int and type(b) is _int:
        return a == b
    return bool(a == b)


def check(cond: bool | SymBool, message: str | Callable[[], str], exc: type[Exception] = RuntimeError) -> None:
    """A shape check: raise ``exc(message)`` if ``cond`` is false (``message`` may be a function
    making the text, so that passing checks pay nothing for it).

    A symbolic ``cond`` over backed sizes is decided by the hints and becomes a guard (PyTorch's
    behaviour); one that depends on a symbol without a hint becomes a runtime assertion in the
    ShapeEnv (``ShapeEnv.check``) instead of an error.
    """
    if not isinstance(message, str):
        text = message
    else:
        fixed = message

        def text() -> str:
            return fixed

    if type(cond) is bool:
        if not cond:
            raise exc(text())
        return
    assert isinstance(cond, SymBool)
    if cond.is_constant:
        if not cond.hint:
            raise exc(text())
        return
    if cond.hint is None:
        env = cond.shape_env
        if env is None or env.statically_known_true(cond):
            return
        if env.statically_known_false(cond):
            raise exc(text())
        env_check = getattr(env, "check", None)
        if env_check is not None:
            try:
                env_check(cond, text())
            except RuntimeError as e:
                raise exc(str(e)) from None
        return
    if not bool(cond):
        raise exc(text())


def hint_of(x: IntLike) -> int | None:
    """The value of a size under the hints (None for an unbacked one)."""
    return x if isinstance(x, _int) else x.hint


def maybe_one(x: IntLike) -> bool:
    """Whether a size is 1, decided size-obliviously as PyTorch's broadcasting does: a symbolic size
    is treated as not 1 (records no guard) unless its hint is 1."""
    if type(x) is _int:
        return x == 1
    r = x == 1
    if isinstance(r, bool):
        return r
    if r.is_constant:
        return r.hint is True
    env = r.shape_env
    oblivious = getattr(env, "guard_size_oblivious", None)
    if oblivious is not None:
        return bool(oblivious(r))
    if hint_of(x) != 1:
        return False  # symbolic sizes are >= 2 by hint (0/1 are specialised) and unbacked ones size-like
    return bool(r)


def prod(values: Iterable[IntLike]) -> IntLike:
    """The product of sizes (1 for none)."""
    out: IntLike = 1
    for v in values:
        out = out * v
    return out


def fmt_shape(shape: Iterable[Any]) -> str:
    """``[2, s0, 3]``: a shape as PyTorch prints it in messages."""
    return "[" + ", ".join(str(s) for s in shape) + "]"


def wrap_dim(dim: object, ndim: int, op: str = "") -> int:
    """``dim`` as an index into ``ndim`` dimensions (negative counts from the end).

    Raises:
        TypeError: ``dim`` is not an int.
        IndexError: ``dim`` is out of range, with PyTorch's message.
    """
    if type(dim) is not _int:
        if isinstance(dim, SymInt) and dim.is_constant:
            dim = dim.hint
        elif isinstance(dim, bool) or not isinstance(dim, _int):
            raise TypeError(f"{op}: dim must be an int, got {type(dim).__name__}")
    assert isinstance(dim, _int)
    n = ndim if ndim > 0 else 1
    if dim < -n or dim >= n:
        prefix = f"{op}: " if op else ""
        raise IndexError(f"{prefix}Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})")
    return dim + n if dim < 0 else dim


def contiguous_strides(size: Sequence[IntLike]) -> tuple[IntLike, ...]:
    """Row-major strides for ``size``, as PyTorch computes them (a size-0 dim counts as 1). A
    symbolic size counts as itself (PyTorch's size-oblivious reading: it is not 0), unless its hint
    is 0."""
    n = len(size)
    if n == 0:
        return ()
    out: list[IntLike] = [1] * n
    acc: IntLike = 1
    for i in range(n - 1, 0, -1):
        s = size[i]
        if type(s) is _int:
            acc = acc * (s if s > 1 else 1)
        else:
            acc = acc * (sym_max(s, 1) if hint_of(s) == 0 else s)
        out[i - 1] = acc
    return tuple(out)


def broadcast_shapes(*shapes: Sequence[IntLike], op: str = "broadcast_shapes") -> tuple[IntLike, ...]:
    """The broadcast of ``shapes`` (``torch.broadcast_shapes``).

    A size 1 stretches; other sizes must be equal. For symbolic sizes equality becomes a guard
    (or a runtime assertion for unbacked ones), and symbolic sizes are assumed not to be 1 unless
    their hint is.

    Raises:
        RuntimeError: Two sizes are provably (or by their hints) different and neither is 1.
    """
    if len(shapes) == 1:
        return tuple(shapes[0])
    ndim = max(len(s) for s in shapes)
    first = shapes[0]
    out: list[IntLike] = [1] * (ndim - len(first))
    out.extend(first)
    for shape in shapes[1:]:
        off = ndim - len(shape)
        for i in range(len(shape) - 1, -1, -1):  # from the last dim, as PyTorch reports mismatches
            b = shape[i]
            a = out[off + i]
            if type(a) is _int and a == 1:
                out[off + i] = b
            elif type(b) is _int and b == 1:
                continue
            elif type(a) is _int and type(b) is _int:
                if a != b:
                    raise RuntimeError(_mismatch(op, a, b, off + i)())
            elif known_eq(a, b) or maybe_one(b):
                continue
            elif maybe_one(a):
                out[off + i] = b
            else:
                # Two sizes, neither 1: they must agree. PyTorch keeps the first.
                check(a == b, _mismatch(op, a, b, off + i))
    return tuple(out)


def _mismatch(op: str, a: IntLike, b: IntLike, dim: int) -> Callable[[], str]:
    return lambda: (
        f"{op}: The size of tensor a ({a}) must match the size of tensor b ({b}) at non-singleton dimension {dim}"
    )


class Size(tuple):  # type: ignore[type-arg]
    """A tensor's shape: a tuple of ints and ``SymInt`` values (``torch.Size``)."""

    def numel(self) -> IntLike:
        """The number of elements: the product of the sizes."""
        return prod(self)

    def __repr__(self) -> str:
        return f"symcore.Size([{', '.join(str(s) for s in self)}])"

    def __getitem__(self, key: Any) -> Any:
        out = super().__getitem__(key)
        return Size(out) if isinstance(key, slice) else out


def _check_size_arg(size: Any, op: str) -> tuple[IntLike, ...]:
    """Normalises a user-given size (varargs or one sequence) to a tuple of ints and SymInts."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = size[0]
    out: list[IntLike] = []
    for i, s in enumerate(size):
        if type(s) is _int:
            v: IntLike = s
        elif isinstance(s, SymInt):
            v = _concrete(s)
        elif isinstance(s, _int) and not isinstance(s, bool):
            v = _int(s)
        else:
            kind = type(s).__name__
            raise TypeError(
                f"{op}(): argument 'size' must be tuple of ints, but found element of type {kind} at pos {i}"
            )
        if type(v) is _int and v < 0:
            raise RuntimeError(f"{op}: Trying to create tensor with negative dimension {v}: {fmt_shape(size)}")
        out.append(v)
    return tuple(out)


def make(
    size: Sequence[IntLike],
    dtype: dtype = dtypes.float32,
    stride: Sequence[IntLike] | None = None,
    storage_offset: IntLike = 0,
) -> FakeTensor:
    """A FakeTensor with these (already checked) sizes; contiguous when ``stride`` is None."""
    t = object.__new__(FakeTensor)
    t._size = Size(size)
    t._stride = None if stride is None else tuple(stride)
    t._offset = storage_offset
    t.dtype = dtype
    return t


class FakeTensor:
    """A tensor with no data: sizes, strides, storage offset (ints or ``SymInt``) and a dtype.

    Attribute and method names are ``torch.Tensor``'s. Create one with :func:`symcore.tensor.empty`,
    :func:`~symcore.tensor.empty_strided` or any op. The registry adds the op methods
    (``view``, ``matmul``, ``__add__``, ``__getitem__``, ...).
    """

    __slots__ = ("__weakref__", "_offset", "_size", "_stride", "dtype")

    _size: Size
    _stride: tuple[IntLike, ...] | None
    _offset: IntLike
    dtype: dtypes.dtype

    def __init__(
        self,
        size: Sequence[IntLike],
        dtype: dtypes.dtype = dtypes.float32,
        stride: Sequence[IntLike] | None = None,
        storage_offset: IntLike = 0,
    ) -> None:
        """A FakeTensor of ``size`` (checked: ints or SymInts, none negative).

        Raises:
            TypeError: A size that is not an int or SymInt, or a bad dtype.
            RuntimeError: A negative size, or ``stride`` of another length.
        """
        sizes = _check_size_arg(tuple(size), "FakeTensor")
        if stride is not None:
            strides = _check_size_arg(tuple(stride), "FakeTensor")
            if len(strides) != len(sizes):
                raise RuntimeError(
                    f"FakeTensor: mismatch in length of strides and shape ({len(strides)} vs {len(sizes)})"
                )
        self._size = Size(sizes)
        self._stride = None if stride is None else strides
        self._offset = storage_offset
        self.dtype = dtypes.to_dtype(dtype)

    # -- metadata ------------------------------------------------------------------------------

    @property
    def shape(self) -> Size:
        """The sizes (``torch.Size``)."""
        tracer = STATE.tracer
        if tracer is not None:
            tracer.read_sizes(self, None)
        return self._size

    def size(self, dim: int | None = None) -> Any:
        """The sizes, or the size of dimension ``dim``."""
        tracer = STATE.tracer
        if dim is None:
            if tracer is not None:
                tracer.read_sizes(self, None)
            return self._size
        d = wrap_dim(dim, len(self._size), "size")
        if tracer is not None:
            tracer.read_sizes(self, d)
        return self._size[d]

    def stride(self, dim: int | None = None) -> Any:
        """The strides, or the stride of dimension ``dim``."""
        strides = self._strides()
        tracer = STATE.tracer
        if dim is None:
            if tracer is not None:
                tracer.read_strides(self, strides)
            return strides
        d = wrap_dim(dim, len(self._size), "stride")
        if tracer is not None:
            tracer.read_strides(self, strides)
        return strides[d]

    def _strides(self) -> tuple[IntLike, ...]:
        s = self._stride
        return contiguous_strides(self._size) if s is None else s

    def storage_offset(self) -> IntLike:
        """The offset of the first element in the (imaginary) storage, in elements."""
        return self._offset

    def numel(self) -> IntLike:
        """The number of elements."""
        n = prod(self._size)
        tracer = STATE.tracer
        if tracer is not None:
            tracer.read_numel(self, n)
        return n

    nelement = numel

    def dim(self) -> int:
        """The number of dimensions."""
        return len(self._size)

    ndimension = dim

    @property
    def ndim(self) -> int:
        """The number of dimensions."""
        return len(self._size)

    def element_size(self) -> int:
        """Bytes per element."""
        return self.dtype.itemsize

    @property
    def itemsize(self) -> int:
        """Bytes per element."""
        return self.dtype.itemsize

    @property
    def nbytes(self) -> IntLike:
        """``numel() * itemsize``."""
        return prod(self._size) * self.dtype.itemsize

    def is_floating_point(self) -> bool:
        """Whether the dtype is a floating-point type."""
        return self.dtype.is_floating_point

    def is_complex(self) -> bool:
        """Whether the dtype is complex."""
        return self.dtype.is_complex

    @property
    def device(self) -> str:
        """FakeTensors live nowhere: always ``"fake"`` (accepted and ignored wherever a device is)."""
        return "fake"

    @property
    def requires_grad(self) -> bool:
        """Always False: there is no autograd here."""
        return False

    @property
    def is_cuda(self) -> bool:
        """Always False."""
        return False

    def is_contiguous(self, memory_format: object = None) -> bool | SymBool:
        """Whether the strides are row-major for the sizes (ignoring size-1 dims, and true for an
        empty tensor); a ``SymBool`` when that depends on symbols."""
        if self._stride is None:
            return True
        return _is_contiguous(self._size, self._stride)

    def is_same_size(self, other: FakeTensor) -> bool:
        """Whether ``other`` has the same sizes (guards symbolic ones)."""
        return len(self._size) == len(other._size) and all(guard_eq(a, b) for a, b in zip(self._size, other._size))

    def get_device(self) -> int:
        """-1, as for a CPU tensor."""
        return -1

    # -- conversions that need data ------------------------------------------------------------

    def __bool__(self) -> NoReturn:
        raise RuntimeError(
            "Boolean value of a FakeTensor is data-dependent: a FakeTensor has no data; branch on its shape instead"
        )

    def item(self) -> NoReturn:
        """No data: raises."""
        raise RuntimeError("item(): a FakeTensor has no data")

    def tolist(self) -> NoReturn:
        """No data: raises."""
        raise RuntimeError("tolist(): a FakeTensor has no data")

    def __len__(self) -> int:
        if not self._size:
            raise TypeError("len() of a 0-d tensor")
        return _int(self.size(0))

    def __iter__(self) -> Iterator[FakeTensor]:
        if not self._size:
            raise TypeError("iteration over a 0-d tensor")
        n = _int(self.size(0))
        return iter([self.select(0, i) for i in range(n)])

    __hash__ = object.__hash__

    # -- printing and substitution -------------------------------------------------------------

    def __repr__(self) -> str:
        parts = [f"size=({', '.join(str(s) for s in self._size)}{',' if len(self._size) == 1 else ''})"]
        if self._stride is not None and not _is_contiguous_known(self._size, self._stride):
            parts.append(f"stride=({', '.join(str(s) for s in self._stride)}{',' if len(self._stride) == 1 else ''})")
        if not (type(self._offset) is _int and self._offset == 0):
            parts.append(f"storage_offset={self._offset}")
        parts.append(f"dtype={self.dtype}")
        return f"FakeTensor({', '.join(parts)})"

    def subs(self, mapping: Mapping[str, int]) -> FakeTensor:
        """This tensor with its symbols replaced (sizes that become constants are plain ints)."""

        def sub(v: IntLike) -> IntLike:
            return _concrete(v.subs(mapping)) if isinstance(v, SymInt) else v

        stride = None if self._stride is None else tuple(sub(s) for s in self._stride)
        return make(tuple(sub(s) for s in self._size), self.dtype, stride, sub(self._offset))

    @property
    def free_symbols(self) -> frozenset[str]:
        """Names of the symbols in the sizes, strides and storage offset."""
        out: set[str] = set()
        for v in (*self._size, *(self._stride or ()), self._offset):
            if isinstance(v, SymInt):
                out |= v.free_symbols
        return frozenset(out)

    if TYPE_CHECKING:
        # The registry attaches the op methods at import time (``x.view``, ``x + y``, ...).
        def __getattr__(self, name: str) -> Any: ...
        def __add__(self, other: Any) -> Any: ...
        def __radd__(self, other: Any) -> Any: ...
        def __sub__(self, other: Any) -> Any: ...
        def __rsub__(self, other: Any) -> Any: ...
        def __mul__(self, other: Any) -> Any: ...
        def __rmul__(self, other: Any) -> Any: ...
        def __truediv__(self, other: Any) -> Any: ...
        def __matmul__(self, other: Any) -> Any: ...
        def __neg__(self) -> Any: ...
        def __getitem__(self, index: Any) -> Any: ...


def _is_contiguous(size: Sequence[IntLike], stride: Sequence[IntLike]) -> bool | SymBool:
    """Row-major check as PyTorch defines it (size-1 dims and empty tensors are contiguous whatever
    their strides), built as one condition. Symbolic sizes are taken as neither 0 nor 1 unless
    their hint is (PyTorch's size-oblivious rule), so the result depends only on the strides."""
    result: bool | SymBool = True
    expected: IntLike = 1
    for s, st in zip(reversed(size), reversed(stride)):
        if type(s) is _int:
            if s == 1:
                continue
            if s == 0:
                return True
        elif hint_of(s) in (0, 1):
            continue
        result = _and(result, st == expected)
        if result is False:
            return False
        expected = expected * s
    return _fold(result)


def _and(a: bool | SymBool, b: bool | SymBool) -> bool | SymBool:
    if a is False or b is False:
        return False
    if a is True:
        return _fold(b)
    if b is True:
        return _fold(a)
    return _fold(a & b)


def _or(a: bool | SymBool, b: bool | SymBool) -> bool | SymBool:
    a, b = _fold(a), _fold(b)
    if a is True or b is True:
        return True
    if a is False:
        return b
    if b is False:
        return a
    return _fold(a | b)


def _fold(x: bool | SymBool) -> bool | SymBool:
    if isinstance(x, SymBool) and x.is_constant:
        return builtins.bool(x.hint)
    return x


def _is_contiguous_known(size: Sequence[IntLike], stride: Sequence[IntLike]) -> bool:
    return _is_contiguous(size, stride) is True


_NUMBER_TYPES = (int, float, complex, SymInt, SymFloat, SymBool)


def tensor_arg(x: object, op: str, arg: str = "input", pos: int = 1) -> FakeTensor:
    """``x`` if it is a FakeTensor, else PyTorch's TypeError naming the op and the argument."""
    if isinstance(x, FakeTensor):
        return x
    raise TypeError(f"{op}(): argument '{arg}' (position {pos}) must be Tensor, not {type(x).__name__}")


def is_number(x: object) -> bool:
    """Whether ``x`` is a Python or symbolic number (a "scalar" operand)."""
    return isinstance(x, _NUMBER_TYPES)


def int_arg(x: object, op: str, arg: str) -> IntLike:
    """``x`` as a size-like int (an int or a SymInt); TypeError otherwise."""
    if type(x) is _int:
        return x
    if isinstance(x, SymInt):
        return _concrete(x)
    if isinstance(x, _int) and not isinstance(x, bool):
        return _int(x)
    raise TypeError(f"{op}(): argument '{arg}' must be int, not {type(x).__name__}")


def sizes_arg(args: Sequence[Any], op: str, arg: str = "size") -> tuple[IntLike, ...]:
    """A size given as varargs (``view(2, 3)``) or one sequence (``view((2, 3))``); entries may be
    negative (``-1`` for inference is the caller's business)."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = args[0]
    out: list[IntLike] = []
    for i, s in enumerate(args):
        if type(s) is _int:
            out.append(s)
        elif isinstance(s, SymInt):
            out.append(_concrete(s))
        elif isinstance(s, _int) and not isinstance(s, bool):
            out.append(_int(s))
        else:
            raise TypeError(
                f"{op}(): argument '{arg}' must be tuple of ints, but found element of type "
                f"{type(s).__name__} at pos {i}"
            )
    return tuple(out)


def dims_arg(dim: Any, ndim: int, op: str) -> tuple[int, ...]:
    """``dim`` (an int, a sequence of ints, or None for all) as sorted distinct wrapped dims.

    Raises:
        RuntimeError: A dim appears twice.
    """
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, (tuple, list)):
        out = [wrap_dim(d, ndim, op) for d in dim]
        if len(set(out)) != len(out):
            raise RuntimeError(f"{op}: dim {out} appears multiple times in the list of dims")
        return tuple(sorted(out))
    return (wrap_dim(dim, ndim, op),)


def nonneg(x: IntLike, what: Callable[[], str], exc: type[Exception] = RuntimeError) -> IntLike:
    """Checks ``x >= 0`` (a guard or assertion when symbolic) and returns ``x``."""
    check(x >= 0, what, exc)
    return x
