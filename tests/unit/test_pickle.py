"""Pickling: a symcore Graph (pure Python, targets referenced by qualified name) round-trips
through pickle and still compiles to the same module; a ShapeEnv round-trips with its symbols,
guards, checks and what they taught it; symbolic values pickle as their printed form plus their
ShapeEnv, so values pickled together load into one environment. GraphModule does not pickle
(its compiled code); batch TraceResults are the picklable form of a trace."""

import math
import operator
import pickle

import pytest

import symcore


def shape_fn(n, m):
    if n > m:
        return (n * m + 3) // 2, symcore.sym_max(n, 8), math.floor(n / m)
    return m - n, operator.neg(m), n % 3


@pytest.mark.parametrize("hints", [(10, 4), (2, 9)])
def test_traced_graph_round_trips(hints):
    gm = symcore.trace_symbolic(shape_fn, *hints)
    graph = pickle.loads(pickle.dumps(gm.graph, protocol=pickle.HIGHEST_PROTOCOL))
    assert str(graph) == str(gm.graph)
    assert graph.python_code() == gm.graph.python_code()
    graph.lint()
    again = symcore.GraphModule(graph)
    for args in [hints, (hints[0] + 3, hints[1]), (7, 7)]:
        if gm.shape_env.guard_fn()(*args):
            assert again(*args) == gm(*args) == shape_fn(*args)


def test_unpickled_graph_is_independent():
    gm = symcore.trace_symbolic(lambda n: n + 1, 3)
    graph = pickle.loads(pickle.dumps(gm.graph))
    (placeholder,) = graph.find_nodes(op="placeholder")
    with graph.inserting_after(placeholder):
        doubled = graph.call_function(operator.mul, (placeholder, 2))
    output = graph.find_nodes(op="output")[0]
    output.args = (doubled,)
    graph.eliminate_dead_code()
    assert symcore.GraphModule(graph)(5) == 10
    assert gm(5) == 6  # the original is untouched


def test_shape_env_and_values_round_trip_together():
    env = symcore.ShapeEnv()
    a, b = env.size("a", hint=6), env.size("b", hint=6)
    assert bool(a == b) and bool(a % 2 == 0) and bool(a >= 4)
    u = env.unbacked()
    symcore.check(u >= 2, "at least two")
    x = (a * 3 + 1) // 2
    loaded = pickle.loads(pickle.dumps((env, x, a, u, env.guards[0], env.guard_fn(), env.decide(a > 1))))
    env2, x2, a2, u2, guard2, fn2, decision2 = loaded
    assert x2.shape_env is env2 and a2.shape_env is env2 and u2.shape_env is env2
    assert str(x2) == str(x) and x2.hint == x.hint
    assert env2.produce_guards() == env.produce_guards()
    assert [(g.kind, g.message, g.origin) for g in env2.runtime_asserts] == [
        (g.kind, g.message, g.origin) for g in env.runtime_asserts
    ]
    assert str(guard2) == "a == b" and guard2.origin == env.guards[0].origin
    # what the facts taught is learned again: the replacement, divisibility, the tightened range
    assert {k: str(v) for k, v in env2.replacements.items()} == {"b": "a"}
    assert str((a2 // 2) * 2) == "a" and env2.bound(a2) == (4, float("inf"))
    assert bool(u2 >= 1) and env2.guards == [g for g in env2.guards if g.kind == "guard"]
    for values in [(6, 6, 2), (6, 7, 2), (5, 5, 2), (2, 2, 2)]:
        assert fn2(*values) == env.guard_fn()(*values)
    assert decision2.truth is True
    # the loaded environment is independent
    assert bool(a2 >= 5)
    assert len(env2.guards) == len(env.guards) + 1


def test_constants_pickle_as_values_and_fresh_names_continue():
    env = symcore.ShapeEnv()
    s0 = env.size(hint=8)
    consts = (symcore.SymInt(5), symcore.SymBool(True), symcore.SymFloat(-0.0))
    loaded = pickle.loads(pickle.dumps((env, s0, consts)))
    env2, s0_2, (i, b, f) = loaded
    assert (type(i), i.hint, type(b), b.hint, type(f), str(f)) == (
        symcore.SymInt,
        5,
        symcore.SymBool,
        True,
        symcore.SymFloat,
        "-0.0",
    )
    assert env2.size(hint=8) is s0_2 or str(env2.size(hint=8)) == "s0"  # duck sizing remembered
    assert str(env2.size(hint=9)) == "s1"


def test_bad_states_and_bare_environments_are_refused():
    env = symcore.ShapeEnv()
    with pytest.raises(ValueError, match="not a pickled ShapeEnv"):
        env.__setstate__({"version": 99})
    bare = symcore._core.Env()
    x = bare.symbol("x", 3)
    with pytest.raises(TypeError, match="bare"):
        pickle.dumps(x + 1)
