"""ShapeEnv: declaring symbols, constants, parse, evaluate, guards, mixing environments."""

import math

import pytest

import symcore
from symcore import SymBool, SymFloat, SymInt


def test_symint_declares_symbols():
    env = symcore.ShapeEnv()
    s = env.symint("s0", 4, min=1, max=10)
    u = env.symint("u0")
    assert isinstance(s, SymInt)
    assert s.hint == 4
    assert u.hint is None
    assert env.symbols == {"s0": (4, 1, 10), "u0": (None, None, None)}
    assert s.free_symbols == frozenset({"s0"})
    assert str(s) == "s0"
    assert s.shape_env is env


@pytest.mark.parametrize("name", ["if", "1x", "", "a b", "x-y", "None", "lambda", "s0.real"])
def test_bad_symbol_names(name):
    env = symcore.ShapeEnv()
    with pytest.raises(symcore.SymbolError):
        env.symint(name, 1)


def test_duplicate_symbol_name():
    env = symcore.ShapeEnv()
    env.symint("s0", 1)
    with pytest.raises(symcore.SymbolError):
        env.symint("s0", 2)
    # a separate environment may reuse it
    assert symcore.ShapeEnv().symint("s0", 2).hint == 2


@pytest.mark.parametrize(("hint", "lo", "hi"), [(0, 1, None), (11, None, 10), (5, 6, 9), (-1, 0, 0)])
def test_hint_outside_range(hint, lo, hi):
    env = symcore.ShapeEnv()
    with pytest.raises(symcore.SymbolError):
        env.symint("s", hint, min=lo, max=hi)


@pytest.mark.parametrize("hint", [1.5, "3", [1], True])
def test_non_int_hint(hint):
    env = symcore.ShapeEnv()
    with pytest.raises(TypeError):
        env.symint("s", hint)


def test_non_int_bounds():
    env = symcore.ShapeEnv()
    with pytest.raises(TypeError):
        env.symint("s", 1, min=0.5)
    with pytest.raises(TypeError):
        env.symint("t", 1, max="9")


def test_exception_hierarchy():
    assert issubclass(symcore.ParseError, ValueError)
    assert issubclass(symcore.SymbolError, ValueError)
    assert issubclass(symcore.UnboundSymbolError, ValueError)
    assert issubclass(symcore.MixedEnvironmentsError, ValueError)
    assert issubclass(symcore.ExpressionTooLargeError, MemoryError)
    assert issubclass(symcore.DataDependentError, RuntimeError)


def test_constant():
    env = symcore.ShapeEnv()
    i, f, b = env.constant(3), env.constant(2.5), env.constant(True)
    assert isinstance(i, SymInt) and i.is_constant and i.hint == 3
    assert isinstance(f, SymFloat) and f.is_constant and f.hint == 2.5
    assert isinstance(b, SymBool) and b.is_constant and b.hint is True
    with pytest.raises(TypeError):
        env.constant("3")


def test_mixing_environments():
    env1, env2 = symcore.ShapeEnv(), symcore.ShapeEnv()
    a = env1.symint("a", 1)
    b = env2.symint("b", 2)
    with pytest.raises(symcore.MixedEnvironmentsError):
        a + b
    with pytest.raises(symcore.MixedEnvironmentsError):
        _ = a < b
    with pytest.raises(symcore.MixedEnvironmentsError):
        symcore.sym_max(a, b)
    with pytest.raises(symcore.MixedEnvironmentsError):
        env2.evaluate(a + 1, {"a": 1})


def test_constants_mix_with_any_environment():
    env1, env2 = symcore.ShapeEnv(), symcore.ShapeEnv()
    a = env1.symint("a", 1)
    b = env2.symint("b", 2)
    c = symcore.SymInt(3)
    assert (a + c).hint == 1 + 3
    assert (b * c).hint == 2 * 3
    assert env1.evaluate(a + env2.constant(5), {"a": 2}) == 2 + 5
    assert env2.evaluate(c, {}) == 3
    # a constant computed in env1 still mixes with env2
    k = a - a + 7
    assert k.is_constant
    assert (b + k).hint == 2 + 7


