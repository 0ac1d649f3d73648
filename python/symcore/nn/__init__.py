"""``symcore.nn``: PyTorch-compatible modules whose parameters are FakeTensors.

Who uses it: model analysts porting a PyTorch model definition by changing its imports
(``import symcore.nn as nn``, ``import symcore.nn.functional as F``). Constructors take PyTorch's
arguments (sizes may be ints or SymInts; ``device`` and ``padding_mode`` are accepted and ignored),
``named_parameters()``, ``parameters()``, ``children()``, ``modules()`` and ``state_dict()`` work
as in PyTorch, and calling a module calls ``forward``. There is no data anywhere, so even a
70B-parameter model constructs in milliseconds.

Examples:
    >>> import symcore.nn as nn
    >>> from symcore.tensor import empty
    >>> net = nn.Sequential(nn.Linear(16, 32), nn.ReLU(), nn.Linear(32, 4))
    >>> net(empty(8, 16)).shape
    symcore.Size([8, 4])
    >>> [n for n, _ in net.named_parameters()]
    ['0.weight', '0.bias', '2.weight', '2.bias']
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Callable

from symcore.nn import functional as F
from symcore.nn import init
from symcore.tensor import dtypes
from symcore.tensor.fake import FakeTensor, IntLike, make
from symcore.tensor.ops_elementwise import dropout as _dropout
from symcore.tensor.ops_views import flatten as _flatten
from symcore.tensor.ops_views import unflatten as _unflatten

__all__ = [
    "ELU",
    "GELU",
    "GLU",
    "AdaptiveAvgPool1d",
    "AdaptiveAvgPool2d",
    "AdaptiveMaxPool2d",
    "AvgPool1d",
    "AvgPool2d",
    "BatchNorm1d",
    "BatchNorm2d",
    "BatchNorm3d",
    "Conv1d",
    "Conv2d",
    "Conv3d",
    "ConvTranspose1d",
    "ConvTranspose2d",
    "Dropout",
    "Dropout1d",
    "Dropout2d",
    "Embedding",
    "Flatten",
    "GroupNorm",
    "Hardswish",
    "Identity",
    "LayerNorm",
    "LeakyReLU",
    "Linear",
    "LogSoftmax",
    "MaxPool1d",
    "MaxPool2d",
    "Mish",
    "Module",
    "ModuleDict",
    "ModuleList",
    "MultiheadAttention",
    "Parameter",
    "PixelShuffle",
    "RMSNorm",
    "ReLU",
    "ReLU6",
    "Sequential",
    "SiLU",
    "Sigmoid",
    "Softmax",
    "Softplus",
    "Tanh",
    "Unflatten",
    "Upsample",
    "functional",
    "init",
]

functional = F


class Parameter(FakeTensor):
    """A FakeTensor registered as a module parameter when assigned to a module attribute."""

    __slots__ = ()

    def __new__(cls, data: FakeTensor | None = None, requires_grad: bool = True) -> Parameter:
        """A parameter with ``data``'s sizes, strides and dtype (an empty 1-d tensor when None)."""
        src = data if data is not None else make((0,), dtypes.float32)
        if not isinstance(src, FakeTensor):
            raise TypeError(f"Parameter(): data must be a FakeTensor, got {type(src).__name__}")
        p = object.__new__(cls)
        p._size, p._stride, p._offset, p.dtype = src._size, src._stride, src._offset, src.dtype
        return p

    def __init__(self, data: FakeTensor | None = None, requires_grad: bool = True) -> None:
        pass

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


def _param(*size: IntLike, dtype: Any = None) -> Parameter:
    return Parameter(make(size, dtypes.float32 if dtype is None else dtypes.to_dtype(dtype)))


