"""Example-based tests of SymInt's magic methods against CPython's int semantics.

Every expected value is computed by plain Python on the same numbers.
"""

import math
import operator

import pytest

import symcore
from oracle import same_value as same
from symcore import SymBool, SymFloat, SymInt

SIGN_PAIRS = [(7, 2), (-7, 2), (7, -2), (-7, -2), (6, 3), (-6, 3), (0, 5), (0, -5), (1, 2**70), (-1, 2**70)]


def sym_pair(a, b):
    env = symcore.ShapeEnv()
    return env, env.symint("a", a), env.symint("b", b)


def value(env, x, **binding):
    return env.evaluate(x, binding)


@pytest.mark.parametrize(("a", "b"), SIGN_PAIRS)
@pytest.mark.parametrize(
    "op",
    [operator.add, operator.sub, operator.mul, operator.floordiv, operator.mod, operator.truediv],
    ids=lambda f: f.__name__,
)
def test_binary_int_ops_match_python(a, b, op):
    env, sa, sb = sym_pair(a, b)
    expected = op(a, b)
    assert same((op(sa, sb)).hint, expected)
    assert same(value(env, op(sa, sb), a=a, b=b), expected)
    # with a plain int on either side
    assert same(value(env, op(sa, b), a=a), expected)
    assert same(value(env, op(a, sb), b=b), expected)


