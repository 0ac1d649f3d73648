"""symcore.graph: building, bookkeeping, lint, DCE, printing, codegen, interpreter, JSON, DOT."""

import ast
import builtins
import doctest
import json
import math
import operator

import pytest

import symcore
from symcore import graph as graph_module
from symcore import sym_float, sym_int, sym_ite, sym_max, sym_min, sym_not
from symcore.graph import (
    MAX_DEPTH,
    MAX_JSON_CHARS,
    Graph,
    GraphError,
    GraphModule,
    Interpreter,
    Node,
    UnregisteredTargetError,
    _Namespace,
    lookup_target,
    map_arg,
    register_target,
    registered_targets,
    target_name,
)

# --------------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------------


def example_graph():
    """n, m -> (n + 1, n + 1 < m)."""
    g = Graph()
    n = g.placeholder("n")
    m = g.placeholder("m")
    add = g.call_function(operator.add, (n, 1))
    lt = g.call_function(operator.lt, (add, m))
    g.output((add, lt))
    return g


EXAMPLE_LISTING = """\
graph(n, m):
    %n = placeholder[n]
    %m = placeholder[m]
    %add = operator.add(%n, 1)
    %lt = operator.lt(%add, %m)
    return (%add, %lt)"""


def arithmetic_graph():
    """A graph exercising many registered targets on two ints a, b (b != 0)."""
    g = Graph()
    a = g.placeholder("a")
    b = g.placeholder("b")
    s = g.call_function(operator.add, (a, b))
    d = g.call_function(operator.sub, (a, b))
    p = g.call_function(operator.mul, (s, d))
    fd = g.call_function(operator.floordiv, (p, b))
    md = g.call_function(operator.mod, (p, b))
    pw = g.call_function(operator.pow, (a, 2))
    mx = g.call_function(sym_max, (fd, md, -7))
    mn = g.call_function(sym_min, (fd, md))
    ng = g.call_function(operator.neg, (mx,))
    ab = g.call_function(abs, (ng,))
    lt = g.call_function(operator.lt, (a, b))
    ite = g.call_function(sym_ite, (lt, a, b))
    nt = g.call_function(sym_not, (lt,))
    tdv = g.call_function(operator.truediv, (a, b))
    fl = g.call_function(math.floor, (tdv,))
    rd = g.call_function(round, (tdv,), {"ndigits": 2})
    sh = g.call_function(operator.lshift, (ab, 3))
    bx = g.call_function(operator.xor, (sh, a))
    dm = g.call_function(divmod, (a, b))
    gi = g.call_function(operator.getitem, (dm, 1))
    sf = g.call_function(sym_float, (a,))
    si = g.call_function(sym_int, (sf,))
    g.output({"p": p, "rest": [fd, md, pw, mx, mn, ab, ite, nt, fl, rd, bx, gi, si], "t": (lt,)})
    return g


def arithmetic_python(a, b):
    s, d = a + b, a - b
    p = s * d
    fd, md = p // b, p % b
    mx = max(fd, md, -7)
    ab = abs(-mx)
    lt = a < b
    tdv = a / b
    return {
        "p": p,
        "rest": [fd, md, a**2, mx, min(fd, md), ab, a if lt else b, not lt, math.floor(tdv), round(tdv, 2),
                 (ab << 3) ^ a, divmod(a, b)[1], int(float(a))],
        "t": (lt,),
    }  # fmt: skip


# --------------------------------------------------------------------------------------------------
# building and users
# --------------------------------------------------------------------------------------------------


def test_build_example_graph_nodes_and_names():
    g = example_graph()
    assert [(n.op, n.name) for n in g.nodes] == [
        ("placeholder", "n"),
        ("placeholder", "m"),
        ("call_function", "add"),
        ("call_function", "lt"),
        ("output", "output"),
    ]
    assert len(g.nodes) == 5
    add = g.find_nodes(target=operator.add)[0]
    assert add.target is operator.add and add.args[1] == 1 and repr(add) == "%add"
    assert [n.name for n in g.find_nodes(op="placeholder")] == ["n", "m"]
    assert g.find_nodes(op="call_function", target=operator.lt)[0].name == "lt"
    assert add in g.nodes and add.next.name == "lt" and add.prev.name == "m"
    assert g.find_nodes(op="output")[0].next is None and g.find_nodes(op="placeholder")[0].prev is None
    g.lint()


def test_default_names_are_target_short_names_and_unique():
    g = Graph()
    x = g.placeholder("x")
    names = [
        g.call_function(operator.add, (x, 1)).name,
        g.call_function(operator.add, (x, 2)).name,
        g.call_function(operator.floordiv, (x, 2)).name,
        g.call_function(sym_max, (x, 2)).name,
        g.call_function(operator.and_, (x, 2)).name,
        g.call_function(max, (x, 2)).name,  # "max" is a builtin name: suffixed
        g.call_function(operator.add, (x, 3), name="add").name,
    ]
    assert names == ["add", "add_1", "floordiv", "sym_max", "and_", "max_1", "add_2"]


def test_users_track_nested_args_and_kwargs():
    g = Graph()
    a, b, c = g.placeholder("a"), g.placeholder("b"), g.placeholder("c")
    node = g.call_function(max, ([a, (b, {"k": a})],), {"default": c})
    assert list(a.users) == [node] and list(b.users) == [node] and list(c.users) == [node]
    assert node.all_input_nodes == [a, b, c]
    # replacing args drops users that are no longer referenced and adds new ones
    node.args = ((b, b),)
    assert a.users == {} and list(b.users) == [node] and list(c.users) == [node]
    node.kwargs = {}
    assert c.users == {} and node.all_input_nodes == [b]
    g.lint()


def test_args_are_copied_on_assignment():
    g = Graph()
    a = g.placeholder("a")
    inner = [a, 1]
    node = g.call_function(operator.getitem, (inner, 0))
    inner.append(2)
    assert node.args == ([a, 1], 0)
    assert type(node.args) is tuple
    node.args = [a, 0]  # a list of args becomes a tuple
    assert node.args == (a, 0) and type(node.args) is tuple