class Module:
    """Base class of modules, as ``torch.nn.Module``: assigning a :class:`Parameter` or a Module to an
    attribute registers it; ``forward`` does the work and ``module(...)`` calls it."""

    training: bool
    _parameters: dict[str, Parameter | None]
    _buffers: dict[str, FakeTensor | None]
    _modules: dict[str, Module | None]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        object.__setattr__(self, "training", True)
        object.__setattr__(self, "_parameters", {})
        object.__setattr__(self, "_buffers", {})
        object.__setattr__(self, "_modules", {})

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """The computation; subclasses define it.

        Raises:
            NotImplementedError: Not overridden.
        """
        raise NotImplementedError(f'Module [{type(self).__name__}] is missing the required "forward" function')

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.forward(*args, **kwargs)

    # -- registration --------------------------------------------------------------------------

    def __setattr__(self, name: str, value: Any) -> None:
        params = self.__dict__.get("_parameters")
        if isinstance(value, Parameter):
            if params is None:
                raise AttributeError("cannot assign parameters before Module.__init__() call")
            self._drop(name)
            params[name] = value
        elif isinstance(value, Module):
            if params is None:
                raise AttributeError("cannot assign module before Module.__init__() call")
            self._drop(name)
            self._modules[name] = value
        elif params is not None and name in params:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{type(value).__name__}' as parameter '{name}' (Parameter or None expected)"
                )
            params[name] = None
        elif params is not None and name in self._modules:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{type(value).__name__}' as child module '{name}' (Module or None expected)"
                )
            self._modules[name] = None
        elif params is not None and name in self._buffers:
            if value is not None and not isinstance(value, FakeTensor):
                raise TypeError(
                    f"cannot assign '{type(value).__name__}' as buffer '{name}' (FakeTensor or None expected)"
                )
            self._buffers[name] = value
        else:
            object.__setattr__(self, name, value)

    def _drop(self, name: str) -> None:
        self.__dict__.pop(name, None)
        for table in (self._parameters, self._buffers, self._modules):
            table.pop(name, None)

    def __getattr__(self, name: str) -> Any:
        d = self.__dict__
        for table in ("_parameters", "_buffers", "_modules"):
            entries = d.get(table)
            if entries is not None and name in entries:
                return entries[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name: str) -> None:
        for table in (self._parameters, self._buffers, self._modules):
            if name in table:
                del table[name]
                return
        object.__delattr__(self, name)

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Adds a parameter (or a None placeholder)."""
        if "." in name or not name:
            raise KeyError(f"parameter name can't contain \".\" and can't be empty, got {name!r}")
        self._drop(name)
        self._parameters[name] = param

    def register_buffer(self, name: str, tensor: FakeTensor | None, persistent: bool = True) -> None:
        """Adds a buffer (a non-parameter tensor, e.g. running statistics)."""
        if "." in name or not name:
            raise KeyError(f"buffer name can't contain \".\" and can't be empty, got {name!r}")
        if tensor is not None and not isinstance(tensor, FakeTensor):
            raise TypeError(
                f"cannot assign '{type(tensor).__name__}' object to buffer '{name}' (FakeTensor or None required)"
            )
        self._drop(name)
        self._buffers[name] = tensor

    def add_module(self, name: str, module: Module | None) -> None:
        """Adds a child module."""
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        self._drop(name)
        self._modules[name] = module

    register_module = add_module

    # -- traversal -----------------------------------------------------------------------------

    def named_modules(self, memo: set[int] | None = None, prefix: str = "") -> Iterator[tuple[str, Module]]:
        """This module and its descendants, each once, with dotted names."""
        memo = set() if memo is None else memo
        if id(self) in memo:
            return
        memo.add(id(self))
        yield prefix, self
        for name, child in self._modules.items():
            if child is not None:
                yield from child.named_modules(memo, f"{prefix}.{name}" if prefix else name)

    def modules(self) -> Iterator[Module]:
        """This module and its descendants."""
        for _, m in self.named_modules():
            yield m

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """The direct children with their names."""
        seen: set[int] = set()
        for name, child in self._modules.items():
            if child is not None and id(child) not in seen:
                seen.add(id(child))
                yield name, child

    def children(self) -> Iterator[Module]:
        """The direct children."""
        for _, m in self.named_children():
            yield m

    def _named(self, table: str, prefix: str, recurse: bool) -> Iterator[tuple[str, Any]]:
        seen: set[int] = set()
        modules = self.named_modules(prefix=prefix) if recurse else iter([(prefix, self)])
        for mod_prefix, module in modules:
            for name, value in getattr(module, table).items():
                if value is None or id(value) in seen:
                    continue
                seen.add(id(value))
                yield (f"{mod_prefix}.{name}" if mod_prefix else name), value

    def named_parameters(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Parameter]]:
        """Every parameter with its dotted name (shared ones once)."""
        yield from self._named("_parameters", prefix, recurse)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        """Every parameter (shared ones once)."""
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, FakeTensor]]:
        """Every buffer with its dotted name."""
        yield from self._named("_buffers", prefix, recurse)

    def buffers(self, recurse: bool = True) -> Iterator[FakeTensor]:
        """Every buffer."""
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    def state_dict(self) -> dict[str, FakeTensor]:
        """Parameters and buffers by dotted name."""
        return {**dict(self.named_parameters()), **dict(self.named_buffers())}

    def num_parameters(self) -> IntLike:
        """Total number of parameter elements (a SymInt when sizes are symbolic)."""
        total: IntLike = 0
        for p in self.parameters():
            total = total + p.numel()
        return total

    # -- modes and conversions -----------------------------------------------------------------

    def train(self, mode: bool = True) -> Module:
        """Sets training mode here and below."""
        for m in self.modules():
            object.__setattr__(m, "training", mode)
        return self

    def eval(self) -> Module:
        """``train(False)``."""
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        """No autograd here: returns the module."""
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """No gradients here."""

    def apply(self, fn: Callable[[Module], Any]) -> Module:
        """Calls ``fn`` on every descendant, then on this module."""
        for child in self.children():
            child.apply(fn)
        fn(self)
        return self

    def to(self, *args: Any, **kwargs: Any) -> Module:
        """Converts floating parameters and buffers to a dtype given positionally or as ``dtype=``
        (devices are ignored)."""
        target = kwargs.get("dtype")
        for a in args:
            if isinstance(a, dtypes.dtype):
                target = a
        if target is None:
            return self
        d = dtypes.to_dtype(target)
        for m in self.modules():
            for name, p in list(m._parameters.items()):
                if p is not None and p.dtype.is_floating_point:
                    m._parameters[name] = Parameter(make(p._size, d, p._stride, p._offset))
            for name, b in list(m._buffers.items()):
                if b is not None and b.dtype.is_floating_point:
                    m._buffers[name] = make(b._size, d, b._stride, b._offset)
        return self

    def half(self) -> Module:
        """``to(float16)``."""
        return self.to(dtypes.float16)

    def bfloat16(self) -> Module:
        """``to(bfloat16)``."""
        return self.to(dtypes.bfloat16)

    def float(self) -> Module:
        """``to(float32)``."""
        return self.to(dtypes.float32)

    def double(self) -> Module:
        """``to(float64)``."""
        return self.to(dtypes.float64)

    def cuda(self, *args: Any, **kwargs: Any) -> Module:
        """No devices: returns the module."""
        return self

    cpu = cuda

    def extra_repr(self) -> str:
        """The constructor arguments shown by ``repr``."""
        return ""

    def __repr__(self) -> str:
        lines = []
        for name, child in self._modules.items():
            text = repr(child).replace("\n", "\n  ")
            lines.append(f"({name}): {text}")
        head = f"{type(self).__name__}({self.extra_repr()}"
        if not lines:
            return head + ")"
        return head + "\n  " + "\n  ".join(lines) + "\n)"

    def __dir__(self) -> list[str]:
        return sorted({*object.__dir__(self), *self._parameters, *self._buffers, *self._modules})


# -- containers --------------------------------------------------------------------------------


class Sequential(Module):
    """Modules applied in order (``Sequential(a, b)`` or ``Sequential(OrderedDict(...))``)."""

    def __init__(self, *args: Any) -> None:
        super().__init__()
        if len(args) == 1 and isinstance(args[0], (OrderedDict, dict)):
            for name, m in args[0].items():
                self.add_module(name, m)
        else:
            for i, m in enumerate(args):
                self.add_module(str(i), m)

    def forward(self, input: Any) -> Any:
        """Feeds ``input`` through every module."""
        for m in self._modules.values():
            if m is not None:
                input = m(input)
        return input

    def __getitem__(self, idx: int | slice) -> Any:
        items = list(self._modules.items())
        if isinstance(idx, slice):
            return Sequential(OrderedDict(items[idx]))
        if not -len(items) <= idx < len(items):
            raise IndexError(f"index {idx} is out of range")
        return items[idx][1]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(m for m in self._modules.values() if m is not None)

    def append(self, module: Module) -> Sequential:
        """Adds ``module`` at the end."""
        self.add_module(str(len(self._modules)), module)
        return self


class ModuleList(Module):
    """A list of modules (registered, so their parameters are found)."""

    def __init__(self, modules: Iterable[Module] | None = None) -> None:
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def __getitem__(self, idx: int | slice) -> Any:
        items = list(self._modules.values())
        if isinstance(idx, slice):
            return ModuleList(m for m in items[idx] if m is not None)
        if not -len(items) <= idx < len(items):
            raise IndexError(f"index {idx} is out of range")
        return items[idx]

    def __setitem__(self, idx: int, module: Module) -> None:
        n = len(self._modules)
        if not -n <= idx < n:
            raise IndexError(f"index {idx} is out of range")
        self.add_module(str(idx % n), module)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._modules.values())

    def append(self, module: Module) -> ModuleList:
        """Adds ``module`` at the end."""
        self.add_module(str(len(self._modules)), module)
        return self

    def extend(self, modules: Iterable[Module]) -> ModuleList:
        """Adds ``modules`` at the end."""
        for m in modules:
            self.append(m)
        return self

    def insert(self, index: int, module: Module) -> None:
        """Inserts ``module`` before ``index``."""
        items = list(self._modules.values())
        items.insert(index, module)
        self._modules.clear()
        for i, m in enumerate(items):
            self._modules[str(i)] = m

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """ModuleList is not callable.

        Raises:
            NotImplementedError: always.
        """
        raise NotImplementedError("ModuleList has no forward; iterate over it")


class ModuleDict(Module):
    """A dict of modules."""

    def __init__(self, modules: Mapping[str, Module] | None = None) -> None:
        super().__init__()
        for k, v in (modules or {}).items():
            self.add_module(k, v)

    def __getitem__(self, key: str) -> Any:
        return self._modules[key]

    def __setitem__(self, key: str, module: Module) -> None:
        self.add_module(key, module)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def __contains__(self, key: object) -> bool:
        return key in self._modules

    def keys(self) -> Iterable[str]:
        """The names."""
        return self._modules.keys()

    def values(self) -> Iterable[Any]:
        """The modules."""
        return self._modules.values()

    def items(self) -> Iterable[tuple[str, Any]]:
        """``(name, module)`` pairs."""
        return self._modules.items()


# -- layers ------------------------------------------------------------------------------------


class Identity(Module):
    """Returns its input."""

    def forward(self, input: Any) -> Any:
        """``input``."""
        return input


class Linear(Module):
    """``y = x @ weight.T + bias``; ``weight`` is ``[out_features, in_features]``."""

    def __init__(
        self, in_features: IntLike, out_features: IntLike, bias: bool = True, device: Any = None, dtype: Any = None
    ) -> None:
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        self.weight = _param(out_features, in_features, dtype=dtype)
        if bias:
            self.bias = _param(out_features, dtype=dtype)
        else:
            self.register_parameter("bias", None)

    def forward(self, input: FakeTensor) -> FakeTensor:
        """``F.linear(input, weight, bias)``."""
        return F.linear(input, self.weight, self.bias)  # type: ignore[no-any-return]

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


def _tuple(value: Any, n: int) -> tuple[Any, ...]:
    return tuple(value) if isinstance(value, (list, tuple)) else (value,) * n


class _ConvNd(Module):
    _n = 2
    _transposed = False

    def __init__(
        self,
        in_channels: IntLike,
        out_channels: IntLike,
        kernel_size: Any,
        stride: Any = 1,
        padding: Any = 0,
        dilation: Any = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        device: Any = None,
        dtype: Any = None,
        output_padding: Any = 0,
    ) -> None:
        super().__init__()
        n = self._n
        if groups <= 0:
            raise ValueError("groups must be a positive integer")
        if isinstance(in_channels, int) and in_channels % groups:
            raise ValueError("in_channels must be divisible by groups")
        if isinstance(out_channels, int) and out_channels % groups:
            raise ValueError("out_channels must be divisible by groups")
        if isinstance(padding, str):
            if padding not in ("valid", "same"):
                raise ValueError(f"Invalid padding string {padding!r}, should be one of {{'valid', 'same'}}")
            if padding == "same" and any(s != 1 for s in _tuple(stride, n)):
                raise ValueError("padding='same' is not supported for strided convolutions")
        if padding_mode not in ("zeros", "reflect", "replicate", "circular"):
            raise ValueError(
                f"padding_mode must be one of ['zeros', 'reflect', 'replicate', 'circular'], but got padding_mode="
                f"'{padding_mode}'"
            )
        self.in_channels, self.out_channels, self.groups = in_channels, out_channels, groups
        self.kernel_size = _tuple(kernel_size, n)
        self.stride = _tuple(stride, n)
        self.padding = padding if isinstance(padding, str) else _tuple(padding, n)
        self.dilation = _tuple(dilation, n)
        self.output_padding = _tuple(output_padding, n)
        self.padding_mode = padding_mode
        if self._transposed:
            self.weight = _param(in_channels, out_channels // groups, *self.kernel_size, dtype=dtype)
        else:
            self.weight = _param(out_channels, in_channels // groups, *self.kernel_size, dtype=dtype)
        if bias:
            self.bias = _param(out_channels, dtype=dtype)
        else:
            self.register_parameter("bias", None)

    def extra_repr(self) -> str:
        return (
            f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}, "
            f"padding={self.padding}"
        )


class Conv1d(_ConvNd):
    """1-d convolution: ``[N, C_in, L] -> [N, C_out, L_out]``."""

    _n = 1

    def forward(self, input: FakeTensor) -> FakeTensor:
        """``F.conv1d``."""
        return F.conv1d(input, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups)  # type: ignore[no-any-return]


class Conv2d(_ConvNd):
    """2-d convolution: ``[N, C_in, H, W] -> [N, C_out, H_out, W_out]``."""

    _n = 2

    def forward(self, input: FakeTensor) -> FakeTensor:
        """``F.conv2d``."""
        return F.conv2d(input, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups)  # type: ignore[no-any-return]


class Conv3d(_ConvNd):
    """3-d convolution."""

    _n = 3

    def forward(self, input: FakeTensor) -> FakeTensor:
        """``F.conv3d``."""
        return F.conv3d(input, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups)  # type: ignore[no-any-return]


class _ConvTransposeNd(_ConvNd):
    _transposed = True

    def __init__(
        self,
        in_channels: IntLike,
        out_channels: IntLike,
        kernel_size: Any,
        stride: Any = 1,
        padding: Any = 0,
        output_padding: Any = 0,
        groups: int = 1,
        bias: bool = True,
        dilation: Any = 1,
        padding_mode: str = "zeros",
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        if padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for {type(self).__name__}')
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias, padding_mode,
                         device, dtype, output_padding)  # fmt: skip

    def forward(self, input: FakeTensor, output_size: Any = None) -> FakeTensor:
        """``F.conv_transpose1d`` or ``F.conv_transpose2d``; ``output_size`` picks the output padding."""
        op = self._output_padding(input, output_size)
        conv_transpose = getattr(F, f"conv_transpose{self._n}d")
        return conv_transpose(  # type: ignore[no-any-return]
            input, self.weight, self.bias, self.stride, self.padding, op, self.groups, self.dilation
        )

    def _output_padding(self, input: FakeTensor, output_size: Any) -> tuple[Any, ...]:
        if output_size is None:
            return self.output_padding
        n = self._n
        sizes = list(output_size)[-n:]
        if len(sizes) != n:
            raise ValueError(f"output_size must have {n} or {n + 2} elements (got {len(list(output_size))})")
        out = []
        for i in range(n):
            size_in = input._size[input.ndim - n + i]
            base = (
                (size_in - 1) * self.stride[i] - 2 * self.padding[i] + self.dilation[i] * (self.kernel_size[i] - 1) + 1
            )
            out.append(sizes[i] - base)
        return tuple(out)


class ConvTranspose1d(_ConvTransposeNd):
    """1-d transposed convolution."""

    _n = 1


class ConvTranspose2d(_ConvTransposeNd):
    """2-d transposed convolution: ``(in - 1)*stride - 2*padding + dilation*(k - 1) + output_padding + 1``."""

    _n = 2


class Embedding(Module):
    """A lookup table ``[num_embeddings, embedding_dim]``."""

    def __init__(
        self,
        num_embeddings: IntLike,
        embedding_dim: IntLike,
        padding_idx: int | None = None,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        sparse: bool = False,
        _weight: FakeTensor | None = None,
        _freeze: bool = False,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        if padding_idx is not None and isinstance(num_embeddings, int):
            if not -num_embeddings <= padding_idx < num_embeddings:
                raise AssertionError("Padding_idx must be within num_embeddings")
        self.num_embeddings, self.embedding_dim, self.padding_idx = num_embeddings, embedding_dim, padding_idx
        self.weight = Parameter(_weight) if _weight is not None else _param(num_embeddings, embedding_dim, dtype=dtype)

    def forward(self, input: FakeTensor) -> FakeTensor:
        """``F.embedding(input, weight)``."""
        return F.embedding(input, self.weight, self.padding_idx)  # type: ignore[no-any-return]

    def extra_repr(self) -> str:
        return f"{self.num_embeddings}, {self.embedding_dim}"


def _affine_params(module: Module, shape: tuple[Any, ...], dtype: Any, *, weight: bool, bias: bool) -> None:
    """Registers a norm's ``weight`` and ``bias`` of ``shape``, each a Parameter or a None placeholder."""
    module.register_parameter("weight", _param(*shape, dtype=dtype) if weight else None)
    module.register_parameter("bias", _param(*shape, dtype=dtype) if bias else None)


