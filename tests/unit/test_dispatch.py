"""SymDispatchMode: every operation is interceptable, modes stack per thread, the redispatch
idiom reaches the next mode out, and the mode stack survives exceptions."""

import builtins
import math
import operator
import threading

import pytest

import symcore
from symcore import SymBool, SymDispatchMode, SymFloat, SymInt


class Recorder(SymDispatchMode):
    def __init__(self, tag: str = "", log: list | None = None) -> None:
        self.tag = tag
        self.calls: list = []
        self.log = log

    def __sym_dispatch__(self, func, types, args, kwargs):
        self.calls.append((func, types, args))
        if self.log is not None:
            self.log.append((self.tag, func))
        return func(*args, **kwargs)


@pytest.fixture
def env():
    return symcore.ShapeEnv()


# dunder -> (build the call from (x, y) where x is the value under test, expected public callable)
INT_CALLS = {
    "__add__": (lambda x: x + 2, operator.add),
    "__radd__": (lambda x: 2 + x, operator.add),
    "__sub__": (lambda x: x - 2, operator.sub),
    "__rsub__": (lambda x: 2 - x, operator.sub),
    "__mul__": (lambda x: x * 2, operator.mul),
    "__rmul__": (lambda x: 2 * x, operator.mul),
    "__truediv__": (lambda x: x / 2, operator.truediv),
    "__rtruediv__": (lambda x: 2 / x, operator.truediv),
    "__floordiv__": (lambda x: x // 2, operator.floordiv),
    "__rfloordiv__": (lambda x: 2 // x, operator.floordiv),
    "__mod__": (lambda x: x % 2, operator.mod),
    "__rmod__": (lambda x: 2 % x, operator.mod),
    "__divmod__": (lambda x: divmod(x, 2), builtins.divmod),
    "__rdivmod__": (lambda x: divmod(2, x), builtins.divmod),
    "__pow__": (lambda x: x**2, operator.pow),
    "__rpow__": (lambda x: 2**x, operator.pow),
    "__lshift__": (lambda x: x << 1, operator.lshift),
    "__rlshift__": (lambda x: 1 << x, operator.lshift),
    "__rshift__": (lambda x: x >> 1, operator.rshift),
    "__rrshift__": (lambda x: 64 >> x, operator.rshift),
    "__and__": (lambda x: x & 6, operator.and_),
    "__rand__": (lambda x: 6 & x, operator.and_),
    "__or__": (lambda x: x | 6, operator.or_),
    "__ror__": (lambda x: 6 | x, operator.or_),
    "__xor__": (lambda x: x ^ 6, operator.xor),
    "__rxor__": (lambda x: 6 ^ x, operator.xor),
    "__lt__": (lambda x: x < 2, operator.lt),
    "__le__": (lambda x: x <= 2, operator.le),
    "__gt__": (lambda x: x > 2, operator.gt),
    "__ge__": (lambda x: x >= 2, operator.ge),
    "__eq__": (lambda x: x == 2, operator.eq),
    "__ne__": (lambda x: x != 2, operator.ne),
    "__neg__": (lambda x: -x, operator.neg),
    "__pos__": (lambda x: +x, operator.pos),
    "__abs__": (lambda x: abs(x), builtins.abs),
    "__invert__": (lambda x: ~x, operator.invert),
    "__floor__": (lambda x: math.floor(x), math.floor),
    "__ceil__": (lambda x: math.ceil(x), math.ceil),
    "__trunc__": (lambda x: math.trunc(x), math.trunc),
    "__round__": (lambda x: round(x), builtins.round),
    "__bool__": (lambda x: bool(x), builtins.bool),
    "__int__": (lambda x: int(x), builtins.int),
    "__index__": (lambda x: operator.index(x), operator.index),
    "__float__": (lambda x: float(x), builtins.float),
}
FLOAT_ONLY_MISSING = {
    "__lshift__",
    "__rlshift__",
    "__rshift__",
    "__rrshift__",
    "__and__",
    "__rand__",
    "__or__",
    "__ror__",
    "__xor__",
    "__rxor__",
    "__invert__",
    "__index__",
}
# Not operations on values: construction, printing, hashing, pickling helpers and the rich
# comparison slot (each comparison is listed above by its operator).
NOT_OPERATIONS = {
    "__new__",
    "__repr__",
    "__str__",
    "__hash__",
    "__doc__",
    "__module__",
    "__richcmp__",
    "__init__",
}


def _values(env):
    n = env.symint("n", hint=3)
    return {
        SymInt: [n, SymInt(3)],
        SymBool: [n > 1, SymBool(True)],
        SymFloat: [n / 2, SymFloat(1.5)],
    }


@pytest.mark.parametrize("cls", [SymInt, SymBool, SymFloat])
def test_every_magic_method_is_intercepted(env, cls):
    defined = {name for name in vars(cls) if name.startswith("__") and name.endswith("__")}
    unknown = defined - set(INT_CALLS) - NOT_OPERATIONS
    assert not unknown, f"new magic methods without an interception test: {sorted(unknown)}"
    expected = set(INT_CALLS) - (FLOAT_ONLY_MISSING if cls is SymFloat else set())
    assert expected <= defined | {"__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__"}
    for value in _values(env)[cls]:  # a symbolic value and a constant: both reach the mode
        for name in sorted(expected):
            call, func = INT_CALLS[name]
            with Recorder() as rec:
                try:
                    call(value)
                except (TypeError, ValueError, ZeroDivisionError, OverflowError):
                    pass  # the operation may be invalid for this value; it must still be seen
            assert rec.calls, f"{cls.__name__}.{name} on {value!r} was not intercepted"
            assert rec.calls[0][0] is func, f"{cls.__name__}.{name}: got {rec.calls[0][0]}, expected {func}"
            assert cls in rec.calls[0][1]


SYM_FUNCS = [
    (lambda n: symcore.sym_max(n, 2), symcore.sym_max),
    (lambda n: symcore.sym_min(n, 2), symcore.sym_min),
    (lambda n: symcore.sym_not(n > 2), symcore.sym_not),
    (lambda n: symcore.sym_ite(n > 2, n, 1), symcore.sym_ite),
    (lambda n: symcore.sym_float(n), symcore.sym_float),
    (lambda n: symcore.sym_int(n / 2), symcore.sym_int),
]


@pytest.mark.parametrize(("call", "func"), SYM_FUNCS)
def test_sym_functions_are_intercepted(env, call, func):
    n = env.symint("n", hint=3)
    plain = call(n)  # computed without a mode
    with Recorder() as rec:
        result = call(n)
    assert [c[0] for c in rec.calls][-1] is func
    assert result.key() == plain.key()


def test_three_argument_pow_is_intercepted(env):
    n = env.symint("n", hint=3)
    with Recorder() as rec:
        r = pow(n, 2, 5)
    assert rec.calls[0][0] is builtins.pow
    assert rec.calls[0][2] == (n, 2, 5) or rec.calls[0][2][1:] == (2, 5)
    assert r.hint == pow(3, 2, 5)


def test_reflected_operands_are_in_call_order(env):
    n = env.symint("n", hint=3)
    with Recorder() as rec:
        7 - n
    func, _, args = rec.calls[0]
    assert func is operator.sub
    assert args[0] == 7
    assert args[1] is n


def test_plain_ints_never_reach_a_mode():
    with Recorder() as rec:
        assert 3 + 4 == 7
        assert symcore.sym_max(3, 4) == 4
    assert rec.calls == []


def test_handler_result_is_the_operation_result(env):
    class Const(SymDispatchMode):
        def __sym_dispatch__(self, func, types, args, kwargs):
            return 42

    n = env.symint("n", hint=3)
    with Const():
        assert n + 1 == 42
    assert (n + 1).hint == 4


def test_nested_modes_inner_first_then_outer_sees_redispatch(env):
    n = env.symint("n", hint=3)
    log: list = []
    with Recorder("outer", log), Recorder("inner", log):
        r = n * 5
    assert log == [("inner", operator.mul), ("outer", operator.mul)]
    assert r.hint == 15


def test_exception_in_handler_restores_the_stack(env):
    class Boom(SymDispatchMode):
        def __sym_dispatch__(self, func, types, args, kwargs):
            raise KeyError("boom")

    n = env.symint("n", hint=3)
    outer = Recorder()
    with outer:
        boom = Boom()
        with boom:
            with pytest.raises(KeyError):
                n + 1
            assert symcore.active_modes() == [outer, boom]
        n + 2
    assert symcore.active_modes() == []
    assert [c[0] for c in outer.calls] == [operator.add]


def test_errors_from_the_operation_propagate_and_restore(env):
    n = env.symint("n", hint=3)
    rec = Recorder()
    with rec:
        with pytest.raises(ZeroDivisionError):
            n // 0
        assert symcore.active_modes() == [rec]
    assert symcore.active_modes() == []


def test_reentering_an_active_mode_is_refused(env):
    rec = Recorder()
    with rec:
        with pytest.raises(RuntimeError, match="already active"):
            rec.__enter__()
    assert symcore.active_modes() == []


def test_modes_exit_in_reverse_order():
    a, b = Recorder(), Recorder()
    a.__enter__()
    b.__enter__()
    with pytest.raises(RuntimeError, match="innermost"):
        a.__exit__(None, None, None)
    b.__exit__(None, None, None)
    a.__exit__(None, None, None)
    assert symcore.active_modes() == []


def test_mode_without_handler_is_refused():
    with pytest.raises(TypeError, match="__sym_dispatch__"):
        symcore._core.push_mode(object())


def test_modes_are_per_thread(env):
    n = env.symint("n", hint=3)
    rec = Recorder()
    results = []

    def other_thread():
        results.append(((n + 10).hint, symcore.active_modes()))

    with rec:
        t = threading.Thread(target=other_thread)
        t.start()
        t.join()
        n + 1
    assert results == [(13, [])]
    assert [c[0] for c in rec.calls] == [operator.add]


def test_foreign_operands_still_return_not_implemented(env):
    n = env.symint("n", hint=3)
    with Recorder() as rec:
        with pytest.raises(TypeError):
            n + "x"
    assert rec.calls == []


def test_guard_from_bool_under_a_mode(env):
    n = env.symint("n", hint=3)
    with Recorder() as rec:
        assert bool(n > 2)
    assert [c[0] for c in rec.calls] == [operator.gt, builtins.bool]
    assert [str(g) for g in env.guards] == ["n >= 3"]