def test_users_order_is_insertion_order_and_stable_on_reassignment():
    g = Graph()
    x = g.placeholder("x")
    u1 = g.call_function(operator.neg, (x,))
    u2 = g.call_function(operator.pos, (x,))
    u3 = g.call_function(operator.abs, (x,))
    u1.args = (x,)  # still uses x: keeps its place
    assert list(x.users) == [u1, u2, u3]


def test_replace_all_uses_with():
    g = Graph()
    x, y = g.placeholder("x"), g.placeholder("y")
    a = g.call_function(operator.add, (x, x))
    b = g.call_function(operator.mul, ([x], {"k": (x,)}))
    c = g.call_function(operator.neg, (y,))
    out = g.output((a, b, x))
    changed = x.replace_all_uses_with(y)
    assert changed == [a, b, out]
    assert x.users == {}
    assert a.args == (y, y) and b.args == ([y], {"k": (y,)}) and out.args == ((a, b, y),)
    assert list(y.users) == [c, a, b, out]
    g.lint()


def test_replace_all_uses_with_rejects_foreign_node():
    g, other = Graph(), Graph()
    x = g.placeholder("x")
    g.call_function(operator.neg, (x,))
    with pytest.raises(GraphError, match="another graph"):
        x.replace_all_uses_with(other.placeholder("z"))
    with pytest.raises(GraphError, match="needs a Node"):
        x.replace_all_uses_with(3)


def test_map_arg_rebuilds_containers():
    g = Graph()
    n = g.placeholder("n")
    assert map_arg((n, [1, {"k": n}], "s"), lambda node: node.name) == ("n", [1, {"k": "n"}], "s")


@pytest.mark.parametrize(
    "bad_arg, message",
    [
        (object(), "unsupported argument of type builtins.object"),
        ({1, 2}, "unsupported argument of type builtins.set"),
        (b"bytes", "unsupported argument of type builtins.bytes"),
        ({(1, 2): 3}, "unsupported dict key"),
        (symcore.ShapeEnv().symint("s", 3), "unsupported argument of type symcore._core.SymInt"),
    ],
)
def test_create_node_rejects_unsupported_literals(bad_arg, message):
    g = Graph()
    x = g.placeholder("x")
    with pytest.raises(GraphError, match=message):
        g.call_function(operator.add, (x, bad_arg))
    assert x.users == {} and len(g.nodes) == 1  # nothing half-created


def test_create_node_validates_op_target_and_shape():
    g = Graph()
    x = g.placeholder("x")
    with pytest.raises(GraphError, match="unknown op 'call_method'"):
        g.create_node("call_method", "add", (x,))
    with pytest.raises(GraphError, match="must be callable"):
        g.create_node("call_function", "operator.add", (x, 1))
    with pytest.raises(GraphError, match="placeholder target must be a str"):
        g.create_node("placeholder", operator.add)
    with pytest.raises(GraphError, match="take no args"):
        g.create_node("placeholder", "y", (x,))
    with pytest.raises(GraphError, match="keyword argument name 'not valid'"):
        g.call_function(operator.add, (x, 1), {"not valid": 1})
    with pytest.raises(GraphError, match="keyword argument name 'class'"):
        g.call_function(operator.add, (x, 1), {"class": 1})
    with pytest.raises(GraphError, match="args must be a tuple"):
        g.call_function(operator.add, x)
    g.output(x)
    with pytest.raises(GraphError, match="already has an output"):
        g.output(x)
    assert list(x.users) == [g.find_nodes(op="output")[0]]


def test_args_nesting_is_capped():
    g = Graph()
    deep = 1
    for _ in range(MAX_DEPTH + 5):
        deep = [deep]
    with pytest.raises(GraphError, match="nest deeper"):
        g.call_function(operator.getitem, (deep, 0))
    cyclic = []
    cyclic.append(cyclic)
    with pytest.raises(GraphError, match="nest deeper"):
        g.call_function(operator.getitem, (cyclic, 0))


def test_using_a_node_of_another_graph_or_an_erased_node_is_refused():
    g, other = Graph(), Graph()
    x = g.placeholder("x")
    with pytest.raises(GraphError, match="another graph"):
        g.call_function(operator.neg, (other.placeholder("y"),))
    dead = g.call_function(operator.neg, (x,))
    g.erase_node(dead)
    with pytest.raises(GraphError, match="erased"):
        g.call_function(operator.neg, (dead,))


# --------------------------------------------------------------------------------------------------
# insertion points and erasing
# --------------------------------------------------------------------------------------------------


def test_new_nodes_go_before_an_existing_output():
    g = Graph()
    x = g.placeholder("x")
    out = g.output(x)
    y = g.call_function(operator.neg, (x,))
    out.args = (y,)
    assert [n.name for n in g.nodes] == ["x", "neg", "output"]
    g.lint()


def test_inserting_before_keeps_creation_order():
    g = example_graph()
    lt = g.find_nodes(target=operator.lt)[0]
    add = g.find_nodes(target=operator.add)[0]
    with g.inserting_before(lt):
        a = g.call_function(operator.mul, (add, 2))
        b = g.call_function(operator.sub, (a, 1))
    c = g.call_function(operator.neg, (add,))  # back to the default insertion point
    assert [n.name for n in g.nodes] == ["n", "m", "add", "mul", "sub", "lt", "neg", "output"]
    assert b.args == (a, 1) and c.next.op == "output"
    g.lint()


def test_inserting_after_keeps_creation_order_and_nests():
    g = example_graph()
    add = g.find_nodes(target=operator.add)[0]
    n = g.find_nodes(op="placeholder")[0]
    with g.inserting_after(add):
        a = g.call_function(operator.mul, (add, 2))
        g.call_function(operator.sub, (a, 1))
        with g.inserting_after(n):
            g.call_function(operator.neg, (n,))
        g.call_function(operator.pos, (a,))
    assert [x.name for x in g.nodes] == ["n", "neg", "m", "add", "mul", "sub", "pos", "lt", "output"]
    g.lint()