def _shape(normalized_shape: Any) -> tuple[Any, ...]:
    return tuple(normalized_shape) if isinstance(normalized_shape, (list, tuple)) else (normalized_shape,)


class LayerNorm(Module):
    """Normalises the trailing ``normalized_shape`` dims."""

    def __init__(
        self,
        normalized_shape: Any,
        eps: float = 1e-5,
        elementwise_affine: bool = True,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        self.normalized_shape = _shape(normalized_shape)
        self.eps, self.elementwise_affine = eps, elementwise_affine
        _affine_params(self, self.normalized_shape, dtype, weight=elementwise_affine, bias=elementwise_affine and bias)

    def forward(self, input: FakeTensor) -> FakeTensor:
        """``F.layer_norm``."""
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)  # type: ignore[no-any-return]

    def extra_repr(self) -> str:
        return f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"


class RMSNorm(Module):
    """Root-mean-square normalisation of the trailing ``normalized_shape`` dims."""

    def __init__(
        self,
        normalized_shape: Any,
        eps: float | None = None,
        elementwise_affine: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        self.normalized_shape = _shape(normalized_shape)
        self.eps = eps
        if elementwise_affine:
            self.weight = _param(*self.normalized_shape, dtype=dtype)
        else:
            self.register_parameter("weight", None)

    def forward(self, input: FakeTensor) -> FakeTensor:
        """``F.rms_norm``."""
        return F.rms_norm(input, self.normalized_shape, self.weight, self.eps)  # type: ignore[no-any-return]


class _BatchNorm(Module):
    _ndims: tuple[int, ...] = (3, 4)

    def __init__(
        self,
        num_features: IntLike,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        _affine_params(self, (num_features,), dtype, weight=affine, bias=affine)
        if track_running_stats:
            self.register_buffer("running_mean", make((num_features,), dtypes.to_dtype(dtype or dtypes.float32)))
            self.register_buffer("running_var", make((num_features,), dtypes.to_dtype(dtype or dtypes.float32)))
            self.register_buffer("num_batches_tracked", make((), dtypes.int64))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)

    def forward(self, input: FakeTensor) -> FakeTensor:
        """``F.batch_norm`` (batch statistics when training).

        Raises:
            ValueError: Input of the wrong rank.
        """
        if input.ndim not in self._ndims:
            expected = " or ".join(f"{d}D" for d in self._ndims)
            raise ValueError(f"expected {expected} input (got {input.ndim}D input)")
        return F.batch_norm(  # type: ignore[no-any-return]
            input, self.running_mean, self.running_var, self.weight, self.bias, self.training, 0.1, self.eps
        )

    def extra_repr(self) -> str:
        return f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}"