def test_evaluate_binding_errors():
    env = symcore.ShapeEnv()
    a = env.symint("a", 1)
    b = env.symint("b", 1)
    with pytest.raises(symcore.UnboundSymbolError):
        env.evaluate(a + b, {"a": 1})
    with pytest.raises(symcore.SymbolError):
        env.evaluate(a, {"a": 1, "zz": 1})
    with pytest.raises(TypeError):
        env.evaluate(a, {"a": True})
    with pytest.raises(TypeError):
        env.evaluate(a, {"a": "1"})
    with pytest.raises(TypeError):
        env.evaluate("a", {"a": 1})


def test_evaluate_ignores_bounds():
    # bounds constrain hints, not evaluation
    env = symcore.ShapeEnv()
    a = env.symint("a", 3, min=1, max=5)
    assert env.evaluate(a * 2, {"a": 100}) == 200


def test_parse_round_trip_examples():
    env = symcore.ShapeEnv()
    s0 = env.symint("s0", 3)
    s1 = env.symint("s1", 4)
    exprs = [
        s0 + 1,
        s0 * s1 - 7,
        s0 // s1,
        s0 % (s1 + 2),
        symcore.sym_max(s0, s1, 2),
        symcore.sym_min(s0, -s1),
        s0 / s1,
        (s0 / s1) * 0.1,
        s0 < s1,
        (s0 < s1) & (s1 != 2),
        symcore.sym_ite(s0 > 1, s0, s1),
        abs(s0 - s1),
        s0 << s1,
        s0 & s1,
        ~s0,
        round(s0 / s1, 2),
        pow(s0, s1, 7),
        s0**s1 if s1.hint >= 0 else s0,
        -(2**80) * s0 + 2**70,
        s0 * 1e-300,
        s0 * -0.0,
        s0 * float("inf"),
        s0 * float("nan"),
    ]
    for x in exprs:
        text = str(x)
        y = env.parse(text)
        assert type(y) is type(x), text
        assert str(y) == text
        assert y.key()[:3] == x.key()[:3], text
        for binding in ({"s0": 3, "s1": 4}, {"s0": -5, "s1": 2}):
            assert repr(env.evaluate(y, binding)) == repr(env.evaluate(x, binding)), text


def test_parse_unknown_symbol():
    env = symcore.ShapeEnv()
    env.symint("s0", 1)
    with pytest.raises(symcore.ParseError, match=r"position 5: unknown symbol 's9'"):
        env.parse("s0 + s9")


def test_parse_constants():
    env = symcore.ShapeEnv()
    for v in (0, -3, 2**100, 2.5, True, False):
        x = env.parse(str(env.constant(v)))
        assert x.is_constant
        assert x.hint == v
        assert type(x.hint) is type(v)


def test_guards_property_is_a_copy():
    env = symcore.ShapeEnv()
    a = env.symint("a", 2)
    bool(a > 1)
    gs = env.guards
    gs.clear()
    assert len(env.guards) == 1


def test_guard_origin_names_this_file():
    env = symcore.ShapeEnv()
    a = env.symint("a", 2)
    if a == 2:
        pass
    (g,) = env.guards
    assert g.origin is not None
    assert g.origin.startswith(__file__ + ":")
    assert g.origin.endswith("in test_guard_origin_names_this_file")


def test_len_and_repr():
    env = symcore.ShapeEnv()
    a = env.symint("a", 2)
    n = len(env)
    _ = a * a + 3 * a
    assert len(env) > n
    bool(a > 1)
    assert repr(env).startswith("<ShapeEnv: 1 symbols, 1 guards,")


# -- sizes, unbacked symbols, ranges (ShapeEnv groundwork) ------------------------------------


def test_size_names_ranges_and_specialisation():
    env = symcore.ShapeEnv()
    s = env.size(hint=8)
    assert str(s) == "s0"
    assert env.symbols["s0"] == (8, 0, None)
    assert env.size(hint=1) == 1 and type(env.size(hint=1)) is int
    assert env.size(hint=0) == 0
    named = env.size("batch", hint=8)
    assert str(named) == "batch"  # an explicit name always makes a new symbol
    assert str(env.size(hint=16)) == "s1"