def test_inserting_point_must_be_own_live_node():
    g, other = Graph(), Graph()
    o = other.placeholder("o")
    with pytest.raises(GraphError, match="not a node of this graph"), g.inserting_before(o):
        pass
    x = g.placeholder("x")
    y = g.call_function(operator.neg, (x,))
    with g.inserting_after(y):
        g.erase_node(y)
        with pytest.raises(GraphError, match="insertion point %neg was erased"):
            g.call_function(operator.pos, (x,))


def test_erase_node_refuses_used_nodes():
    g = example_graph()
    add = g.find_nodes(target=operator.add)[0]
    with pytest.raises(GraphError, match=r"cannot erase %add: it is still used by %lt, %output"):
        g.erase_node(add)
    assert add in g.nodes and len(g.nodes) == 5


def test_erase_node_updates_users_and_len():
    g = Graph()
    x = g.placeholder("x")
    y = g.call_function(operator.neg, (x,))
    g.erase_node(y)
    assert x.users == {} and len(g.nodes) == 1 and y not in g.nodes
    with pytest.raises(GraphError, match="not a node of this graph"):
        g.erase_node(y)
    g.lint()


def test_erasing_while_iterating_is_safe():
    g = Graph()
    x = g.placeholder("x")
    for i in range(5):
        g.call_function(operator.add, (x, i))
    seen = []
    for node in g.nodes:
        seen.append(node.name)
        if node.op == "call_function":
            g.erase_node(node)
    assert seen == ["x", "add", "add_1", "add_2", "add_3", "add_4"]
    assert [n.name for n in g.nodes] == ["x"]


# --------------------------------------------------------------------------------------------------
# lint
# --------------------------------------------------------------------------------------------------


def _break_foreign_arg(g):
    other = Graph()
    g.find_nodes(target=operator.add)[0]._args = (other.placeholder("z"), 1)


def _break_later_arg(g):
    add = g.find_nodes(target=operator.add)[0]
    lt = g.find_nodes(target=operator.lt)[0]
    add._args = (lt, 1)
    lt.users[add] = None


def _break_self_arg(g):
    add = g.find_nodes(target=operator.add)[0]
    add._args = (add, 1)
    add.users[add] = None


def _break_missing_user(g):
    n = g.find_nodes(op="placeholder")[0]
    n.users.clear()


def _break_extra_user(g):
    m = g.find_nodes(op="placeholder")[1]
    m.users[g.find_nodes(target=operator.add)[0]] = None


def _break_inplace_mutation(g):
    add = g.find_nodes(target=operator.add)[0]
    m = g.find_nodes(op="placeholder")[1]
    add._args = (add.args[0], m)  # bypasses the setter


def _break_duplicate_name(g):
    g.find_nodes(target=operator.lt)[0].name = "add"


def _break_unsafe_name(g):
    g.find_nodes(target=operator.lt)[0].name = "a; import os"


def _break_keyword_name(g):
    g.find_nodes(target=operator.lt)[0].name = "lambda"


def _break_two_outputs(g):
    out = g.find_nodes(op="output")[0]
    extra = Node(g, "output_1", "output", "output", (1,), {})
    g._link_before(extra, out)


def _break_output_not_last(g):
    late = Node(g, "late", "call_function", operator.neg, (g.find_nodes(op="placeholder")[0],), {})
    g._link_before(late, g._root)  # after the output


def _break_unknown_op(g):
    g.find_nodes(target=operator.lt)[0].op = "call_method"


def _break_uncallable_target(g):
    g.find_nodes(target=operator.lt)[0].target = "operator.lt"


def _break_placeholder_target(g):
    g.find_nodes(op="placeholder")[0].target = 3


def _break_literal(g):
    g.find_nodes(target=operator.add)[0]._args = (g.find_nodes(op="placeholder")[0], object())


def _break_kwarg_name(g):
    g.find_nodes(target=operator.add)[0]._kwargs = {"x y": 1}


def _break_placeholder_args(g):
    g.find_nodes(op="placeholder")[1]._args = (1,)


def _break_links(g):
    g.find_nodes(target=operator.add)[0]._prev = g._root


def _break_len(g):
    g._len += 1


def _break_erased_linked(g):
    g.find_nodes(target=operator.lt)[0]._erased = True


@pytest.mark.parametrize(
    "breaker, message",
    [
        (_break_foreign_arg, r"%add: uses %z, which is not in this graph"),
        (_break_later_arg, r"%add: uses %lt, which is defined after it"),
        (_break_self_arg, r"%add: uses %add, which is defined after it"),
        (_break_missing_user, r"users out of sync: %add uses %n but is missing from %n.users"),
        (_break_extra_user, r"users out of sync: %m.users lists %add, which does not use it"),
        (_break_inplace_mutation, r"users out of sync: %add uses %m"),
        (_break_duplicate_name, r"duplicate node name 'add'"),
        (_break_unsafe_name, r"node name 'a; import os' is not a safe identifier"),
        (_break_keyword_name, r"node name 'lambda' is not a safe identifier"),
        (_break_two_outputs, r"more than one output node: %output_1, %output"),
        (_break_output_not_last, r"output node %output is not the last node"),
        (_break_unknown_op, r"%lt: unknown op 'call_method'"),
        (_break_uncallable_target, r"%lt: call_function target must be callable"),
        (_break_placeholder_target, r"%n: placeholder target must be a str"),
        (_break_literal, r"%add: unsupported argument of type builtins.object"),
        (_break_kwarg_name, r"%add: keyword argument name 'x y'"),
        (_break_placeholder_args, r"%m: placeholder nodes take no args"),
        (_break_links, r"node list is corrupt"),
        (_break_len, r"node list is corrupt at its end"),
        (_break_erased_linked, r"erased node %lt is still linked"),
    ],
)
def test_lint_catches_each_broken_invariant(breaker, message):
    g = example_graph()
    g.lint()
    breaker(g)
    with pytest.raises(GraphError, match=message):
        g.lint()


