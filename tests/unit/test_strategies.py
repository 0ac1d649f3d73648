"""symcore.strategies: what each strategy promises (names, ranges, guards, sorts, no errors), the
st.from_type hook, profiles, the helpful ImportError, and the docstring examples."""

import doctest
import os
import subprocess
import sys

import pytest
from hypothesis import find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

import symcore
import symcore.strategies as sst
from symcore import ShapeEnv, SymBool, SymFloat, SymInt

# ---------------------------------------------------------------------------------------------
# symbols / shape_envs
# ---------------------------------------------------------------------------------------------


@given(data=st.data())
def test_symbols_are_fresh_and_inside_their_ranges(data):
    env = ShapeEnv()
    env.symint("x0", 1)  # taken: the strategy must skip it
    xs = data.draw(sst.symbols(env, min_size=1, max_size=4, min_value=-3, max_value=5))
    assert 1 <= len(xs) <= 4
    names = [str(x) for x in xs]
    assert "x0" not in names and len(set(names)) == len(names)
    for name in names:
        hint, lo, hi = env.symbols[name]
        assert -3 <= hint <= 5
        assert lo is None or -3 <= lo <= hint
        assert hi is None or hint <= hi <= 5


@given(data=st.data())
def test_symbols_unbacked_and_unranged(data):
    env = ShapeEnv()
    xs = data.draw(sst.symbols(env, backed=False, ranges=False, min_size=2, max_size=2, prefix="u"))
    assert [str(x) for x in xs] == ["u0", "u1"]
    assert all(env.symbols[str(x)] == (None, None, None) for x in xs)


def test_symbols_backed_none_draws_both_kinds():
    env = ShapeEnv()
    strategy = sst.symbols(env, backed=None, min_size=3, max_size=3)
    find(strategy, lambda xs: any(x.hint is None for x in xs) and any(x.hint is not None for x in xs))


@given(env=sst.shape_envs(min_symbols=2, max_symbols=3))
def test_shape_envs_are_fresh(env):
    assert isinstance(env, ShapeEnv)
    assert sorted(env.symbols) in (["x0", "x1"], ["x0", "x1", "x2"])
    assert env.guards == []


@pytest.mark.parametrize(
    "call",
    [
        lambda: sst.symbols(ShapeEnv(), min_size=3, max_size=2),
        lambda: sst.symbols(ShapeEnv(), min_value=1, max_value=0),
        lambda: sst.expression_trees(ShapeEnv(), ops=["+", "**"]),
        lambda: sst.expression_trees(ShapeEnv(), kind="float"),
        lambda: sst.expression_trees(ShapeEnv(), kind="bool", ops=["+"]),
        lambda: sst.expression_trees(ShapeEnv(), max_depth=-1),
        lambda: sst.bindings(ShapeEnv(), min_value=3, max_value=2),
        lambda: sst.shapes(min_dims=3, max_dims=1),
        lambda: sst.shapes(max_side=-1),
        lambda: sst.shapes(None, dynamic=True),
    ],
)
def test_bad_arguments_raise_invalid_argument(call):
    with pytest.raises(InvalidArgument):
        call()


def test_unknown_symbols_are_refused_at_draw_time():
    env = ShapeEnv()
    env.symint("n", 2)
    with pytest.raises(InvalidArgument, match="nope"):
        find(sst.expression_trees(env, symbols=["n", "nope"]), lambda t: True)


# ---------------------------------------------------------------------------------------------
# expression trees and expressions
# ---------------------------------------------------------------------------------------------


def _ops_in(tree):
    if tree[0] in ("sym", "const"):
        return set()
    return {tree[0]}.union(*(_ops_in(c) for c in tree[1:]))


def _depth(tree):
    if tree[0] in ("sym", "const"):
        return 0
    return 1 + max(_depth(c) for c in tree[1:])


@given(data=st.data())
def test_trees_use_only_the_requested_ops_and_depth(data):
    env = ShapeEnv()
    env.symint("n", 3)
    env.symint("m", 5)
    ops = data.draw(st.sets(st.sampled_from(["+", "-", "*", "min", "max", "abs"]), min_size=1))
    depth = data.draw(st.integers(0, 4))
    tree = data.draw(sst.expression_trees(env, ops=ops, max_depth=depth))
    assert _ops_in(tree) <= ops
    assert _depth(tree) <= depth


@given(data=st.data())
def test_safe_divisors_are_nonzero_constants_or_abs_plus_one(data):
    env = ShapeEnv()
    env.symint("n", 3)
    tree = data.draw(sst.expression_trees(env, ops=["//", "%", "-"], max_depth=4))

    def check(t):
        if t[0] in ("//", "%"):
            d = t[2]
            assert (d[0] == "const" and d[1] != 0) or (d[0] == "+" and d[1][0] == "abs" and d[2] == ("const", 1)), d
        if t[0] not in ("sym", "const"):
            for c in t[1:]:
                check(c)

    check(tree)