class BatchNorm1d(_BatchNorm):
    """Batch norm over ``[N, C]`` or ``[N, C, L]``."""

    _ndims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Batch norm over ``[N, C, H, W]``."""

    _ndims = (4,)


class BatchNorm3d(_BatchNorm):
    """Batch norm over ``[N, C, D, H, W]``."""

    _ndims = (5,)


class GroupNorm(Module):
    """Group normalisation over channel groups."""

    def __init__(
        self,
        num_groups: int,
        num_channels: IntLike,
        eps: float = 1e-5,
        affine: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        if isinstance(num_channels, int) and num_channels % num_groups:
            raise ValueError("num_channels must be divisible by num_groups")
        self.num_groups, self.num_channels, self.eps, self.affine = num_groups, num_channels, eps, affine
        _affine_params(self, (num_channels,), dtype, weight=affine, bias=affine)

    def forward(self, input: FakeTensor) -> FakeTensor:
        """``F.group_norm``."""
        return F.group_norm(input, self.num_groups, self.weight, self.bias, self.eps)  # type: ignore[no-any-return]


class Dropout(Module):
    """Identity on shapes."""

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p, self.inplace = p, inplace

    def forward(self, input: FakeTensor) -> FakeTensor:
        """``F.dropout``."""
        return _dropout(input, self.p, self.training, self.inplace)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class Dropout1d(Dropout):
    """Channel dropout (identity on shapes)."""


class Dropout2d(Dropout):
    """Channel dropout (identity on shapes)."""


class MultiheadAttention(Module):
    """``torch.nn.MultiheadAttention``: inputs ``[L, N, E]`` (``[N, L, E]`` with ``batch_first``, or
    unbatched ``[L, E]``); returns ``(output, weights)`` with weights ``[N, L, S]`` averaged over
    heads (``[N, H, L, S]`` otherwise) or None when ``need_weights=False``."""

    def __init__(
        self,
        embed_dim: IntLike,
        num_heads: int,
        dropout: float = 0.0,
        bias: bool = True,
        add_bias_kv: bool = False,
        add_zero_attn: bool = False,
        kdim: IntLike | None = None,
        vdim: IntLike | None = None,
        batch_first: bool = False,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        if isinstance(embed_dim, int) and embed_dim % num_heads:
            raise AssertionError("embed_dim must be divisible by num_heads")
        self.embed_dim, self.num_heads, self.dropout, self.batch_first = embed_dim, num_heads, dropout, batch_first
        self.kdim = embed_dim if kdim is None else kdim
        self.vdim = embed_dim if vdim is None else vdim
        self.head_dim = embed_dim // num_heads
        self._qkv_same_embed_dim = self.kdim is embed_dim and self.vdim is embed_dim
        if self._qkv_same_embed_dim:
            self.in_proj_weight = _param(3 * embed_dim, embed_dim, dtype=dtype)
            self.register_parameter("q_proj_weight", None)
            self.register_parameter("k_proj_weight", None)
            self.register_parameter("v_proj_weight", None)
        else:
            self.register_parameter("in_proj_weight", None)
            self.q_proj_weight = _param(embed_dim, embed_dim, dtype=dtype)
            self.k_proj_weight = _param(embed_dim, self.kdim, dtype=dtype)
            self.v_proj_weight = _param(embed_dim, self.vdim, dtype=dtype)
        if bias:
            self.in_proj_bias = _param(3 * embed_dim, dtype=dtype)
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = Linear(embed_dim, embed_dim, bias=bias, dtype=dtype)
        if add_bias_kv:
            self.bias_k = _param(1, 1, embed_dim, dtype=dtype)
            self.bias_v = _param(1, 1, embed_dim, dtype=dtype)
        else:
            self.register_parameter("bias_k", None)
            self.register_parameter("bias_v", None)
        self.add_zero_attn = add_zero_attn

    def forward(
        self,
        query: FakeTensor,
        key: FakeTensor,
        value: FakeTensor,
        key_padding_mask: FakeTensor | None = None,
        need_weights: bool = True,
        attn_mask: FakeTensor | None = None,
        average_attn_weights: bool = True,
        is_causal: bool = False,
    ) -> tuple[FakeTensor, FakeTensor | None]:
        """Projects, attends per head, and projects back.

        Raises:
            AssertionError: Inputs of the wrong rank or embedding size (PyTorch asserts here).
        """
        batched = query.ndim == 3
        if query.ndim not in (2, 3) or key.ndim != query.ndim or value.ndim != query.ndim:
            raise AssertionError(
                f"query should be unbatched 2D or batched 3D tensor but received {query.ndim}-D query tensor"
            )
        if not batched:
            query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        elif self.batch_first:
            query, key, value = query.transpose(0, 1), key.transpose(0, 1), value.transpose(0, 1)
        tgt_len, bsz, embed = query._size
        src_len = key._size[0]
        h, hd = self.num_heads, self.head_dim
        if self._qkv_same_embed_dim:
            w = self.in_proj_weight
            wq, wk, wv = w.chunk(3)
        else:
            wq, wk, wv = self.q_proj_weight, self.k_proj_weight, self.v_proj_weight
        if self.in_proj_bias is not None:
            bq, bk, bv = self.in_proj_bias.chunk(3)
        else:
            bq = bk = bv = None
        q = F.linear(query, wq, bq)
        k = F.linear(key, wk, bk)
        v = F.linear(value, wv, bv)
        q = q.view(tgt_len, bsz * h, hd).transpose(0, 1).view(bsz, h, tgt_len, hd)
        k = k.view(src_len, bsz * h, hd).transpose(0, 1).view(bsz, h, src_len, hd)
        v = v.view(src_len, bsz * h, hd).transpose(0, 1).view(bsz, h, src_len, hd)
        if attn_mask is not None and attn_mask.ndim == 2:
            attn_mask = attn_mask.view(1, 1, tgt_len, src_len)
        if key_padding_mask is not None:
            kpm = key_padding_mask.view(bsz, 1, 1, src_len)
            attn_mask = kpm if attn_mask is None else attn_mask + kpm.to(attn_mask.dtype)
        out = F.scaled_dot_product_attention(q, k, v, attn_mask, 0.0, is_causal and attn_mask is None)
        out = out.permute(2, 0, 1, 3).contiguous().view(tgt_len * bsz, embed)
        out = self.out_proj(out).view(tgt_len, bsz, embed)
        weights: FakeTensor | None = None
        if need_weights:
            weights = make((bsz, tgt_len, src_len) if average_attn_weights else (bsz, h, tgt_len, src_len), q.dtype)
            if not batched:
                weights = weights.squeeze(0)
        if not batched:
            out = out.squeeze(1)
        elif self.batch_first:
            out = out.transpose(0, 1)
        return out, weights


# -- activations and parameter-free layers -----------------------------------------------------


def _activation(name: str, fn_name: str, doc: str, *params: tuple[str, Any]) -> type[Module]:
    def __init__(self: Module, *args: Any, **kwargs: Any) -> None:
        Module.__init__(self)
        names = [p for p, _ in params]
        values = dict(params)
        if len(args) > len(names):
            raise TypeError(f"{name}() takes at most {len(names)} arguments ({len(args)} given)")
        values.update(zip(names, args))
        for k, v in kwargs.items():
            if k not in values:
                raise TypeError(f"{name}.__init__() got an unexpected keyword argument '{k}'")
            values[k] = v
        for k, v in values.items():
            object.__setattr__(self, k, v)

    def forward(self: Module, input: FakeTensor) -> Any:
        fn = getattr(F, fn_name)
        kwargs = {k: getattr(self, k) for k, _ in params if k not in ("inplace",)}
        return fn(input, **kwargs) if fn_name not in _POSITIONAL else fn(input, *kwargs.values())

    def extra_repr(self: Module) -> str:
        return ", ".join(f"{k}={getattr(self, k)}" for k, _ in params)

    return type(name, (Module,), {"__init__": __init__, "forward": forward, "extra_repr": extra_repr, "__doc__": doc,
                                  "__module__": __name__})  # fmt: skip


_POSITIONAL = {"max_pool1d", "max_pool2d", "avg_pool1d", "avg_pool2d", "adaptive_avg_pool1d", "adaptive_avg_pool2d",
               "adaptive_max_pool2d", "pixel_shuffle"}  # fmt: skip

ReLU = _activation("ReLU", "relu", "``F.relu``.", ("inplace", False))
ReLU6 = _activation("ReLU6", "relu6", "``F.relu6``.", ("inplace", False))
GELU = _activation("GELU", "gelu", "``F.gelu`` (``approximate='none'`` or ``'tanh'``).", ("approximate", "none"))
SiLU = _activation("SiLU", "silu", "``F.silu``.", ("inplace", False))
Mish = _activation("Mish", "mish", "``F.mish``.", ("inplace", False))
Hardswish = _activation("Hardswish", "hardswish", "``F.hardswish``.", ("inplace", False))
Tanh = _activation("Tanh", "tanh", "``F.tanh``.")
Sigmoid = _activation("Sigmoid", "sigmoid", "``F.sigmoid``.")
ELU = _activation("ELU", "elu", "``F.elu``.", ("alpha", 1.0), ("inplace", False))
LeakyReLU = _activation("LeakyReLU", "leaky_relu", "``F.leaky_relu``.", ("negative_slope", 0.01), ("inplace", False))
Softplus = _activation("Softplus", "softplus", "``F.softplus``.", ("beta", 1.0), ("threshold", 20.0))
Softmax = _activation("Softmax", "softmax", "``F.softmax`` along ``dim``.", ("dim", None))
LogSoftmax = _activation("LogSoftmax", "log_softmax", "``F.log_softmax`` along ``dim``.", ("dim", None))
GLU = _activation("GLU", "glu", "``F.glu`` along ``dim``.", ("dim", -1))
MaxPool1d = _activation(
    "MaxPool1d", "max_pool1d", "``F.max_pool1d``.", ("kernel_size", 1), ("stride", None), ("padding", 0),
    ("dilation", 1), ("ceil_mode", False), ("return_indices", False),
)  # fmt: skip
MaxPool2d = _activation(
    "MaxPool2d", "max_pool2d", "``F.max_pool2d`` (``ceil_mode``, ``return_indices``).", ("kernel_size", 1),
    ("stride", None), ("padding", 0), ("dilation", 1), ("ceil_mode", False), ("return_indices", False),
)  # fmt: skip
AvgPool1d = _activation(
    "AvgPool1d", "avg_pool1d", "``F.avg_pool1d``.", ("kernel_size", 1), ("stride", None), ("padding", 0),
    ("ceil_mode", False), ("count_include_pad", True),
)  # fmt: skip
AvgPool2d = _activation(
    "AvgPool2d", "avg_pool2d", "``F.avg_pool2d``.", ("kernel_size", 1), ("stride", None), ("padding", 0),
    ("ceil_mode", False), ("count_include_pad", True), ("divisor_override", None),
)  # fmt: skip
AdaptiveAvgPool1d = _activation("AdaptiveAvgPool1d", "adaptive_avg_pool1d", "``F.adaptive_avg_pool1d``.",
                                ("output_size", 1))  # fmt: skip
AdaptiveAvgPool2d = _activation("AdaptiveAvgPool2d", "adaptive_avg_pool2d", "``F.adaptive_avg_pool2d``.",
                                ("output_size", 1))  # fmt: skip
AdaptiveMaxPool2d = _activation("AdaptiveMaxPool2d", "adaptive_max_pool2d", "``F.adaptive_max_pool2d``.",
                                ("output_size", 1), ("return_indices", False))  # fmt: skip
PixelShuffle = _activation("PixelShuffle", "pixel_shuffle", "``F.pixel_shuffle``.", ("upscale_factor", 1))
Upsample = _activation(
    "Upsample", "interpolate", "``F.interpolate``.", ("size", None), ("scale_factor", None), ("mode", "nearest"),
    ("align_corners", None),
)  # fmt: skip


class Flatten(Module):
    """Flattens dims ``start_dim..end_dim`` (from 1 by default)."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, input: FakeTensor) -> FakeTensor:
        """``input.flatten(start_dim, end_dim)``."""
        return _flatten(input, self.start_dim, self.end_dim)


class Unflatten(Module):
    """Splits ``dim`` into ``unflattened_size``."""

    def __init__(self, dim: int, unflattened_size: Any) -> None:
        super().__init__()
        self.dim, self.unflattened_size = dim, unflattened_size

    def forward(self, input: FakeTensor) -> FakeTensor:
        """``input.unflatten(dim, unflattened_size)``."""
        return _unflatten(input, self.dim, self.unflattened_size)