def test_graph_error_is_a_value_error():
    assert issubclass(GraphError, ValueError)


def test_codegen_and_json_refuse_broken_graphs():
    g = example_graph()
    _break_unsafe_name(g)
    with pytest.raises(GraphError, match="not a safe identifier"):
        g.python_code()
    with pytest.raises(GraphError, match="not a safe identifier"):
        GraphModule(g)
    with pytest.raises(GraphError, match="not a safe identifier"):
        g.to_json()
    with pytest.raises(GraphError, match="not a safe identifier"):
        Interpreter(g).run(1, 2)


# --------------------------------------------------------------------------------------------------
# dead code elimination
# --------------------------------------------------------------------------------------------------


def test_eliminate_dead_code_removes_dead_chains_only():
    g = Graph()
    x = g.placeholder("x")
    unused_input = g.placeholder("unused")
    live = g.call_function(operator.add, (x, 1))
    d1 = g.call_function(operator.mul, (x, 2))
    d2 = g.call_function(operator.neg, (d1,))
    g.call_function(operator.pos, (d2,))
    g.get_attr("w")
    g.output(live)
    assert g.eliminate_dead_code() is True
    assert [n.name for n in g.nodes] == ["x", "unused", "add", "output"]
    assert list(x.users) == [live] and unused_input.users == {}
    assert g.eliminate_dead_code() is False
    g.lint()


def test_eliminate_dead_code_keeps_everything_without_output_placeholders():
    g = Graph()
    g.placeholder("x")
    assert g.eliminate_dead_code() is False
    assert len(g.nodes) == 1


# --------------------------------------------------------------------------------------------------
# printing
# --------------------------------------------------------------------------------------------------


def test_print_example_graph(capsys):
    g = example_graph()
    print(g)
    assert capsys.readouterr().out == EXAMPLE_LISTING + "\n"
    assert str(g) == EXAMPLE_LISTING


def test_print_literals_kwargs_attrs_and_nested_output():
    g = Graph()
    x = g.placeholder("s0; import os")
    w = g.get_attr("layer.weight")
    r = g.call_function(round, (x,), {"ndigits": 2})
    g.output({"a": [r, (w,)], "b": (float("inf"), -0.0, None, True, "q'\n", 2**100, ())})
    assert str(g) == (
        "graph(s0_import_os):\n"
        "    %s0_import_os = placeholder['s0; import os']\n"
        "    %layer_weight = get_attr[layer.weight]\n"
        "    %round_1 = builtins.round(%s0_import_os, ndigits=2)\n"
        "    return {'a': [%round_1, (%layer_weight,)], 'b': (inf, -0.0, None, True, \"q'\\n\", "
        "1267650600228229401496703205376, ())}"
    )


def test_print_empty_graph_and_unregistered_target():
    assert str(Graph()) == "graph():"

    def local_fn(v):
        return v

    g = Graph()
    g.call_function(local_fn, (1,))
    assert str(g).splitlines()[1] == f"    %local_fn = {__name__}.{local_fn.__qualname__}(1)"


def test_module_doctests_pass():
    results = doctest.testmod(graph_module, optionflags=doctest.ELLIPSIS)
    assert results.attempted >= 10
    assert results.failed == 0


# --------------------------------------------------------------------------------------------------
# python_code and GraphModule
# --------------------------------------------------------------------------------------------------


def test_python_code_of_example_graph():
    assert example_graph().python_code() == (
        "def forward(n, m):\n    add = operator_add(n, 1)\n    lt = operator_lt(add, m)\n    return (add, lt)\n"
    )
    assert example_graph().python_code("shape_fn").startswith("def shape_fn(n, m):\n")


@pytest.mark.parametrize("a, b", [(7, 3), (-7, 3), (7, -3), (-7, -3), (0, 5), (2**70 + 1, 3), (5, 2**65), (1, 1)])
def test_graph_module_matches_plain_python(a, b):
    gm = GraphModule(arithmetic_graph())
    assert gm(a, b) == arithmetic_python(a, b)


@pytest.mark.parametrize("a, b", [(7, 3), (-7, 3), (2**70 + 1, -3), (3, 8)])
def test_interpreter_agrees_with_graph_module(a, b):
    g = arithmetic_graph()
    assert Interpreter(g).run(a, b) == GraphModule(g)(a, b) == arithmetic_python(a, b)


def test_graph_module_division_by_zero_raises_like_python():
    gm = GraphModule(arithmetic_graph())
    with pytest.raises(ZeroDivisionError):
        gm(1, 0)
    with pytest.raises(ZeroDivisionError):
        Interpreter(arithmetic_graph()).run(1, 0)


