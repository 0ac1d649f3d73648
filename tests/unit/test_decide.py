"""ShapeEnv's decision procedure and what builds on it: decide() with explanations, facts that
tighten ranges, replacements, divisibility, check(), guard_size_oblivious, minimal guards, the
validity region and explanations."""

import pytest

import symcore
from symcore import ContradictionError, DataDependentError, ShapeEnv, sym_max, sym_min


@pytest.fixture
def env_ab():
    env = ShapeEnv()
    return env, env.symint("a", 6, min=1), env.symint("b", 4, min=1)


ISSUE_FACTS = [
    lambda a, b: a * b >= a,
    lambda a, b: a // 2 <= a,
    lambda a, b: 2 * (a // 2) + a % 2 == a,
    lambda a, b: (a + b) % b == a % b,
    lambda a, b: (a * b) // b == a,
    lambda a, b: ((a + 10) ** 2) % (a + 10) == 0,
    lambda a, b: (4 * a + 3) // 4 == a,
    lambda a, b: sym_max(a, b) >= a,
    lambda a, b: a % b < b,
    lambda a, b: (a // b) * b <= a,
]


@pytest.mark.parametrize("fact", ISSUE_FACTS)
def test_issue_facts_are_proved_without_guards(env_ab, fact):
    env, a, b = env_ab
    q = fact(a, b)
    assert env.statically_known_true(q)
    assert env.decide(q).truth is True
    assert bool(q) is True
    assert env.guards == []


@pytest.mark.parametrize(
    "fact",
    [
        lambda a, b: a * b < a,
        lambda a, b: a % b >= b,
        lambda a, b: a + b <= a,
        lambda a, b: sym_min(a, b) > a,
    ],
)
def test_false_claims_are_refuted_with_a_binding(env_ab, fact):
    env, a, b = env_ab
    d = env.decide(fact(a, b))
    assert d.truth is False and env.statically_known_false(fact(a, b))
    assert d.counterexample is not None
    assert env.evaluate(fact(a, b), {"a": 6, "b": 4, **d.counterexample}) is False


def test_unknown_explains_both_ways_and_what_would_settle_it(env_ab):
    env, a, b = env_ab
    d = env.decide(a * b >= 2 * a)
    assert d.truth is None
    assert env.evaluate(a * b >= 2 * a, d.example) is True
    assert env.evaluate(a * b >= 2 * a, d.counterexample) is False
    assert d.settled_by == "b >= 2"
    text = d.explain()
    assert "unknown" in text and "b >= 2" in text


def test_proofs_name_the_facts_they_used():
    env = ShapeEnv()
    a, b, c = (env.symint(n, 10, min=1) for n in "abc")
    env.check(a <= b)
    env.check(b <= c)
    env.check(c >= 3)
    d = env.decide(a <= c)
    assert d.truth is True
    assert [str(f.expr) for f in d.facts] == ["a <= b", "b <= c"]
    assert "test_decide.py" in d.explain()


def test_hints_are_never_used():
    env = ShapeEnv()
    a = env.symint("a", 100, min=1)
    assert env.decide(a > 50).truth is None
    assert not env.statically_known_true(a > 50)


def test_guards_tighten_ranges_and_are_deduplicated():
    env = ShapeEnv()
    s = env.size(hint=32)
    assert bool(s >= 8)
    assert env.bound(s) == (8, float("inf"))
    assert bool(s >= 4)  # implied by the guard: no new guard
    assert bool(s // 2 >= 4)  # implied as well
    assert [str(g) for g in env.guards] == ["s0 >= 8"]
    assert env.statically_known_true(s * s >= 64)


def test_equality_guards_become_replacements():
    env = ShapeEnv()
    s0, s1 = env.size("x", hint=16), env.size("y", hint=16)
    assert bool(s0 == s1)
    assert env.replacements == {"y": s0}
    assert str(s1 + 1) == "x + 1"
    assert str(s0 - s1) == "0"
    assert env.statically_known_true(s1 * 2 == 2 * s0)


def test_equality_with_a_constant_specialises():
    env = ShapeEnv()
    s = env.size("s", hint=8)
    assert int(s) == 8
    assert str(env.replacements["s"]) == "8"
    assert (s * 3).is_constant and int(s * 3) == 24
    assert env.produce_guards() == ["s == 8"]


def test_divisibility_facts_simplify_later_expressions():
    env = ShapeEnv()
    s = env.size("s", hint=64)
    assert str((s // 8) * 8) == "8*(s // 8)"
    assert bool(s % 8 == 0)
    assert str((s // 8) * 8) == "s"
    assert str(s % 4) == "0"
    assert env.statically_known_true((s // 8) * 8 == s)


def test_check_is_an_axiom_and_a_runtime_assert():
    env = ShapeEnv()
    u = env.unbacked()
    with pytest.raises(DataDependentError, match=r"u0.*symcore.check"):
        bool(u >= 1)
    symcore.check(u >= 1, "nonzero needs at least one element")
    assert bool(u >= 1) and bool(u != 0)
    assert env.guards == []
    [assertion] = env.runtime_asserts
    assert str(assertion.expr) == "u0 >= 1" and assertion.kind == "check"
    assert assertion.message == "nonzero needs at least one element"
    assert "test_decide.py" in (assertion.origin or "")


def test_contradictory_checks_raise_and_record_nothing():
    env = ShapeEnv()
    u = env.unbacked()
    env.check(u >= 5)
    with pytest.raises(ContradictionError, match="never hold"):
        env.check(u <= 2)
    with pytest.raises(ContradictionError, match="custom"):
        env.check(u < 0, lambda: "custom message")
    s = env.size("s", hint=4)
    with pytest.raises(ContradictionError, match="False for the traced values"):
        env.check(s > 10)
    with pytest.raises(ContradictionError):
        symcore.check(False)
    assert [str(f.expr) for f in env.runtime_asserts] == ["u0 >= 5"]
    assert issubclass(ContradictionError, RuntimeError)


def test_guard_size_oblivious():
    env = ShapeEnv()
    s = env.size(hint=5)
    assert env.guard_size_oblivious(s != 1)
    assert symcore.guard_size_oblivious(s * 2 != 2)
    assert env.guards == []
    assert not env.statically_known_true(s != 1)  # sizes can be 1 in general
    # Not provable even for sizes >= 2: decided by the hint, with a guard.
    assert env.guard_size_oblivious(s > 3)
    assert [str(g) for g in env.guards] == ["s0 >= 4"]


def test_produce_guards_is_minimal():
    env = ShapeEnv()
    a, b = env.size("a", hint=20), env.size("b", hint=20, max=100)
    for cond in (a > 2, a > 9, a // 2 <= a, b <= 100, b > 1, a <= b + 5, a <= b + 10):
        assert bool(cond)
    # a > 2 and b > 1 are implied by later guards' ranges? No: by the others (a > 9, a <= b + 5).
    assert env.produce_guards() == ["a >= 10", "a <= b + 5"]
    fn = env.guard_fn()
    assert fn(a=20, b=20) if False else fn({"a": 20, "b": 20})
    assert not fn({"a": 9, "b": 20}) and not fn({"a": 30, "b": 20})


def test_validity_region_and_failing_guards():
    env = ShapeEnv()
    s0, s1 = env.size(hint=16), env.size(hint=24)
    assert bool(s0 >= 2) and bool(s1 % 8 == 0) and bool(s0 < s1)
    region = env.validity_region()
    assert region.conditions == ("s0 >= 2", "s1 % 8 == 0", "s0 < s1")
    assert region.inside == {"s0": 16, "s1": 24}
    assert region.outside is not None and region.violated
    assert not env.guard_fn()(region.outside)
    text = str(region)
    assert text.startswith("valid for s0 >= 2, s1 % 8 == 0, s0 < s1")
    failing = env.failing_guards({"s0": 30, "s1": 25})
    assert [str(g) for g in failing] == ["s1 % 8 == 0", "s0 < s1"]
    assert "test_decide.py" in env.explain({"s0": 30, "s1": 25})
    assert "every guard holds" in env.explain({"s0": 3, "s1": 8})


def test_explain_lists_symbols_replacements_and_origins():
    env = ShapeEnv()
    x, y = env.size("x", hint=7), env.size("y", hint=7)
    assert bool(x == y) and bool(x > 3) and bool(x > 2)
    text = env.explain()
    assert "x = 7 in [4, inf]" in text
    assert "y -> x" in text
    assert "guard x == y" in text and "test_decide.py" in text


def test_internals_are_invisible_to_tracers():
    def f(n):
        k = int(n + 1)  # a guard: n + 1 == hint, built inside the ShapeEnv
        return n * k

    gm = symcore.trace_symbolic(f, 5)
    targets = [str(node.target) for node in gm.graph.nodes if node.op == "call_function"]
    assert not any("eq" in t for t in targets), targets


def test_decide_accepts_plain_bools_and_rejects_other_types():
    env = ShapeEnv()
    assert env.decide(True).truth is True
    assert env.statically_known_false(False)
    with pytest.raises(TypeError):
        env.decide(3)  # type: ignore[arg-type]


def _shape_code(n, m, path):
    """Shape code of the kind tracers meet: padding, blocking and a broadcast-like check."""
    if n % 8 != 0:
        path.append("pad")
        n = (n // 8 + 1) * 8
    if m > n:
        path.append("swap")
        n, m = m, n
    if m == 1:
        path.append("broadcast")
        return n, n
    if n // m >= 4:
        path.append("blocked")
        return n // 4, m * 4
    return n, m


def test_scenario_guard_fn_accepts_exactly_the_inputs_taking_the_same_branches():
    hints = (20, 6)
    traced_path: list[str] = []
    gm = symcore.trace_symbolic(lambda n, m: _shape_code(n, m, traced_path), *hints)
    env = gm.shape_env
    print(env.explain())
    check = env.guard_fn()
    accepted = 0
    for n in range(2, 70):
        for m in range(2, 40):
            path: list[str] = []
            expected = _shape_code(n, m, path)
            same_branches = path == traced_path
            assert check(n, m) is same_branches, (n, m, path, traced_path, env.produce_guards())
            if same_branches:
                accepted += 1
                assert gm(n, m) == expected
    assert accepted > 50
    # No guard in the list is implied by the others or by the ranges.
    guards = env.produce_guards()
    assert len(guards) == len(set(guards)) and len(guards) <= 5