@pytest.mark.parametrize(("a", "b"), SIGN_PAIRS)
def test_floordiv_and_mod_signs(a, b):
    env, sa, sb = sym_pair(a, b)
    q, r = divmod(a, b)
    assert value(env, sa // sb, a=a, b=b) == q
    assert value(env, sa % sb, a=a, b=b) == r
    # the remainder has the divisor's sign
    rr = value(env, sa % sb, a=a, b=b)
    assert rr == 0 or (rr > 0) == (b > 0)


@pytest.mark.parametrize(("a", "b"), SIGN_PAIRS)
def test_divmod(a, b):
    env, sa, sb = sym_pair(a, b)
    q, r = divmod(sa, sb)
    assert isinstance(q, SymInt) and isinstance(r, SymInt)
    assert (value(env, q, a=a, b=b), value(env, r, a=a, b=b)) == divmod(a, b)
    q2, r2 = divmod(a, sb)
    assert (value(env, q2, b=b), value(env, r2, b=b)) == divmod(a, b)
    q3, r3 = divmod(sa, b)
    assert (value(env, q3, a=a), value(env, r3, a=a)) == divmod(a, b)


@pytest.mark.parametrize(
    ("a", "b"), [(2**53 + 1, 1), (2**64 + 1, 3), (10**400, 10**399), (-(10**30) - 7, 10**12), (1, 3)]
)
def test_true_division_is_correctly_rounded(a, b):
    env, sa, sb = sym_pair(a, b)
    q = sa / sb
    assert isinstance(q, SymFloat)
    assert same(q.hint, a / b)
    assert same(value(env, q, a=a, b=b), a / b)


def test_true_division_examples():
    env, sa, sb = sym_pair(2**53 + 1, 1)
    assert value(env, sa / sb, a=2**53 + 1, b=1) == float(2**53 + 1)
    assert value(env, sa // sb, a=10**400, b=10**399) == 10
    assert value(env, sa / sb, a=10**400, b=10**399) == 10.0


def test_true_division_result_too_large_overflows():
    env, sa, sb = sym_pair(10**400, 1)
    with pytest.raises(OverflowError):
        env.evaluate(sa / sb, {"a": 10**400, "b": 1})
    with pytest.raises(OverflowError):
        10**400 / 1


@pytest.mark.parametrize("op", [operator.floordiv, operator.mod, operator.truediv, divmod], ids=str)
def test_division_by_zero(op):
    env, sa, sb = sym_pair(5, 1)
    with pytest.raises(ZeroDivisionError):
        op(5, 0)
    result = op(sa, sb)
    parts = result if isinstance(result, tuple) else (result,)
    for part in parts:
        with pytest.raises(ZeroDivisionError):
            env.evaluate(part, {"a": 5, "b": 0})
    with pytest.raises(ZeroDivisionError):
        x = op(sa, 0)
        for part in x if isinstance(x, tuple) else (x,):
            env.evaluate(part, {"a": 5})


def test_floordiv_by_float():
    env = symcore.ShapeEnv()
    one = env.symint("one", 1)
    r = one // 0.1
    assert isinstance(r, SymFloat)
    assert same(r.hint, 1 // 0.1)
    assert env.evaluate(r, {"one": 1}) == 9.0
    assert same(env.evaluate(one % 0.1, {"one": 1}), 1 % 0.1)


def test_big_int_vs_float_comparison_is_exact():
    env = symcore.ShapeEnv()
    s = env.symint("s", 2**53)
    c = s + 1 > 2.0**53
    assert isinstance(c, SymBool)
    assert c.hint is (2**53 + 1 > 2.0**53) is True
    assert env.evaluate(s + 1 == 2.0**53, {"s": 2**53}) is False
    assert env.evaluate(s == 2.0**53, {"s": 2**53}) is True
    assert env.evaluate(s + 1 < 2.0**53 + 2, {"s": 2**53}) is True


@pytest.mark.parametrize("a", [0, 1, -1, 5, -5, 2**70, -(2**70) - 3])
@pytest.mark.parametrize("e", [0, 1, 2, 3, 7])
def test_pow_non_negative_exponent(a, e):
    env = symcore.ShapeEnv()
    s = env.symint("s", a)
    assert same(env.evaluate(s**e, {"s": a}), a**e)
    assert same((s**e).hint, a**e)


def test_zero_to_the_zero():
    env = symcore.ShapeEnv()
    s = env.symint("s", 0)
    assert same(env.evaluate(s**0, {"s": 0}), 0**0)
    assert same(env.evaluate(s**s, {"s": 0}), 0**0)
    assert 0**0 == 1


@pytest.mark.parametrize(("a", "e"), [(2, -1), (-2, -3), (3, -2), (10, -5)])
def test_int_to_negative_power_is_float(a, e):
    env = symcore.ShapeEnv()
    s = env.symint("s", a)
    r = s**e
    assert isinstance(r, SymFloat)
    assert same(r.hint, a**e)
    assert same(env.evaluate(r, {"s": a}), a**e)


def test_zero_to_negative_power_raises():
    env = symcore.ShapeEnv()
    s = env.symint("s", 1)
    with pytest.raises(ZeroDivisionError):
        0**-1
    with pytest.raises(ZeroDivisionError):
        env.evaluate(s**-1, {"s": 0})


def test_symbolic_exponent_records_sign_guard():
    env = symcore.ShapeEnv()
    b = env.symint("b", 3)
    e = env.symint("e", -2)
    r = b**e
    assert isinstance(r, SymFloat)
    assert same(r.hint, 3**-2)
    assert len(env.guards) == 1
    g = env.guards[0].expr
    # the guard says the exponent is negative: false at e = 1, true at e = -7
    assert env.evaluate(g, {"b": 3, "e": -7}) is True
    assert env.evaluate(g, {"b": 3, "e": 1}) is False


@pytest.mark.parametrize(("a", "e", "m"), [(3, 4, 5), (-3, 5, 7), (2**70, 2**65, 1000003), (5, 0, 1), (7, 3, -5)])
def test_pow_mod(a, e, m):
    env = symcore.ShapeEnv()
    s = env.symint("s", a)
    t = env.symint("t", e)
    assert same(env.evaluate(pow(s, t, m), {"s": a, "t": e}), pow(a, e, m))
    assert same(env.evaluate(pow(s, e, m), {"s": a}), pow(a, e, m))


@pytest.mark.parametrize(("a", "m"), [(3, 7), (10, 17), (-4, 9)])
def test_pow_mod_negative_exponent_is_modular_inverse(a, m):
    env = symcore.ShapeEnv()
    s = env.symint("s", a)
    assert env.evaluate(pow(s, -1, m), {"s": a}) == pow(a, -1, m)
    assert (pow(s, -1, m) * a % m).hint == 1


def test_pow_mod_errors():
    env = symcore.ShapeEnv()
    s = env.symint("s", 6)
    with pytest.raises(ValueError):
        pow(6, 3, 0)
    with pytest.raises(ValueError):
        env.evaluate(pow(s, 3, 0), {"s": 6})
    with pytest.raises(ValueError):
        pow(6, -1, 9)  # not invertible
    with pytest.raises(ValueError):
        env.evaluate(pow(s, -1, 9), {"s": 6})


@pytest.mark.parametrize("a", [0, 1, -1, 5, -6, 2**64, -(2**64) - 1])
def test_unary_ops(a):
    env = symcore.ShapeEnv()
    s = env.symint("s", a)
    for op in (operator.neg, operator.pos, abs, operator.invert, math.floor, math.ceil, math.trunc, round):
        r = op(s)
        assert isinstance(r, SymInt), op
        assert same(env.evaluate(r, {"s": a}), op(a)), op


@pytest.mark.parametrize(("a", "b"), [(12, 10), (-12, 10), (12, -10), (-1, 2**70), (2**65 + 3, -(2**64))])
def test_bitwise_ops(a, b):
    env, sa, sb = sym_pair(a, b)
    for op in (operator.and_, operator.or_, operator.xor):
        assert same(env.evaluate(op(sa, sb), {"a": a, "b": b}), op(a, b)), op
        assert same(env.evaluate(op(sa, b), {"a": a}), op(a, b)), op
        assert same(env.evaluate(op(a, sb), {"b": b}), op(a, b)), op


@pytest.mark.parametrize("a", [0, 5, -5, 2**70 + 1, -(2**70) - 1])
@pytest.mark.parametrize("n", [0, 1, 3, 64, 100])
def test_shifts(a, n):
    env, sa, sn = sym_pair(a, n)
    assert same(env.evaluate(sa << sn, {"a": a, "b": n}), a << n)
    assert same(env.evaluate(sa >> sn, {"a": a, "b": n}), a >> n)
    assert same(env.evaluate(sa << n, {"a": a}), a << n)
    assert same(env.evaluate(sa >> n, {"a": a}), a >> n)
    assert same(env.evaluate(a << sn, {"b": n}), a << n)
    assert same(env.evaluate(a >> sn, {"b": n}), a >> n)


def test_negative_shift_raises_value_error():
    env, sa, sn = sym_pair(5, 1)
    with pytest.raises(ValueError):
        5 << -1
    with pytest.raises(ValueError):
        env.evaluate(sa << sn, {"a": 5, "b": -1})
    with pytest.raises(ValueError):
        env.evaluate(sa >> sn, {"a": 5, "b": -1})
    with pytest.raises(ValueError):
        env.evaluate(sa >> -1, {"a": 5})


def test_huge_right_shift():
    env, sa, sn = sym_pair(-5, 1)
    assert env.evaluate(sa >> sn, {"a": -5, "b": 2**70}) == -5 >> 2**70
    assert env.evaluate(sa >> sn, {"a": 5, "b": 2**70}) == 5 >> 2**70


@pytest.mark.parametrize(
    ("a", "n"), [(15, -1), (25, -1), (35, -1), (-25, -1), (1234, -2), (1250, -2), (7, 2), (2**70 + 5, -1)]
)
def test_round_with_ndigits_is_half_to_even(a, n):
    env = symcore.ShapeEnv()
    s = env.symint("s", a)
    r = round(s, n)
    assert isinstance(r, SymInt)
    assert same(env.evaluate(r, {"s": a}), round(a, n))


@pytest.mark.parametrize(("a", "b"), [(1, 2), (3, 2), (5, 2), (-1, 2), (-3, 2), (7, 4), (2**60 + 1, 2)])
def test_round_of_true_division_is_half_to_even(a, b):
    env, sa, sb = sym_pair(a, b)
    r = round(sa / sb)
    assert isinstance(r, SymInt)
    assert same(env.evaluate(r, {"a": a, "b": b}), round(a / b))


@pytest.mark.parametrize("op", [operator.lt, operator.le, operator.gt, operator.ge, operator.eq, operator.ne])
@pytest.mark.parametrize(("a", "b"), [(1, 2), (2, 2), (3, 2), (-(2**70), 2**70)])
def test_comparisons_return_symbool(op, a, b):
    env, sa, sb = sym_pair(a, b)
    r = op(sa, sb)
    assert isinstance(r, SymBool)
    assert r.hint is op(a, b)
    assert env.evaluate(r, {"a": a, "b": b}) is op(a, b)
    assert env.evaluate(op(sa, b), {"a": a}) is op(a, b)
    assert env.evaluate(op(a, sb), {"b": b}) is op(a, b)


def test_index_records_guard():
    env = symcore.ShapeEnv()
    s = env.symint("s", 4)
    assert operator.index(s) == 4
    assert list(range(10))[s] == 4
    assert len(env.guards) == 1
    g = env.guards[0]
    assert env.evaluate(g.expr, {"s": 4}) is True
    assert env.evaluate(g.expr, {"s": 5}) is False


def test_int_and_float_conversion_record_guards():
    env = symcore.ShapeEnv()
    s = env.symint("s", 7)
    t = env.symint("t", 3)
    assert same(float(t * t), 9.0)
    assert [str(g) for g in env.guards] == ["t**2 == 9"]  # not a replacement: t is not linear in it
    assert same(int(s + 1), 8)
    assert [str(g) for g in env.guards] == ["t**2 == 9", "s == 7"]
    # s == 7 specialises s: later expressions are constants and need no guard
    assert (s * s).is_constant and same(int(s * 2), 14)
    assert len(env.guards) == 2


def test_hash_rules():
    assert hash(SymInt(5)) == hash(5)
    assert hash(SymInt(2**70)) == hash(2**70)
    assert hash(SymInt(-1)) == hash(-1)
    assert {SymInt(3): "x"}[SymInt(3)] == "x"
    env = symcore.ShapeEnv()
    s = env.symint("s", 3)
    with pytest.raises(TypeError):
        hash(s)
    with pytest.raises(TypeError):
        hash(s + 1)
    # a constant computed from constants is hashable
    assert hash(SymInt(2) + 3) == hash(5)


def test_key_equal_for_equal_expressions():
    env = symcore.ShapeEnv()
    a = env.symint("a", 2)
    b = env.symint("b", 3)
    assert ((a + b) * (a + b)).key() == (a * a + 2 * a * b + b * b).key()
    assert (a + b).key() == (b + a).key()
    assert (a * 3 - a).key() == (2 * a).key()
    assert (a + 1).key() != (a + 2).key()
    assert (a * b).key() != (a + b).key()
    assert (a // b).key() != (b // a).key()
    hash((a + b).key())  # keys are hashable


def test_key_of_constants_ignores_environment():
    env1, env2 = symcore.ShapeEnv(), symcore.ShapeEnv()
    assert env1.constant(5).key() == env2.constant(5).key() == SymInt(5).key()
    assert SymInt(1).key() != SymFloat(1.0).key()
    assert SymInt(1).key() != SymBool(True).key()


def test_key_differs_between_environments():
    env1, env2 = symcore.ShapeEnv(), symcore.ShapeEnv()
    assert env1.symint("s", 1).key() != env2.symint("s", 1).key()


def test_constants_stay_constants():
    x = SymInt(2) + 3
    assert isinstance(x, SymInt)
    assert x.is_constant
    assert x.hint == 5
    assert (SymInt(7) // 2).is_constant and (SymInt(7) // 2).hint == 3
    assert (SymInt(2) ** 10).hint == 1024
    assert (SymInt(5) > 3).is_constant
    assert (SymInt(5) > 3).hint is True
    env = symcore.ShapeEnv()
    s = env.symint("s", 4)
    assert not s.is_constant
    assert (s - s).is_constant
    assert (s - s).hint == 0
    assert not (s * 0 + s).is_constant


def test_partial_expression_is_not_constant_even_if_value_cancels():
    env = symcore.ShapeEnv()
    s0 = env.symint("s0", 6)
    s1 = env.symint("s1", 2)
    x = (s0 // s1) * 0
    assert env.evaluate(x, {"s0": 6, "s1": 2}) == 0
    with pytest.raises(ZeroDivisionError):
        env.evaluate(x, {"s0": 6, "s1": 0})
    assert not x.is_constant


def test_cancelled_factor_still_raises_at_zero():
    env = symcore.ShapeEnv()
    a = env.symint("a", 6)
    b = env.symint("b", 2)
    x = (a * b) // b
    assert env.evaluate(x, {"a": 5, "b": 3}) == (5 * 3) // 3
    with pytest.raises(ZeroDivisionError):
        env.evaluate(x, {"a": 5, "b": 0})


def test_free_symbols():
    env = symcore.ShapeEnv()
    a, b, c = (env.symint(n, 1) for n in "abc")
    assert a.free_symbols == frozenset({"a"})
    assert (a + b * 2).free_symbols == frozenset({"a", "b"})
    assert (a + c - c).free_symbols == frozenset({"a"})
    assert SymInt(3).free_symbols == frozenset()
    assert (a < b).free_symbols == frozenset({"a", "b"})
    assert (a / c).free_symbols == frozenset({"a", "c"})


def test_subs():
    env = symcore.ShapeEnv()
    a = env.symint("a", 2)
    b = env.symint("b", 3)
    x = a * a + b
    y = x.subs({"a": 4})
    assert y.free_symbols == frozenset({"b"})
    assert env.evaluate(y, {"b": 5}) == 4 * 4 + 5
    z = x.subs({"a": 4, "b": 1})
    assert z.is_constant and z.hint == 17
    w = x.subs({"a": b + 1})
    assert w.key() == ((b + 1) * (b + 1) + b).key()


class Pairs:
    """A mapping-like object with ``items()``: symbolic SymInts cannot be dict keys (unhashable)."""

    def __init__(self, *pairs):
        self.pairs = pairs

    def items(self):
        return list(self.pairs)


def test_subs_with_symint_key():
    env = symcore.ShapeEnv()
    a = env.symint("a", 2)
    b = env.symint("b", 3)
    x = a * 3
    assert x.subs(Pairs((a, 5))).hint == 15
    assert x.subs(Pairs((a, b))).key() == (b * 3).key()


def test_subs_unknown_symbol():
    env = symcore.ShapeEnv()
    a = env.symint("a", 2)
    with pytest.raises(symcore.SymbolError):
        (a + 1).subs({"zz": 3})


def test_hint_of_unbacked_is_none():
    env = symcore.ShapeEnv()
    u = env.symint("u")
    a = env.symint("a", 3)
    assert u.hint is None
    assert (u + a).hint is None
    assert (a + 1).hint == 4
    assert (u - u + a).hint == 3


def test_evaluate_plain_numbers_and_errors():
    env = symcore.ShapeEnv()
    a = env.symint("a", 1)
    assert same(env.evaluate(5, {}), 5)
    assert same(env.evaluate(2.5, {}), 2.5)
    with pytest.raises(symcore.UnboundSymbolError):
        env.evaluate(a + 1, {})
    with pytest.raises(symcore.SymbolError):
        env.evaluate(a + 1, {"a": 1, "nope": 2})
    with pytest.raises(TypeError):
        env.evaluate(a + 1, {"a": 1.5})


@pytest.mark.parametrize("bad", ["a", None, [1], (1,), object()])
def test_bad_operand_types(bad):
    env = symcore.ShapeEnv()
    s = env.symint("s", 1)
    for op in (operator.add, operator.sub, operator.mul, operator.floordiv, operator.truediv, operator.lshift):
        if op is operator.mul and isinstance(bad, (str, list, tuple)):
            continue  # ``s * "a"`` is sequence repetition (tested below)
        with pytest.raises(TypeError):
            op(s, bad)
        with pytest.raises(TypeError):
            op(bad, s)


def test_list_repetition_uses_index():
    # ``[1] * s`` and ``s * "ab"`` are sequence repetition through ``__index__``: a guard
    env = symcore.ShapeEnv()
    s = env.symint("s", 3)
    result = [1] * s
    assert result == [1, 1, 1]
    assert s * "ab" == "ababab"
    assert len(env.guards) == 1


def test_symint_constructor():
    assert SymInt(5).hint == 5
    assert SymInt(-(2**100)).hint == -(2**100)
    assert SymInt(True).hint == 1
    with pytest.raises(TypeError):
        SymInt("5")
    with pytest.raises(TypeError):
        SymInt(1.5)