def test_graph_module_on_symints_matches_ints():
    env = symcore.ShapeEnv()
    n = env.symint("n", 10, min=1)
    g = Graph()
    x = g.placeholder("x")
    y = g.call_function(operator.floordiv, (g.call_function(operator.mul, (x, 3)), 2))
    g.output(g.call_function(sym_max, (y, 4)))
    out = GraphModule(g)(n)
    assert isinstance(out, symcore.SymInt)
    for value in (1, 2, 7, 10, 99):
        assert env.evaluate(out, {"n": value}) == max(value * 3 // 2, 4)


def test_graph_module_globals_hold_only_bound_names():
    gm = GraphModule(example_graph())
    fn_globals = gm._fn.__globals__
    assert fn_globals["__builtins__"] == {}
    assert set(fn_globals) == {"__builtins__", "operator_add", "operator_lt", "forward"}
    assert fn_globals["operator_add"] is operator.add


def test_graph_module_get_attr_and_missing_attr():
    g = Graph()
    x = g.placeholder("x")
    w = g.get_attr("layer.weight")
    g.output(g.call_function(operator.mul, (x, w)))
    assert GraphModule(g, attrs={"layer.weight": 6})(7) == 42
    assert Interpreter(g, attrs={"layer.weight": 6}).run(7) == 42
    assert "fetch_attr('layer.weight')" in GraphModule(g, attrs={"layer.weight": 1}).code
    with pytest.raises(KeyError, match=r"layer\.weight"):
        GraphModule(g)(7)
    with pytest.raises(KeyError, match=r"layer\.weight"):
        Interpreter(g).run(7)


def test_graph_module_nonfinite_and_big_literals():
    g = Graph()
    x = g.placeholder("x")
    g.output((x, float("inf"), float("-inf"), float("nan"), -0.0, 2**100, -(2**20000), [None, "s"], {1: (x,)}))
    gm = GraphModule(g)
    assert "float('inf')" in gm.code and "float('-inf')" in gm.code and "float('nan')" in gm.code
    r = Interpreter(g).run(5)
    for got in (gm(5), r):
        assert got[0] == 5 and got[1] == math.inf and got[2] == -math.inf and math.isnan(got[3])
        assert got[4] == 0.0 and math.copysign(1.0, got[4]) == -1.0
        assert got[5] == 2**100 and got[6] == -(2**20000)
        assert got[7:] == ([None, "s"], {1: (5,)})


def test_graph_without_output_returns_none():
    g = Graph()
    x = g.placeholder("x")
    g.call_function(operator.neg, (x,))
    assert GraphModule(g)(3) is None and Interpreter(g).run(3) is None
    assert g.python_code().endswith("    return None\n")


def test_graph_module_wrong_arity_raises_type_error():
    gm = GraphModule(example_graph())
    with pytest.raises(TypeError):
        gm(1)
    with pytest.raises(TypeError, match="takes 2 positional arguments but 3 were given"):
        Interpreter(example_graph()).run(1, 2, 3)


def test_graph_module_recompile_picks_up_changes():
    g = example_graph()
    gm = GraphModule(g)
    assert gm(1, 5) == (2, True)
    add = g.find_nodes(target=operator.add)[0]
    add.args = (add.args[0], 10)
    assert gm(1, 5) == (2, True)  # still the old code
    gm.recompile()
    assert gm(1, 5) == (11, False)
    assert "operator_add(n, 10)" in gm.code


def test_unregistered_target_needs_registration_for_codegen_and_json():
    def local_fn(v):
        return v + 1

    g = Graph()
    x = g.placeholder("x")
    g.output(g.call_function(local_fn, (x,)))
    assert Interpreter(g).run(1) == 2  # the interpreter needs no names
    for action in (g.python_code, g.to_json, lambda: GraphModule(g)):
        with pytest.raises(UnregisteredTargetError, match="is not a registered graph target") as info:
            action()
        assert isinstance(info.value, KeyError)
        assert "local_fn" in str(info.value) and not str(info.value).startswith("'")


def test_registry_names_and_conflicts():
    assert target_name(operator.add) == "operator.add"
    assert target_name(operator.and_) == "operator.and_"
    assert target_name(math.floor) == "math.floor"
    assert target_name(round) == "builtins.round"
    assert target_name(sym_max) == "symcore.sym_max"
    assert lookup_target("symcore.sym_int") is sym_int
    expected = {f"operator.{n}" for n in ("add", "sub", "getitem", "index", "truth", "not_", "invert")}
    expected |= {"math.ceil", "math.trunc", "builtins.divmod", "builtins.pow", "builtins.int", "builtins.bool"}
    expected |= {"builtins.float", "builtins.min", "builtins.max", "builtins.abs", "symcore.sym_ite"}
    assert expected <= set(registered_targets())
    register_target("operator.add", operator.add)  # same pair again: fine
    with pytest.raises(ValueError, match="already registered for"):
        register_target("operator.add", operator.sub)
    with pytest.raises(ValueError, match=r"already registered as 'operator\.add'"):
        register_target("other.add", operator.add)
    with pytest.raises(ValueError, match="dotted identifiers"):
        register_target("os.system; x", print)
    with pytest.raises(TypeError, match="must be callable"):
        register_target("x.y", 3)
    with pytest.raises(UnregisteredTargetError, match=r"unknown target 'os\.system'"):
        lookup_target("os.system")


def test_registered_target_from_user_code_works_end_to_end():
    def clamp(v, lo, hi):
        return max(lo, min(v, hi))

    register_target("tests.unit.test_graph.clamp", clamp)
    g = Graph()
    x = g.placeholder("x")
    g.output(g.call_function(clamp, (x,), {"lo": 0, "hi": 10}))
    assert GraphModule(g)(42) == 10
    assert "tests_unit_test_graph_clamp(x, lo=0, hi=10)" in g.python_code()
    assert Graph.from_json(g.to_json()).find_nodes(op="call_function")[0].target is clamp


# --------------------------------------------------------------------------------------------------
# code injection
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "candidate, expected",
    [
        ("s0; import os", "s0_import_os"),
        ("class", "class_1"),
        ("1x", "_1x"),
        ("", "_"),
        ("__import__", "__import___1"),
        ("__debug__", "__debug___1"),
        ("print", "print_1"),
        ("None", "None_1"),
        ("caf\u00e9", "caf_"),
        ("\ufb01", "_"),  # non-ASCII (NFKC would fold this ligature to "fi")
        ("a\nb", "a_b"),
        ("x.y", "x_y"),
        ("ok_name", "ok_name"),
    ],
)
def test_namespace_sanitises_candidates(candidate, expected):
    assert _Namespace().create_name(candidate) == expected


def test_namespace_suffixes_collisions():
    ns = _Namespace()
    assert [ns.create_name(c) for c in ["a", "a", "a_1", "a", "a b", "a-b"]] == [
        "a",
        "a_1",
        "a_1_1",
        "a_2",
        "a_b",
        "a_b_1",
    ]


