"""The proxy tracer: operations recorded into a Graph, proxies owned by the tracer."""

import gc
import math
import operator
import weakref

import pytest

import symcore
from symcore import MissingProxyError, ProxySymDispatchMode, SymbolicTracer, trace_symbolic


def _targets(graph):
    return [n.target for n in graph.nodes if n.op == "call_function"]


def test_constants_are_literals_never_nodes():
    def f(n):
        k = symcore.SymInt(3) * 4  # a constant computed under the mode
        return n + k

    gm = trace_symbolic(f, 5)
    assert _targets(gm.graph) == [operator.add]
    add = next(n for n in gm.graph.nodes if n.op == "call_function")
    assert add.args[1] == 12
    assert gm(10) == 22


def test_same_computation_is_recorded_once():
    def f(n, m):
        a = n * m
        b = m * n  # the same canonical expression
        return a + b, n * m

    gm = trace_symbolic(f, 3, 4)
    assert _targets(gm.graph).count(operator.mul) == 1
    assert gm(5, 6) == f(5, 6)


def test_operation_that_folds_to_an_input_adds_no_node():
    gm = trace_symbolic(lambda n: (n + 0) * 1 - 0, 7)
    assert _targets(gm.graph) == []
    assert gm(11) == 11


def test_guards_are_recorded_and_module_follows_the_traced_branch():
    def f(n, m):
        if n % 2 == 0:
            return n // 2 + m
        return 3 * n + 1

    gm = trace_symbolic(f, 10, 1)
    assert [str(g) for g in gm.shape_env.guards] == ["n % 2 == 0"]
    for n, m in [(4, 2), (100, -7), (0, 0)]:
        assert gm(n, m) == f(n, m)


def test_outputs_nest_tuples_lists_dicts():
    def f(a, b):
        return {"sum": a + b, "pair": [a * b, (a - b, 5)], "flag": a < b}

    gm = trace_symbolic(f, 2, 3)
    out = gm(4, 9)
    assert out == {"sum": 13, "pair": [36, (-5, 5)], "flag": True}


def test_divmod_records_getitems():
    gm = trace_symbolic(lambda n: divmod(n, 7), 30)
    assert gm(-30) == divmod(-30, 7)
    assert operator.getitem in _targets(gm.graph)


def test_float_and_rounding_ops():
    def f(n, m):
        return math.floor(n / m), round(n / 3, 2), symcore.sym_max(n, m) - symcore.sym_min(n, 2)

    gm = trace_symbolic(f, 7, 2)
    for n, m in [(7, 2), (10**20 + 1, 3), (-9, 4)]:
        assert gm(n, m) == f(n, m)


def test_proxies_die_with_the_tracer():
    env = symcore.ShapeEnv()
    n = env.symint("n", hint=4)
    tracer = SymbolicTracer()
    ph = tracer.graph.placeholder("n")
    tracer.bind(n, ph)
    with ProxySymDispatchMode(tracer):
        m = n * 3 + 1
    node = tracer.node_of(m)
    assert node is not None
    tracer_ref, graph_ref, node_ref = weakref.ref(tracer), weakref.ref(tracer.graph), weakref.ref(node)
    del tracer, node, ph
    gc.collect()
    assert tracer_ref() is None
    assert graph_ref() is None
    assert node_ref() is None
    assert m.hint == 13  # the value itself is untouched


def test_two_tracers_at_once_keep_separate_graphs():
    env = symcore.ShapeEnv()
    n = env.symint("n", hint=4)
    outer, inner = SymbolicTracer(), SymbolicTracer()
    outer.bind(n, outer.graph.placeholder("n"))
    inner.bind(n, inner.graph.placeholder("n"))
    with ProxySymDispatchMode(outer):
        a = n + 1
        with ProxySymDispatchMode(inner):
            b = a * 2  # a has no node in `inner`: rebuilt there from n
    assert outer.node_of(b) is not None  # the redispatch reached the outer tracer too
    assert _targets(outer.graph) == [operator.add, operator.mul]
    assert _targets(inner.graph) == [operator.add, operator.mul]
    assert outer.node_of(a) is not inner.node_of(a)


def test_value_from_outside_is_rebuilt_from_input_symbols():
    env = symcore.ShapeEnv()
    n = env.symint("n", hint=6)
    outside = (n * n + 3) // 2  # built before tracing

    def f(n_):
        return n_ + outside

    gm = trace_symbolic(f, n, shape_env=env)
    assert gm(4) == 4 + (4 * 4 + 3) // 2
    assert gm(-5) == -5 + (25 + 3) // 2


def test_missing_proxy_names_the_expression_and_symbols():
    env = symcore.ShapeEnv()
    hidden = env.symint("hidden", hint=3)
    outside = hidden * 2 + 1  # computed before the trace from a symbol that is not an input
    with pytest.raises(MissingProxyError, match=r"2\*hidden \+ 1 reached the graph.*symbols hidden"):
        trace_symbolic(lambda n: n + outside, 5, shape_env=env)


def test_non_int_arguments_are_specialised():
    gm = trace_symbolic(lambda n, scale, flag: n * 2 if flag else n, 5, 2.5, True)
    assert gm(8, 0.0, False) == 16  # scale and flag were fixed at trace time


def test_graph_module_json_round_trip_of_a_trace():
    gm = trace_symbolic(lambda a, b: (a * b + 3) % 8 - symcore.sym_max(a, b), 5, 9)
    again = symcore.GraphModule(symcore.Graph.from_json(gm.graph.to_json()))
    for a, b in [(5, 9), (-3, 12), (10**30, 7)]:
        assert again(a, b) == gm(a, b) == (a * b + 3) % 8 - max(a, b)


def test_subclass_overriding_the_handler_is_honoured():
    seen = []

    class Logging(ProxySymDispatchMode):
        def __sym_dispatch__(self, func, types, args, kwargs):
            seen.append(func)
            return super().__sym_dispatch__(func, types, args, kwargs)

    env = symcore.ShapeEnv()
    n = env.symint("n", hint=4)
    tracer = SymbolicTracer()
    tracer.bind(n, tracer.graph.placeholder("n"))
    with Logging(tracer):
        m = (n + 1) * 2
    assert seen == [operator.add, operator.mul]
    assert _targets(tracer.graph) == [operator.add, operator.mul]
    assert tracer.node_of(m) is not None


def test_native_and_python_handlers_record_the_same_graph():
    env = symcore.ShapeEnv()
    n, m = env.symint("n", hint=4), env.symint("m", hint=9)

    def program():
        a = n * m + 3
        return divmod(a, 7), symcore.sym_max(a, m) - n, (a // m) % 5

    graphs = []
    for direct in (False, True):
        tracer = SymbolicTracer()
        tracer.bind(n, tracer.graph.placeholder("n"))
        tracer.bind(m, tracer.graph.placeholder("m"))
        mode = ProxySymDispatchMode(tracer)
        if direct:
            # Call the handler from Python (the path a subclass's super() call takes).
            class Direct(ProxySymDispatchMode):
                def __sym_dispatch__(self, func, types, args, kwargs):
                    return ProxySymDispatchMode.__sym_dispatch__(self, func, types, args, kwargs)

            mode = Direct(tracer)
        with mode:
            out = program()
        tracer.graph.output(tracer.arg(out))
        graphs.append(str(tracer.graph))
    assert graphs[0] == graphs[1]
    assert "operator.getitem" in graphs[0]