@given(data=st.data())
def test_expressions_have_the_requested_sort_and_record_no_guard(data):
    env = data.draw(sst.shape_envs())
    kind = data.draw(st.sampled_from(["int", "bool"]))
    value = data.draw(sst.expressions(env, kind=kind, allow_errors=data.draw(st.booleans())))
    if kind == "int":
        assert type(value) in (SymInt, int)
    else:
        assert type(value) in (SymBool, bool)
    if isinstance(value, (SymInt, SymBool)):
        assert value.free_symbols <= set(env.symbols)
    assert env.guards == []


def test_expressions_without_symbols_are_constants():
    env = ShapeEnv()
    value = find(sst.expressions(env, ops=["+", "*"]), lambda v: True)
    assert type(value) is int


def _symbols_in(tree):
    if tree[0] == "sym":
        return {tree[1]}
    if tree[0] == "const":
        return set()
    return set().union(*(_symbols_in(c) for c in tree[1:]))


@given(data=st.data())
def test_expressions_can_use_a_subset_of_symbols(data):
    env = ShapeEnv()
    n = env.symint("n", 3)
    env.symint("m", 4)
    tree = data.draw(sst.expression_trees(env, symbols=[n], max_depth=4))
    assert _symbols_in(tree) <= {"n"}


def test_build_is_iterative_for_deep_trees():
    env = ShapeEnv()
    env.symint("n", 2)
    tree = ("sym", "n")
    for i in range(5000):
        tree = ("+", tree, ("const", i % 3))
    value = sst.build(tree, env)
    assert env.evaluate(value, {"n": 1}) == 1 + sum(i % 3 for i in range(5000))


def test_build_maps_logic_to_non_deciding_operations():
    env = ShapeEnv()
    env.symint("n", 3)
    value = sst.build(("or", ("not", ("<", ("sym", "n"), ("const", 2))), ("==", ("sym", "n"), ("const", 0))), env)
    assert isinstance(value, SymBool)
    assert env.guards == []
    assert env.evaluate(value, {"n": 1}) is False
    assert env.evaluate(value, {"n": 0}) is True
    assert sst.build(("and", ("const", True), ("const", False)), env) is False
    assert sst.build(("max", ("const", 2), ("abs", ("const", -7))), env) == 7


# ---------------------------------------------------------------------------------------------
# bindings
# ---------------------------------------------------------------------------------------------


@given(data=st.data())
def test_bindings_respect_ranges_and_guards(data):
    env = ShapeEnv()
    n = env.symint("n", 12, min=2, max=40)
    m = env.symint("m", -3, max=0)
    k = env.symint("k", 100, min=90)  # a range entirely outside the default window
    env.unbacked("u", min=-2, max=2)
    if n % 3 == 0:
        pass
    if m * m > 4:
        pass
    if k > n:
        pass
    fn = env.guard_fn()
    b = data.draw(sst.bindings(env))
    assert set(b) == {"n", "m", "k", "u"}
    assert 2 <= b["n"] <= 40 and b["m"] <= 0 and b["k"] >= 90 and -2 <= b["u"] <= 2
    assert b["n"] % 3 == 0 and b["m"] * b["m"] > 4 and b["k"] > b["n"]
    assert fn(b)


@given(data=st.data())
@settings(max_examples=50)
def test_equality_guards_do_not_starve_the_filter(data):
    env = ShapeEnv()
    xs = [env.symint(f"s{i}", 7 + i) for i in range(4)]
    for x in xs:
        int(x)  # records s_i == 7 + i
    b = data.draw(sst.bindings(env))
    assert b == {f"s{i}": 7 + i for i in range(4)}


def test_bindings_read_guards_at_draw_time():
    env = ShapeEnv()
    n = env.symint("n", 5)
    strategy = sst.bindings(env)
    assert find(strategy, lambda b: b["n"] < 0)["n"] < 0
    if n > 3:
        pass
    for _ in range(5):
        assert find(strategy, lambda b: True)["n"] > 3


def test_bindings_without_guards_reach_violating_values():
    env = ShapeEnv()
    n = env.symint("n", 5, min=0)
    if n > 3:
        pass
    b = find(sst.bindings(env, satisfy_guards=False), lambda b: b["n"] <= 3)
    assert 0 <= b["n"] <= 3


def test_bindings_of_a_subset():
    env = ShapeEnv()
    n = env.symint("n", 5)
    env.symint("m", 2)
    b = find(sst.bindings(env, symbols=[n]), lambda b: True)
    assert set(b) == {"n"}


# ---------------------------------------------------------------------------------------------
# shapes
# ---------------------------------------------------------------------------------------------


@given(shape=sst.shapes(min_dims=0, max_dims=5, min_side=2, max_side=9))
def test_static_shapes(shape):
    assert isinstance(shape, tuple) and 0 <= len(shape) <= 5
    assert all(type(d) is int and 2 <= d <= 9 for d in shape)