def test_codegen_is_safe_against_hostile_names_and_strings(tmp_path):
    marker = tmp_path / "pwned"
    evil = f"__import__('os').system('touch {marker}')"
    g = Graph()
    p = g.placeholder(evil)
    q = g.placeholder(f"x):\n    {evil}\n    def f(")
    strings = [
        f"'); {evil}; ('",
        f'"""; {evil}; """',
        f"\\'; {evil} #",
        "line1\nline2\r\n\x00\x1b",
        "\ud800",
        "{" + evil + "}",
    ]
    t = g.call_function(operator.getitem, ((p, q, *strings), 0), name=f"y = 1; {evil}")
    w = g.get_attr(f"w']); {evil}; (['")
    g.call_function(max, ((t,),), {"default": strings[0]}, name="forward")  # dead, still compiled
    g.output({strings[0]: (t, w, strings)})
    code = g.python_code()
    compile(code, "<test>", "exec")  # compiles
    gm = GraphModule(g, attrs={w.target: "W"})
    assert gm.code == code
    result = gm(10, 20)
    assert result == {strings[0]: (10, "W", strings)}
    assert Interpreter(g, attrs={w.target: "W"}).run(10, 20) == result
    assert not marker.exists()
    assert_plain_shape(code, gm)
    for node in g.nodes:
        assert node.name.isidentifier() and node.name.isascii()


def assert_plain_shape(code, gm):
    """The generated module is one def whose body is ``name = bound(...)`` lines and a return."""
    tree = ast.parse(code)
    (fn,) = tree.body
    assert isinstance(fn, ast.FunctionDef) and not fn.decorator_list
    params = {a.arg for a in fn.args.args}
    assigned = set()
    for stmt in fn.body[:-1]:
        assert isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Call)
        assert isinstance(stmt.value.func, ast.Name) and stmt.value.func.id in gm._fn.__globals__
        assigned.add(stmt.targets[0].id)
    assert isinstance(fn.body[-1], ast.Return)
    allowed = params | assigned | set(gm._fn.__globals__) - {"__builtins__"}
    for sub in ast.walk(tree):
        assert not isinstance(sub, (ast.Import, ast.ImportFrom, ast.Attribute, ast.Lambda, ast.Subscript))
        if isinstance(sub, ast.Name):
            assert sub.id in allowed, sub.id


def test_codegen_function_name_is_validated():
    g = example_graph()
    for bad in ("class", "a b", "x(): pass\nimport os\ndef y", "__builtins__", "", "caf\u00e9"):
        with pytest.raises(ValueError, match="function name"):
            g.python_code(bad)
        with pytest.raises(ValueError, match="function name"):
            GraphModule(g, name=bad)


def test_node_names_never_shadow_bound_globals():
    g = Graph()
    a = g.placeholder("operator_add")
    b = g.placeholder("float")
    c = g.placeholder("fetch_attr")
    s = g.call_function(operator.add, (a, b), name="operator_add")
    w = g.get_attr("w")
    g.output((s, c, w, float("nan")))
    gm = GraphModule(g, attrs={"w": 9})
    r = gm(1, 2, 3)
    assert r[:3] == (3, 3, 9) and math.isnan(r[3])
    assert "def forward(operator_add, float_1, fetch_attr):" in gm.code
    assert "operator_add_1 = operator_add_2(operator_add, float_1)" in gm.code
    assert "w = fetch_attr_1('w')" in gm.code


def test_nonliteral_objects_are_rejected_by_codegen_even_if_poked_in():
    g = Graph()
    x = g.placeholder("x")
    node = g.call_function(operator.add, (x, 1))
    g.output(node)

    class Evil:
        def __repr__(self):
            return "__import__('os')"

    node._args = (x, Evil())
    with pytest.raises(GraphError, match="unsupported argument of type"):
        g.python_code()

    class EvilStr(str):
        def __repr__(self):
            return "__import__('os')"

    node._args = (x, EvilStr("s"))
    with pytest.raises(GraphError, match="EvilStr"):
        g.python_code()
    node._args = (x, 1)
    node._kwargs = {"a=__import__('os'),b": 1}
    with pytest.raises(GraphError, match="keyword argument name"):
        g.python_code()


# --------------------------------------------------------------------------------------------------
# JSON
# --------------------------------------------------------------------------------------------------


def assert_round_trips(g):
    text = g.to_json()
    back = Graph.from_json(text)
    back.lint()
    assert str(back) == str(g)
    assert back.to_json() == text
    return back


def test_json_round_trip_example():
    g = example_graph()
    back = assert_round_trips(g)
    doc = json.loads(g.to_json())
    assert doc["format"] == "symcore.graph" and doc["version"] == 1
    assert doc["nodes"][2] == {
        "name": "add",
        "op": "call_function",
        "target": "operator.add",
        "args": [{"node": "n"}, 1],
        "kwargs": {},
        "meta": {},
    }
    assert GraphModule(back)(3, 5) == (4, True)


def test_json_round_trip_nested_literals_and_outputs():
    g = Graph()
    x = g.placeholder("s0; import os")
    w = g.get_attr("layer.weight")
    r = g.call_function(round, (x,), {"ndigits": 2})
    lits = (float("inf"), float("-inf"), float("nan"), -0.0, 0.0, 1e300, 2**100, -(2**100), 2**20000, True, None)
    out = g.output({"a": [r, (w,)], "b": lits, "c": {1: [x], "k": {}, None: ()}, "d": "q'\"\n\u00e9\ud800"})
    back = assert_round_trips(g)
    res = Interpreter(back, attrs={"layer.weight": 1}).run(2.345)
    assert res["a"] == [2.35, (1,)]
    b = res["b"]
    assert b[0] == math.inf and b[1] == -math.inf and math.isnan(b[2])
    assert math.copysign(1.0, b[3]) == -1.0 and math.copysign(1.0, b[4]) == 1.0
    assert b[5:] == (1e300, 2**100, -(2**100), 2**20000, True, None)
    assert type(b[6]) is int and type(res["c"][1]) is list and type(b) is tuple
    assert res["c"] == {1: [2.345], "k": {}, None: ()} and res["d"] == out.args[0]["d"]


