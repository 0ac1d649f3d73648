"""Differential test driven by symcore's own strategies: expressions drawn by
``symcore.strategies`` evaluated by symcore at bindings drawn by ``symcore.strategies`` must equal
Python ints computed from the same tree structure by the small interpreter below, which knows
nothing about symcore (it walks the nested tuples with Python's own operators).

This dogfoods the strategies (they must produce well-formed trees, bindings inside ranges and
guards) and checks symcore's exact-semantics contract on them.
"""

from __future__ import annotations

from hypothesis import given, note
from hypothesis import strategies as st

import symcore
from oracle import COMPARISONS, PLAIN_BINARY
from symcore import SymBool, SymInt
from symcore import strategies as sst

_PLAIN = {**PLAIN_BINARY, **COMPARISONS}


def python_value(tree, binding):
    """The tree's value with Python ints and bools (raises what Python raises)."""
    op = tree[0]
    if op == "sym":
        return binding[tree[1]]
    if op == "const":
        return tree[1]
    args = [python_value(child, binding) for child in tree[1:]]
    if op == "abs":
        return abs(args[0])
    if op == "not":
        return not args[0]
    if op == "and":
        return args[0] and args[1]
    if op == "or":
        return args[0] or args[1]
    return _PLAIN[op](*args)


def outcome(fn):
    try:
        return fn()
    except ZeroDivisionError as e:
        return type(e)


def symcore_value(env, value, binding):
    if isinstance(value, (SymInt, SymBool)):
        return env.evaluate(value, binding)
    return value


@given(data=st.data())
def test_expression_evaluation_matches_python(data):
    env = data.draw(sst.shape_envs(min_symbols=1, max_symbols=3, backed=None), label="env")
    kind = data.draw(st.sampled_from(["int", "bool"]), label="kind")
    allow_errors = data.draw(st.booleans(), label="allow_errors")
    tree = data.draw(sst.expression_trees(env, kind=kind, max_depth=4, allow_errors=allow_errors), label="tree")
    binding = data.draw(sst.bindings(env), label="binding")
    expected = outcome(lambda: python_value(tree, binding))
    note(f"symbols: {env.symbols}; python: {expected!r}")
    built = outcome(lambda: sst.build(tree, env))
    if built is ZeroDivisionError:
        # a divisor folded to the constant 0 while building: Python raises for every binding
        assert expected is ZeroDivisionError
        return
    assert outcome(lambda: symcore_value(env, built, binding)) == expected
    assert type(outcome(lambda: symcore_value(env, built, binding))) is type(expected)
    if not allow_errors:
        assert expected is not ZeroDivisionError  # the strategy's promise


@given(data=st.data())
def test_hints_match_python_at_the_hints(data):
    env = data.draw(sst.shape_envs(backed=True))
    tree = data.draw(sst.expression_trees(env, kind=data.draw(st.sampled_from(["int", "bool"]))))
    hints = {name: hint for name, (hint, _, _) in env.symbols.items()}
    value = sst.build(tree, env)
    got = value.hint if isinstance(value, (SymInt, SymBool)) else value
    assert got == python_value(tree, hints)


@given(data=st.data())
def test_guarded_decisions_hold_at_guard_satisfying_bindings(data):
    """Decide a drawn condition at the hints (recording a guard), then every binding that
    satisfies the guards must take the same branch in plain Python."""
    env = data.draw(sst.shape_envs(backed=True, min_symbols=2))
    conditions = data.draw(st.lists(sst.expression_trees(env, kind="bool", max_depth=3), min_size=1, max_size=3))
    decided = []
    for tree in conditions:
        value = sst.build(tree, env)
        decided.append(bool(value))  # records a guard when symbolic and not provable
    note(f"guards: {env.produce_guards()}")
    binding = data.draw(sst.bindings(env))
    for tree, branch in zip(conditions, decided):
        assert python_value(tree, binding) == branch


@given(data=st.data())
def test_static_shape_products_match_python(data):
    env = symcore.ShapeEnv()
    shape = data.draw(sst.shapes(env, min_dims=1, max_dims=4, max_side=9))
    numel = 1
    for d in shape:
        numel = numel * d
    binding = data.draw(sst.bindings(env, min_value=0, max_value=9))
    plain = [binding[str(d)] if isinstance(d, SymInt) else d for d in shape]
    expected = 1
    for d in plain:
        expected *= d
    assert symcore_value(env, numel, binding) == expected
