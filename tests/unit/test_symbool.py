"""SymBool: comparisons, logic, conversion to bool (guards), and data-dependent errors."""

import itertools
import operator

import pytest

import symcore
from symcore import SymBool


def env_with(**hints):
    env = symcore.ShapeEnv()
    return env, [env.symint(name, hint) for name, hint in hints.items()]


@pytest.mark.parametrize(("x", "y"), list(itertools.product([1, 5], [2, 5])))
def test_logical_and_or_xor(x, y):
    env, (a, b) = env_with(a=x, b=y)
    p, q = a > 2, b > 2
    for op in (operator.and_, operator.or_, operator.xor):
        r = op(p, q)
        assert isinstance(r, SymBool)
        assert r.hint is op(x > 2, y > 2)
        for u, v in itertools.product([0, 3], [0, 3]):
            assert env.evaluate(r, {"a": u, "b": v}) is op(u > 2, v > 2)
        # with a plain bool on either side
        assert env.evaluate(op(p, True), {"a": x}) is op(x > 2, True)
        assert env.evaluate(op(False, q), {"b": y}) is op(False, y > 2)


def test_sym_not():
    env, (a,) = env_with(a=1)
    p = a > 2
    n = symcore.sym_not(p)
    assert isinstance(n, SymBool)
    assert n.hint is (not (1 > 2))
    assert env.evaluate(n, {"a": 3}) is (not (3 > 2))
    assert env.guards == []  # sym_not does not decide anything
    assert symcore.sym_not(True) is False
    assert symcore.sym_not(0) is True


def test_bool_equality_and_ordering():
    env, (a, b) = env_with(a=1, b=5)
    p, q = a > 2, b > 2
    for op in (operator.eq, operator.ne, operator.lt, operator.le, operator.gt, operator.ge):
        for u, v in itertools.product([0, 3], [0, 3]):
            assert env.evaluate(op(p, q), {"a": u, "b": v}) is op(u > 2, v > 2), op


def test_bool_in_arithmetic_like_python():
    # Python bools are ints: True + 1 == 2, True * 3 == 3.
    env, (a,) = env_with(a=5)
    p = a > 2
    assert env.evaluate(p + 1, {"a": 5}) == (5 > 2) + 1
    assert env.evaluate(p * 3, {"a": 1}) == (1 > 2) * 3


def test_bool_conversion_records_guard_from_this_file():
    env, (a,) = env_with(a=5)
    if a > 2:
        taken = True
    else:
        taken = False
    assert taken is (5 > 2)
    guards = env.guards
    assert len(guards) == 1
    assert guards[0].origin is not None
    assert guards[0].origin.startswith(__file__)
    assert "test_bool_conversion_records_guard_from_this_file" in guards[0].origin
    assert env.evaluate(guards[0].expr, {"a": 3}) is True
    assert env.evaluate(guards[0].expr, {"a": 2}) is False


def test_false_branch_guard_is_negated():
    env, (a,) = env_with(a=1)
    assert not bool(a > 2)
    (g,) = env.guards
    assert env.evaluate(g.expr, {"a": 2}) is True
    assert env.evaluate(g.expr, {"a": 3}) is False


def test_guards_are_deduplicated():
    env, (a,) = env_with(a=5)
    for _ in range(3):
        if a > 2:
            pass
    assert len(env.guards) == 1
    if a + 1 > 3:  # the same fact, written differently
        pass
    assert len(env.guards) == 1
    if a > 3:  # a different fact
        pass
    assert len(env.guards) == 2


def test_constant_facts_are_not_recorded():
    env, (a,) = env_with(a=5)
    assert bool(a - a == 0)
    assert bool(a + 1 > a)
    assert not bool(symcore.SymBool(False))
    assert env.guards == []


def test_guard_str_matches_expr():
    env, (a,) = env_with(a=5)
    bool(a > 2)
    (g,) = env.guards
    assert str(g) == str(g.expr)
    assert env.evaluate(env.parse(str(g)), {"a": 3}) is True
    assert env.evaluate(env.parse(str(g)), {"a": 2}) is False


def test_unbacked_bool_raises_data_dependent_error_naming_expression():
    env = symcore.ShapeEnv()
    u = env.symint("u0")
    cond = u * 2 > 7
    with pytest.raises(symcore.DataDependentError) as info:
        bool(cond)
    assert isinstance(info.value, RuntimeError)
    assert str(cond) in str(info.value)
    assert "u0" in str(info.value)
    assert env.guards == []


def test_unbacked_int_and_index_raise():
    env = symcore.ShapeEnv()
    u = env.symint("u0")
    with pytest.raises(symcore.DataDependentError):
        int(u + 1)
    with pytest.raises(symcore.DataDependentError):
        operator.index(u)
    with pytest.raises(symcore.DataDependentError):
        float(u)


def test_unbacked_but_constant_fact_is_decidable():
    env = symcore.ShapeEnv()
    u = env.symint("u0")
    assert bool(u - u == 0) is True
    assert env.guards == []


def test_symbool_hash_rules():
    assert hash(SymBool(True)) == hash(True)
    _env, (a,) = env_with(a=5)
    with pytest.raises(TypeError):
        hash(a > 2)


def test_symbool_constants():
    t = SymBool(True)
    assert t.is_constant
    assert t.hint is True
    assert (t & SymBool(False)).hint is False
    assert (t | False).is_constant


def test_ite_with_symbolic_condition():
    env, (a, b) = env_with(a=1, b=5)
    r = symcore.sym_ite(a > b, a, b)
    for u, v in [(1, 5), (9, 2), (3, 3)]:
        assert env.evaluate(r, {"a": u, "b": v}) == (u if u > v else v)
    assert env.guards == []