@given(data=st.data())
def test_dynamic_shapes_are_sizes_of_the_env(data):
    env = ShapeEnv()
    shape = data.draw(sst.shapes(env, min_dims=1, max_dims=4, min_side=0, max_side=6, dynamic=True))
    for d in shape:
        if type(d) is int:
            assert d in (0, 1)  # specialised
        else:
            assert isinstance(d, SymInt)
            hint, lo, _ = env.symbols[str(d)]
            assert lo == 0 and 2 <= hint <= 6
            assert d.hint == hint


def test_some_dims_dynamic_when_drawn():
    env = ShapeEnv()
    shape = find(
        sst.shapes(env, min_dims=3, max_dims=3, min_side=2),
        lambda s: any(isinstance(d, SymInt) for d in s) and any(type(d) is int for d in s),
    )
    assert len(shape) == 3


# ---------------------------------------------------------------------------------------------
# st.from_type hook, profiles, import error, doctests
# ---------------------------------------------------------------------------------------------


def test_setup_hook_registers_from_type():
    sst._hypothesis_setup_hook()

    @given(i=st.from_type(SymInt), b=st.from_type(SymBool), f=st.from_type(SymFloat), env=st.from_type(ShapeEnv))
    @settings(max_examples=30)
    def check(i, b, f, env):
        assert type(i) is SymInt and type(b) is SymBool and type(f) is SymFloat
        assert isinstance(env, ShapeEnv) and env.symbols
        assert isinstance(i.hint, int) and isinstance(b.hint, bool) and isinstance(f.hint, float)

    check()
    assert find(st.from_type(SymInt), lambda x: not x.is_constant).free_symbols


def test_load_profile():
    before = settings.get_current_profile_name()
    try:
        assert sst.load_profile("ci") == "symcore-ci"
        assert settings().derandomize
        assert sst.load_profile("thorough") == "symcore-thorough"
        assert settings().max_examples == 3000
        with pytest.raises(ValueError, match="unknown"):
            sst.load_profile("fast")
    finally:
        settings.load_profile(before)


def test_helpful_import_error_without_hypothesis():
    code = (
        "import sys; sys.modules['hypothesis'] = None\n"
        "try:\n    import symcore.strategies\nexcept ImportError as e:\n    print(e)\n"
        "try:\n    import symcore.testing\nexcept ImportError as e:\n    print(e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    lines = out.strip().splitlines()
    assert len(lines) == 2 and all("pip install hypothesis" in line for line in lines), out


def test_docstring_examples():
    result = doctest.testmod(sst, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 10
    assert result.failed == 0


def test_public_names():
    assert set(sst.__all__) <= set(dir(sst))
    assert symcore.strategies is sst


@pytest.mark.parametrize("first_import", ["hypothesis", "symcore.strategies"])
def test_entry_point_plugin_in_a_fresh_interpreter(tmp_path, first_import):
    # What `pip install` sets up from pyproject's [project.entry-points.hypothesis]: hypothesis
    # runs the hook while `import hypothesis` executes -- which, when symcore.strategies is
    # imported first, happens in the middle of importing symcore.strategies itself.
    dist = tmp_path / "symcore_plugin_check-0.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: symcore-plugin-check\nVersion: 0.0\n")
    (dist / "entry_points.txt").write_text(
        "[hypothesis]\n_hypothesis_setup_hook = symcore.strategies:_hypothesis_setup_hook\n"
    )
    code = (
        f"import {first_import}\n"
        "import symcore\n"
        "from hypothesis import find, strategies as st\n"
        "x = find(st.from_type(symcore.SymInt), lambda x: not x.is_constant)\n"
        "print(type(x).__name__, sorted(x.free_symbols)[:1])\n"
    )
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split()[0] == "SymInt"


# fake_tensors --------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_fake_tensors_have_contiguous_strides_or_are_transposed_views(data):
    import math

    env = symcore.ShapeEnv()
    contiguous = data.draw(st.sampled_from([True, False, None]))
    t = data.draw(sst.fake_tensors(env, min_dims=2, max_dims=4, min_side=2, max_side=6, contiguous=contiguous))
    hints = {n: h for n, (h, _, _) in env.symbols.items()}
    sizes = [env.evaluate(s, hints) if not isinstance(s, int) else s for s in t.shape]
    strides = [env.evaluate(s, hints) if not isinstance(s, int) else s for s in t.stride()]

    # the oracle, with Python ints: row-major strides, or those of the swapped sizes, swapped back
    def row_major(dims):
        return [math.prod(dims[i + 1 :]) for i in range(len(dims))]

    plain = row_major(sizes)
    swapped = row_major([*sizes[:-2], sizes[-1], sizes[-2]])
    transposed = [*swapped[:-2], swapped[-1], swapped[-2]]
    allowed = {True: [plain], False: [transposed], None: [plain, transposed]}[contiguous]
    assert strides in allowed
    assert str(t.dtype).startswith("symcore.")


def test_fake_tensors_with_a_fixed_shape_and_dtype():
    from hypothesis import find

    t = find(sst.fake_tensors(shape=(2, 3), dtype=symcore.int64), lambda t: True)
    assert tuple(t.shape) == (2, 3) and t.dtype is symcore.int64 and t.is_contiguous()
