"""Pickling: a symcore Graph (pure Python, targets referenced by qualified name) round-trips
through pickle and still compiles to the same module. Symbolic values, ShapeEnv and GraphModule do
not pickle today (they raise TypeError / PicklingError); that is recorded in the robustness table
(scripts/hostile.py), not asserted here."""

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