def test_json_tags_are_used():
    g = Graph()
    g.output(((1,), [2], {3: 4}, float("nan"), 2**20000))
    doc = json.loads(g.to_json())
    (arg,) = doc["nodes"][0]["args"]
    items = arg["tuple"]
    assert items[:4] == [{"tuple": [1]}, {"list": [2]}, {"dict": [[3, 4]]}, {"float": "nan"}]
    assert items[4] == {"int": hex(2**20000)}


def test_json_meta_keeps_only_plain_data():
    g = example_graph()
    add = g.find_nodes(target=operator.add)[0]
    add.meta.update(
        {
            "shape": [2, 3],
            "info": {"k": "v", "n": None},
            "tuple": (1, 2),
            "sym": symcore.ShapeEnv().symint("s", 2),
            "inf": float("inf"),
        }
    )
    back = Graph.from_json(g.to_json())
    assert back.find_nodes(op="call_function")[0].meta == {"shape": [2, 3], "info": {"k": "v", "n": None}}


def test_json_after_erase_and_insert_round_trips():
    g = example_graph()
    lt = g.find_nodes(target=operator.lt)[0]
    with g.inserting_before(lt):
        g.call_function(operator.mul, (g.find_nodes(target=operator.add)[0], 2))
    g.eliminate_dead_code()
    assert_round_trips(g)


def good_doc():
    return json.loads(example_graph().to_json())


def mutate(fn):
    doc = good_doc()
    fn(doc)
    return json.dumps(doc)


def nested(depth):
    value = 1
    for _ in range(depth):
        value = {"list": [value]}
    return value


def doc_with_arg(arg):
    def f(d):
        d["nodes"][2]["args"] = [arg, 1]

    return mutate(f)


HOSTILE_DOCUMENTS = [
    ("not json", "not valid JSON"),
    ("", "not valid JSON"),
    ("[1, 2]", "document: expected a JSON object, got an array"),
    ('{"format": "symcore.graph", "format": "x", "version": 1, "nodes": []}', "duplicate JSON key 'format'"),
    (mutate(lambda d: d.update(format="torch.fx")), "format must be 'symcore.graph'"),
    (mutate(lambda d: d.update(version=2)), "unsupported version 2"),
    (mutate(lambda d: d.update(version=True)), "unsupported version True"),
    (mutate(lambda d: d.update(version="1")), "unsupported version '1'"),
    (mutate(lambda d: d.pop("nodes")), "missing field 'nodes'"),
    (mutate(lambda d: d.update(extra=1)), "unknown field 'extra'"),
    (mutate(lambda d: d.update(nodes={})), "nodes must be an array"),
    (mutate(lambda d: d["nodes"].append(3)), r"nodes\[5\]: expected a JSON object"),
    (mutate(lambda d: d["nodes"][2].pop("target")), r"nodes\[2\]: missing field 'target'"),
    (mutate(lambda d: d["nodes"][2].pop("args")), r"nodes\[2\]: missing field 'args'"),
    (mutate(lambda d: d["nodes"][2].update(code="import os")), r"nodes\[2\]: unknown field 'code'"),
    (mutate(lambda d: d["nodes"][2].update(op="call_method")), r"nodes\[2\] \(add\): unknown op 'call_method'"),
    (mutate(lambda d: d["nodes"][2].update(op=1)), "unknown op 1"),
    (mutate(lambda d: d["nodes"][2].update(target="os.system")), "unknown target 'os.system'"),
    (mutate(lambda d: d["nodes"][2].update(target="__import__")), "unknown target '__import__'"),
    (mutate(lambda d: d["nodes"][2].update(target="builtins.eval")), "unknown target 'builtins.eval'"),
    (mutate(lambda d: d["nodes"][2].update(target=["operator", "add"])), "target must be a string"),
    (mutate(lambda d: d["nodes"][2].update(args={"node": "n"})), "args must be an array"),
    (mutate(lambda d: d["nodes"][2].update(kwargs=[])), "kwargs must be an object"),
    (mutate(lambda d: d["nodes"][2].update(kwargs={"a; import os": 1})), "keyword argument name 'a; import os'"),
    (mutate(lambda d: d["nodes"][2].update(meta=[])), "meta must be an object"),
    (mutate(lambda d: d["nodes"][2].update(meta={"x": nested(MAX_DEPTH + 5)})), "meta must be an object"),
    (mutate(lambda d: d["nodes"][2].update(name="a; import os")), "name 'a; import os' is not a safe identifier"),
    (mutate(lambda d: d["nodes"][2].update(name="class")), "name 'class' is not a safe identifier"),
    (mutate(lambda d: d["nodes"][2].update(name="print")), "name 'print' is not a safe identifier"),
    (mutate(lambda d: d["nodes"][2].update(name=7)), "name must be a string"),
    (mutate(lambda d: d["nodes"][2].update(name="n")), "duplicate node name 'n'"),
    (doc_with_arg({"node": "lt"}), "refers to unknown or later node 'lt'"),
    (doc_with_arg({"node": "add"}), "refers to unknown or later node 'add'"),
    (doc_with_arg({"node": "nope"}), "refers to unknown or later node 'nope'"),
    (doc_with_arg({"node": 3}), "node reference is a name string"),
    (doc_with_arg([1, 2]), "bare arrays are ambiguous"),
    (doc_with_arg({"set": [1]}), "unknown value tag 'set'"),
    (doc_with_arg({"list": [1], "tuple": [2]}), "exactly one key"),
    (doc_with_arg({}), "exactly one key"),
    (doc_with_arg({"list": 1}), "tagged list holds an array"),
    (doc_with_arg({"float": "1e5"}), "tagged float"),
    (doc_with_arg({"float": 1.0}), "tagged float"),
    (doc_with_arg({"int": "12"}), "tagged int"),
    (doc_with_arg({"int": "0x1f; import os"}), "tagged int"),
    (doc_with_arg({"dict": [[{"node": "n"}, 1]]}), "dict keys must be literals"),
    (doc_with_arg({"dict": [[1, 2], [1, 3]]}), "duplicate dict key 1"),
    (doc_with_arg({"dict": [[1, 2, 3]]}), r"a dict entry is a \[key, value\] array"),
    (doc_with_arg(nested(MAX_DEPTH + 1)), "nest deeper than 100 levels"),
    (doc_with_arg("DEEP").replace('"DEEP"', '{"list": [' * 10_000 + "1" + "]}" * 10_000), "nests too deeply"),
    (doc_with_arg("DEEP").replace('"DEEP"', '{"list": [' * 300 + "1" + "]}" * 300), "nest deeper than 100 levels"),
    (doc_with_arg("INF").replace('"INF"', "1e999"), "must be finite"),
    ('{"format": "symcore.graph", "version": 1, "nodes": [], "x": NaN}', "bare NaN is not allowed"),
    ('{"format": "symcore.graph", "version": 1, "nodes": [], "x": Infinity}', "bare Infinity is not allowed"),
    ('{"format": "symcore.graph", "version": 1, "nodes": [], "x": ' + "9" * 5000 + "}", "not valid JSON"),
    (mutate(lambda d: d["nodes"][0].update(args=[1])), "placeholder nodes take no args"),
    (mutate(lambda d: d["nodes"].append(dict(d["nodes"][4], name="output_1"))), "already has an output"),
    (mutate(lambda d: d["nodes"].insert(2, d["nodes"].pop())), "refers to unknown or later node 'add'"),
    (
        mutate(
            lambda d: d["nodes"].append({"name": "late", "op": "placeholder", "target": "x", "args": [], "kwargs": {}})
        ),
        "output node %output is not the last node",
    ),
]


