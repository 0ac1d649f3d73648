"""The op registry: one table from which ``symcore.ops``, ``symcore.nn.functional``, the
FakeTensor methods and the tracing hooks are generated.

Who uses it: whoever adds an op. An op is its shape rule — a function with the PyTorch
namesake's signature that takes FakeTensors (and numbers, SymInts, ...) and returns FakeTensors —
plus one decorator::

    @register("matmul", method=True, dunder="__matmul__", rdunder="__rmatmul__")
    def matmul(input: FakeTensor, other: FakeTensor) -> FakeTensor:
        ...

The decorator returns the public op (the rule wrapped so that, while a tracer is active, the call
becomes one graph node), registers it as a graph target (``symcore.ops.matmul``), puts it in its
namespaces and attaches the methods. With no tracer active the wrapper calls the rule directly.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Callable, TypeVar, cast

from symcore.graph import register_target
from symcore.tensor._state import STATE
from symcore.tensor.fake import FakeTensor

__all__ = ["OpInfo", "namespace", "op_info", "ops", "register"]

F = TypeVar("F", bound=Callable[..., Any])

_QUALNAME_PREFIX = {"ops": "symcore.ops", "functional": "symcore.nn.functional"}


@dataclass(frozen=True)
class OpInfo:
    """One registered op.

    Attributes:
        name: The primary name (``"matmul"``).
        fn: The public callable; graph nodes hold it as their target.
        rule: The shape rule it wraps.
        qualname: The graph target name (``"symcore.ops.matmul"``).
        namespaces: Where ``fn`` is published: ``"ops"`` and/or ``"functional"``.
        names: Every name ``fn`` is published under (the name and its aliases).
        methods: FakeTensor method names bound to ``fn`` (including dunders).
    """

    name: str
    fn: Callable[..., Any]
    rule: Callable[..., Any]
    qualname: str
    namespaces: tuple[str, ...]
    names: tuple[str, ...]
    methods: tuple[str, ...]


_OPS: dict[str, OpInfo] = {}
_NAMESPACES: dict[str, dict[str, Callable[..., Any]]] = {"ops": {}, "functional": {}}


def _make_op(rule: Callable[..., Any], name: str, qualname: str) -> Callable[..., Any]:
    @functools.wraps(rule)
    def op(*args: Any, **kwargs: Any) -> Any:
        tracer = STATE.tracer
        if tracer is None:
            return rule(*args, **kwargs)
        return tracer.call_op(op, rule, args, kwargs)

    op.__qualname__ = name
    op.__module__ = qualname.rsplit(".", 1)[0]
    return op


def _names(value: bool | str | Sequence[str], default: str) -> tuple[str, ...]:
    if value is True:
        return (default,)
    if value is False:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(value)


def register(
    name: str,
    *,
    method: bool | str | Sequence[str] = False,
    function: bool = True,
    functional: bool = False,
    primary: str = "ops",
    aliases: Sequence[str] = (),
    dunder: str | Sequence[str] = (),
    rdunder: str | Sequence[str] = (),
    inplace: bool = False,
) -> Callable[[F], F]:
    """Register a shape rule as the op ``name``.

    Args:
        name: The op's PyTorch name.
        method: Also a FakeTensor method: True for ``name``, or the method name(s) to use.
        function: Published as ``symcore.ops.<name>`` (``torch.<name>``).
        functional: Published as ``symcore.nn.functional.<name>`` (``torch.nn.functional.<name>``).
        primary: The namespace of the graph target name: ``"ops"`` or ``"functional"``.
        aliases: Other names, published wherever ``name`` is (and as methods when ``method``).
        dunder: Special methods that call the op as ``op(self, other)`` (``"__add__"``).
        rdunder: Reflected special methods that call ``op(other, self)`` (``"__radd__"``).
        inplace: The op mutates and returns its first argument (``add_``): a tracer records it
            even though it returns its input, and reads that argument through its node afterwards.

    Returns:
        A decorator that returns the public op.

    Raises:
        ValueError: The name is already registered, or ``primary`` is unknown.
    """
    if primary not in _QUALNAME_PREFIX:
        raise ValueError(f"unknown namespace {primary!r}")
    if name in _OPS:
        raise ValueError(f"op {name!r} is already registered")

    def decorate(rule: F) -> F:
        qualname = f"{_QUALNAME_PREFIX[primary]}.{name}"
        op = _make_op(rule, name, qualname)
        op.inplace = inplace  # type: ignore[attr-defined]
        register_target(qualname, op)
        names = (name, *aliases)
        spaces = tuple(s for s, on in (("ops", function), ("functional", functional)) if on)
        for space in spaces:
            for n in names:
                _NAMESPACES[space][n] = op
        methods = list(_names(method, name))
        if method is True:
            methods.extend(aliases)
        for m in methods:
            setattr(FakeTensor, m, op)
        for m in _names(dunder, name):
            setattr(FakeTensor, m, op)
            methods.append(m)
        for m in _names(rdunder, name):
            setattr(FakeTensor, m, _reflected(op, m))
            methods.append(m)
        _OPS[name] = OpInfo(name, op, rule, qualname, spaces, names, tuple(methods))
        return cast(F, op)

    return decorate


def _reflected(op: Callable[..., Any], name: str) -> Callable[..., Any]:
    def reflected(self: FakeTensor, other: Any) -> Any:
        return op(other, self)

    reflected.__name__ = reflected.__qualname__ = name
    reflected.__doc__ = f"``op(other, self)`` for the op {op.__name__}."
    return reflected


def namespace(space: str) -> dict[str, Callable[..., Any]]:
    """The ops published in ``space`` (``"ops"`` or ``"functional"``), name to callable."""
    return dict(_NAMESPACES[space])


def ops() -> dict[str, OpInfo]:
    """Every registered op, by primary name."""
    return dict(_OPS)


def op_info(name: str) -> OpInfo:
    """The registration of ``name``.

    Raises:
        KeyError: No such op.
    """
    return _OPS[name]
