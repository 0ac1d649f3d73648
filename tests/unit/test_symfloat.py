"""SymFloat: CPython float semantics for arithmetic, rounding, conversions and comparisons."""

import math
import operator

import pytest

import symcore
from oracle import same_value as same
from symcore import SymFloat, SymInt

FLOATS = [0.1, 2.5, -0.0, 0.0, -1.5, 1e308, math.inf, -math.inf, math.nan, 3.0]


def outcome(fn):
    """The result, or the exception class; a complex result (a negative float to a fractional
    power) counts as ValueError, which is what symcore raises for it."""
    try:
        result = fn()
    except (ArithmeticError, ValueError) as e:
        return type(e)
    return ValueError if isinstance(result, complex) else result


def check(actual_fn, expected_fn):
    expected = outcome(expected_fn)
    actual = outcome(actual_fn)
    if isinstance(expected, type):
        assert actual is expected or (isinstance(actual, type) and issubclass(actual, expected)), (actual, expected)
    else:
        assert same(actual, expected), (actual, expected)


def symfloat(env, name, a, b):
    """A symbolic float ``name_a / name_b`` and the binding making it ``a / b``."""
    x = env.symint(name + "a", a) / env.symint(name + "b", b)
    return x, {name + "a": a, name + "b": b}


@pytest.mark.parametrize("c", FLOATS)
@pytest.mark.parametrize(
    "op",
    [operator.add, operator.sub, operator.mul, operator.truediv, operator.floordiv, operator.mod, operator.pow],
    ids=lambda f: f.__name__,
)
@pytest.mark.parametrize(("a", "b"), [(1, 4), (-7, 2), (0, 1), (10**300, 1), (1, 3)])
def test_float_binary_ops(op, a, b, c):
    env = symcore.ShapeEnv()
    x, binding = symfloat(env, "x", a, b)
    check(lambda: env.evaluate(op(x, c), binding), lambda: op(a / b, c))
    check(lambda: env.evaluate(op(c, x), binding), lambda: op(c, a / b))


def test_negative_base_fractional_power_is_value_error():
    env = symcore.ShapeEnv()
    x, binding = symfloat(env, "x", -8, 1)
    assert isinstance((-8.0) ** 0.5, complex)  # what Python does
    with pytest.raises(ValueError):
        env.evaluate(x**0.5, binding)


@pytest.mark.parametrize("fn", [math.floor, math.ceil, math.trunc, round], ids=lambda f: f.__name__)
@pytest.mark.parametrize(("a", "b"), [(1, 2), (3, 2), (5, 2), (-1, 2), (-3, 2), (-5, 2), (7, 3), (-7, 3), (10**30, 7)])
def test_float_to_int(fn, a, b):
    env = symcore.ShapeEnv()
    x, binding = symfloat(env, "x", a, b)
    r = fn(x)
    assert isinstance(r, SymInt)
    assert same(env.evaluate(r, binding), fn(a / b))
    assert same(r.hint, fn(a / b))


@pytest.mark.parametrize("fn", [math.floor, math.ceil, math.trunc, round], ids=lambda f: f.__name__)
@pytest.mark.parametrize("special", [math.inf, -math.inf, math.nan])
def test_float_to_int_of_non_finite(fn, special):
    env = symcore.ShapeEnv()
    s = env.symint("s", 1)
    x = s * special
    check(lambda: env.evaluate(fn(x), {"s": 1}), lambda: fn(1 * special))


@pytest.mark.parametrize("v", [0.5, 1.5, 2.5, -0.5, -2.5, 2.675, 1234.5678, 1e300, -0.0])
@pytest.mark.parametrize("n", [-2, -1, 0, 1, 2, 3])
def test_round_ndigits(v, n):
    env = symcore.ShapeEnv()
    s = env.symint("s", 1)
    x = s * v
    r = round(x, n)
    assert isinstance(r, SymFloat)
    assert same(env.evaluate(r, {"s": 1}), round(1 * v, n))


def test_round_half_to_even_examples():
    env = symcore.ShapeEnv()
    s = env.symint("s", 1)
    for v in (0.5, 1.5, 2.5, 3.5, -0.5, -1.5):
        assert same(env.evaluate(round(s * v), {"s": 1}), round(v))


@pytest.mark.parametrize("op", [operator.neg, operator.pos, abs], ids=str)
@pytest.mark.parametrize("v", FLOATS)
def test_unary(op, v):
    env = symcore.ShapeEnv()
    s = env.symint("s", 1)
    x = s * v
    assert same(env.evaluate(op(x), {"s": 1}), op(1 * v))