@pytest.mark.parametrize("text, message", HOSTILE_DOCUMENTS, ids=[f"doc{i}" for i in range(len(HOSTILE_DOCUMENTS))])
def test_from_json_rejects_hostile_documents(text, message):
    with pytest.raises(GraphError, match=message):
        Graph.from_json(text)


def test_from_json_rejects_cycles():
    doc = {
        "format": "symcore.graph",
        "version": 1,
        "nodes": [
            {"name": "a", "op": "call_function", "target": "operator.neg", "args": [{"node": "b"}], "kwargs": {}},
            {"name": "b", "op": "call_function", "target": "operator.neg", "args": [{"node": "a"}], "kwargs": {}},
        ],
    }
    with pytest.raises(GraphError, match=r"nodes\[0\] \(a\) args\[0\]: refers to unknown or later node 'b'"):
        Graph.from_json(json.dumps(doc))
    doc["nodes"] = doc["nodes"][:1]
    doc["nodes"][0]["args"] = [{"node": "a"}]
    with pytest.raises(GraphError, match="refers to unknown or later node 'a'"):
        Graph.from_json(json.dumps(doc))


def test_from_json_rejects_huge_and_non_str_documents():
    with pytest.raises(GraphError, match=f"the limit is {MAX_JSON_CHARS}"):
        Graph.from_json(" " * (MAX_JSON_CHARS + 1))
    with pytest.raises(GraphError, match="must be a str"):
        Graph.from_json(good_doc())
    with pytest.raises(GraphError, match="must be a str"):
        Graph.from_json(b"{}")


def test_from_json_never_executes_anything(tmp_path, monkeypatch):
    marker = tmp_path / "pwned"
    evil = f"__import__('os').system('touch {marker}')"
    imported = []
    real_import = builtins.__import__

    def spy_import(name, *args, **kwargs):
        imported.append(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr("builtins.__import__", spy_import)
    docs = [
        doc_with_arg(evil),
        mutate(lambda d: d["nodes"][0].update(target=evil)),
        mutate(lambda d: d["nodes"][2].update(target="os.system", args=[f"touch {marker}"])),
        mutate(lambda d: d["nodes"][2].update(target="subprocess.run")),
    ]
    for text in docs:
        try:
            g = Graph.from_json(text)
        except GraphError:
            continue
        str(g)
        g.python_code()
    monkeypatch.undo()
    assert imported == []
    assert not marker.exists()
    assert "subprocess" not in registered_targets()


def test_empty_graph_round_trips():
    g = Graph()
    assert Graph.from_json(g.to_json()).nodes.__len__() == 0
    assert str(Graph.from_json(g.to_json())) == "graph():"


# --------------------------------------------------------------------------------------------------
# DOT
# --------------------------------------------------------------------------------------------------


def test_to_dot_example():
    dot = example_graph().to_dot()
    assert dot.startswith('digraph "graph" {\n')
    assert dot.endswith("}\n")
    assert '    "add" [label="add\\noperator.add"];' in dot
    assert '    "n" [label="n\\nplaceholder: n"];' in dot
    edges = [line.strip() for line in dot.splitlines() if "->" in line]
    assert edges == ['"n" -> "add";', '"add" -> "lt";', '"m" -> "lt";', '"add" -> "output";', '"lt" -> "output";']


def test_to_dot_escapes_labels():
    g = Graph()
    g.placeholder('a"b\\c\nd\x01}')
    dot = g.to_dot(name='my "graph"')
    assert dot.startswith('digraph "my \\"graph\\"" {')
    label_line = next(line for line in dot.splitlines() if "label=" in line and "placeholder" in line)
    assert label_line == '    "a_b_c_d_" [label="a_b_c_d_\\nplaceholder: a\\"b\\\\c\\nd\\\\x01}"];'
    # every quote inside a quoted string is escaped: the unescaped quotes pair up exactly
    body = label_line.replace("\\\\", "").replace('\\"', "")
    assert body.count('"') == 4
    assert "\n" not in label_line and "\x01" not in dot