def test_duck_sizing_shares_symbols_for_equal_hints():
    env = symcore.ShapeEnv()
    a, b, c = env.size(hint=4), env.size(hint=4), env.size(hint=5)
    assert a.key() == b.key()
    assert a.key() != c.key()
    plain = symcore.ShapeEnv(duck_shape=False, specialize_zero_one=False)
    x, y = plain.size(hint=4), plain.size(hint=4)
    assert x.key() != y.key()
    assert isinstance(plain.size(hint=1), symcore.SymInt)


def test_size_needs_an_int_hint():
    env = symcore.ShapeEnv()
    with pytest.raises(TypeError, match="unbacked"):
        env.size()
    with pytest.raises(TypeError):
        env.size(hint=2.0)


def test_unbacked_symbols():
    env = symcore.ShapeEnv()
    u = env.unbacked(min=0)
    assert str(u) == "u0" and u.hint is None
    assert str(env.unbacked()) == "u1"
    with pytest.raises(symcore.DataDependentError, match="u0"):
        bool(u > 5)
    # Decided by its range alone: no hint needed, no guard recorded.
    assert bool(u >= 0)
    assert env.guards == []


def test_bound_of_expressions():
    env = symcore.ShapeEnv()
    a, b = env.size("a", hint=5, min=1), env.size("b", hint=3, min=1)
    assert env.bound(a * b) == (1, math.inf)
    assert env.bound(a % 8) == (0, 7)
    assert env.bound(-a) == (-math.inf, -1)
    assert env.bound(symcore.sym_max(a, b) - 1) == (0, math.inf)
    x = env.symint("x", hint=0, min=-3, max=2)
    assert env.bound(x * x) == (0, 9)
    assert env.bound(7) == (7, 7)


def test_statically_known_never_uses_hints():
    env = symcore.ShapeEnv()
    a = env.size("a", hint=5, min=1)
    assert env.statically_known_true(a >= 1)
    assert env.statically_known_true(a % 8 < 8)
    assert not env.statically_known_true(a > 3)  # true at the hint, not provable
    assert env.statically_known_false(a < 0)
    assert not env.statically_known_false(a > 3)
    assert env.guards == []


def test_provable_conditions_record_no_guard():
    env = symcore.ShapeEnv()
    a = env.size("a", hint=5, min=1)
    if a >= 1:
        pass
    if a > 3:
        pass
    assert [str(g) for g in env.guards] == ["a >= 4"]


def test_bound_rejects_other_environments():
    env, other = symcore.ShapeEnv(), symcore.ShapeEnv()
    x = other.symint("x", hint=2)
    with pytest.raises(symcore.MixedEnvironmentsError):
        env.bound(x + 1)


# -- produce_guards / guard_fn ---------------------------------------------------------------


def _traced_env():
    env = symcore.ShapeEnv()
    n, m = env.size("n", hint=16, min=1), env.size("m", hint=3, min=1)
    if n % 8 == 0:  # guard
        pass
    if n > m:  # guard
        pass
    if n >= 1:  # implied by the range: no guard
        pass
    return env


def test_produce_guards_lists_facts_not_implied_by_ranges():
    env = _traced_env()
    assert env.produce_guards() == ["n % 8 == 0", "m < n"]


def test_guard_fn_accepts_inputs_taking_the_same_branches():
    fn = _traced_env().guard_fn()
    assert fn.names == ["n", "m"]
    assert fn(16, 3) and fn(8, 7) and fn({"n": 24, "m": 2})
    assert not fn(12, 3)  # 12 % 8 != 0
    assert not fn(8, 9)  # m < n fails
    assert not fn(0, 0)  # outside the declared ranges (n >= 1)
    assert fn.positional(32, 1) is True


def test_guard_fn_argument_errors():
    fn = _traced_env().guard_fn()
    with pytest.raises(TypeError, match="takes 2 values"):
        fn(1)
    with pytest.raises(KeyError, match="m"):
        fn({"n": 8})


def test_guard_fn_matches_evaluating_each_guard():
    env = _traced_env()
    fn = env.guard_fn()
    for n in range(-2, 40):
        for m in range(-2, 12):
            in_ranges = n >= 1 and m >= 1
            expected = in_ranges and all(env.evaluate(g.expr, {"n": n, "m": m}) for g in env.guards)
            assert fn(n, m) == expected, (n, m)