@pytest.mark.parametrize("op", [operator.lt, operator.le, operator.gt, operator.ge, operator.eq, operator.ne])
@pytest.mark.parametrize(
    ("i", "f"),
    [(2**53 + 1, 2.0**53), (2**53, 2.0**53), (3, 2.5), (-3, -2.5), (0, -0.0), (5, math.nan), (10**400, math.inf)],
)
def test_int_float_comparisons_are_exact(op, i, f):
    env = symcore.ShapeEnv()
    s = env.symint("s", i)
    assert env.evaluate(op(s, f), {"s": i}) is op(i, f)
    assert env.evaluate(op(f, s), {"s": i}) is op(f, i)
    one = env.symint("one", 1)
    assert env.evaluate(op(s, one * f), {"s": i, "one": 1}) is op(i, f)


def test_sym_float_and_sym_int():
    env = symcore.ShapeEnv()
    s = env.symint("s", 2**53 + 1)
    f = symcore.sym_float(s)
    assert isinstance(f, SymFloat)
    assert same(f.hint, float(2**53 + 1))
    with pytest.raises(OverflowError):
        env.evaluate(f, {"s": 10**400})
    i = symcore.sym_int(s / 2)
    assert isinstance(i, SymInt)
    assert same(env.evaluate(i, {"s": -7}), int(-7 / 2))
    with pytest.raises(ValueError):
        env.evaluate(symcore.sym_int(s * math.nan), {"s": 1})
    with pytest.raises(OverflowError):
        env.evaluate(symcore.sym_int(s * math.inf), {"s": 1})
    assert same(symcore.sym_float(3), 3.0)
    assert same(symcore.sym_int(-2.7), -2)


def test_float_conversion_records_guard():
    env = symcore.ShapeEnv()
    s = env.symint("s", 3)
    assert same(float(s / 2), 1.5)
    assert same(int(s / 2), 1)
    assert len(env.guards) >= 1
    assert env.evaluate(env.guards[0].expr, {"s": 3}) is True


def test_float_division_by_zero():
    env = symcore.ShapeEnv()
    s = env.symint("s", 3)
    x = s / 2
    for op in (operator.truediv, operator.floordiv, operator.mod):
        with pytest.raises(ZeroDivisionError):
            op(1.5, 0.0)
        with pytest.raises(ZeroDivisionError):
            env.evaluate(op(x, s - 3), {"s": 3})


def test_float_overflow_to_inf_vs_error():
    env = symcore.ShapeEnv()
    s = env.symint("s", 1)
    big = s * 1e308
    assert same(env.evaluate(big * 10, {"s": 1}), 1e308 * 10)  # inf, no error
    with pytest.raises(OverflowError):
        1e308**2  # noqa: B018
    with pytest.raises(OverflowError):
        env.evaluate(big**2, {"s": 1})


def test_symfloat_constants_and_hash():
    assert SymFloat(2.5).is_constant
    assert hash(SymFloat(2.5)) == hash(2.5)
    assert hash(SymFloat(2.0)) == hash(2)
    assert (SymFloat(0.1) + 0.2).hint == 0.1 + 0.2
    env = symcore.ShapeEnv()
    s = env.symint("s", 1)
    with pytest.raises(TypeError):
        hash(s / 2)


def test_nan_key_equals_itself():
    assert SymFloat(math.nan).key() == SymFloat(math.nan).key()
    assert SymFloat(math.nan).key() != SymFloat(math.inf).key()


def test_signed_zero_keys_differ():
    # 0.0 and -0.0 are different expressions (1 / x gives inf vs -inf), so their keys differ
    assert math.copysign(1, 0.0) != math.copysign(1, -0.0)
    assert SymFloat(0.0).key() != SymFloat(-0.0).key()


@pytest.mark.parametrize(("x", "y"), [(0.0, -0.0), (-0.0, 0.0), (math.nan, 1.0), (1.0, math.nan), (2.5, 2.5)])
def test_min_max_of_floats_like_builtins(x, y):
    env = symcore.ShapeEnv()
    s = env.symint("s", 1)
    a, b = s * x, s * y
    assert same(env.evaluate(symcore.sym_max(a, b), {"s": 1}), max(1 * x, 1 * y))
    assert same(env.evaluate(symcore.sym_min(a, b), {"s": 1}), min(1 * x, 1 * y))
