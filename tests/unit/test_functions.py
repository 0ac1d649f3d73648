"""The sym_* functions, on symbolic values and on plain numbers."""

import math

import pytest

import symcore
from symcore import SymBool, SymFloat, SymInt, sym_float, sym_int, sym_ite, sym_max, sym_min, sym_not


@pytest.mark.parametrize(
    "args",
    [(1, 2), (5, -3, 4), (2**70, -(2**70), 0), (2.5, 1), (3, 3)],
)
def test_sym_max_min_of_plain_numbers_are_builtins(args):
    assert sym_max(*args) == max(args)
    assert sym_min(*args) == min(args)
    assert type(sym_max(*args)) is type(max(args))


@pytest.mark.parametrize("vals", [(1, 2), (5, -3, 4), (2**70, -(2**70), 0), (3, 3), (-1, -1, -2)])
def test_sym_max_min_symbolic(vals):
    env = symcore.ShapeEnv()
    syms = [env.symint(f"s{i}", v) for i, v in enumerate(vals)]
    binding = {f"s{i}": v for i, v in enumerate(vals)}
    mx, mn = sym_max(*syms), sym_min(*syms)
    assert isinstance(mx, SymInt) and isinstance(mn, SymInt)
    assert mx.hint == max(vals) and mn.hint == min(vals)
    assert env.evaluate(mx, binding) == max(vals)
    assert env.evaluate(mn, binding) == min(vals)
    other = {k: -v + 1 for k, v in binding.items()}
    assert env.evaluate(mx, other) == max(other.values())
    assert env.evaluate(mn, other) == min(other.values())


def test_sym_max_mixed_plain_and_symbolic():
    env = symcore.ShapeEnv()
    s = env.symint("s", 3)
    m = sym_max(s, 5, -2)
    for v in (-10, 3, 5, 9):
        assert env.evaluate(m, {"s": v}) == max(v, 5, -2)
    assert sym_max(s, s).key() == s.key()
    assert sym_min(s, s).key() == s.key()


def test_sym_max_min_errors():
    with pytest.raises(TypeError):
        sym_max()
    with pytest.raises(TypeError):
        sym_min()
    env = symcore.ShapeEnv()
    s = env.symint("s", 3)
    with pytest.raises(TypeError):
        sym_max(s, "a")


def test_sym_ite():
    env = symcore.ShapeEnv()
    a = env.symint("a", 3)
    b = env.symint("b", 8)
    r = sym_ite(a < b, a * 2, b - 1)
    assert isinstance(r, SymInt)
    assert r.hint == (3 * 2 if 3 < 8 else 8 - 1)
    for u, v in [(3, 8), (9, 2), (4, 4)]:
        assert env.evaluate(r, {"a": u, "b": v}) == (u * 2 if u < v else v - 1)
    f = sym_ite(a < b, a / 2, b / 4)
    assert isinstance(f, SymFloat)
    assert env.evaluate(f, {"a": 9, "b": 2}) == 2 / 4
    bb = sym_ite(a < b, a == 3, b == 3)
    assert isinstance(bb, SymBool)
    assert env.evaluate(bb, {"a": 9, "b": 3}) is True
    assert env.guards == []


def test_sym_ite_plain_condition():
    assert sym_ite(True, 1, 2) == 1
    assert sym_ite(0, 1, 2) == 2
    env = symcore.ShapeEnv()
    a = env.symint("a", 3)
    assert sym_ite(False, a, 7) == 7


def test_sym_ite_plain_condition_keeps_errors_of_other_branch():
    # With plain numbers, sym_ite(False, x / y, 0.5) computes x / y before the call and raises
    # ZeroDivisionError at y = 0. The symbolic result must raise there too: a SymBool(False)
    # condition does (the branches' partial subexpressions are kept), so a plain False must too.
    with pytest.raises(ZeroDivisionError):
        sym_ite(False, 1 / 0, 0.5)
    env = symcore.ShapeEnv()
    x = env.symint("x", 1)
    y = env.symint("y", 1)
    with pytest.raises(ZeroDivisionError):
        env.evaluate(sym_ite(SymBool(False), x / y, 0.5), {"x": 1, "y": 0})
    with pytest.raises(ZeroDivisionError):
        env.evaluate(sym_ite(False, x / y, 0.5), {"x": 1, "y": 0})


def test_sym_ite_mismatched_branch_types():
    env = symcore.ShapeEnv()
    a = env.symint("a", 3)
    with pytest.raises(TypeError):
        sym_ite(a > 1, a, a / 2)


def test_sym_not_and_sym_float_and_sym_int_plain():
    assert sym_not(True) is False
    assert sym_not(0) is True
    assert sym_float(3) == 3.0 and type(sym_float(3)) is float
    assert sym_int(2.9) == 2 and sym_int(-2.9) == -2
    with pytest.raises(TypeError):
        sym_not("x")
    with pytest.raises(TypeError):
        sym_float(None)


def test_sym_not_symbolic():
    env = symcore.ShapeEnv()
    a = env.symint("a", 3)
    n = sym_not(a > 1)
    assert isinstance(n, SymBool)
    for v in (0, 1, 2):
        assert env.evaluate(n, {"a": v}) is (not v > 1)
    assert sym_not(sym_not(a > 1)).key() == (a > 1).key()


@pytest.mark.parametrize("v", [0, 7, -7, 2**53 + 1, -(2**80)])
def test_sym_float_symbolic(v):
    env = symcore.ShapeEnv()
    a = env.symint("a", v)
    f = sym_float(a)
    assert isinstance(f, SymFloat)
    assert env.evaluate(f, {"a": v}) == float(v)
    assert env.guards == []


@pytest.mark.parametrize(("n", "d"), [(7, 2), (-7, 2), (1, 3), (-(10**20), 7)])
def test_sym_int_symbolic_truncates(n, d):
    env = symcore.ShapeEnv()
    a = env.symint("a", n)
    i = sym_int(a / d)
    assert isinstance(i, SymInt)
    assert env.evaluate(i, {"a": n}) == int(n / d)
    assert sym_int(a).key() == a.key()


def test_sym_float_of_nan_and_inf_results():
    env = symcore.ShapeEnv()
    a = env.symint("a", 1)
    assert math.isinf(env.evaluate(a * math.inf, {"a": 2}))
    assert math.isnan(env.evaluate(a * math.inf, {"a": 0}))
