"""symcore <-> sympy conversion: the mapping of every construct, round trips, and agreement of
sympy's values with plain Python ints (floor division and modulo at negative values included)."""

import itertools
import math
import operator
import subprocess
import sys

import pytest
import sympy
from hypothesis import assume, given
from hypothesis import strategies as st

import symcore
from oracle import PLAIN_BINARY, SYMBOLIC_BINARY
from symcore import sympy_interop
from symcore.sympy_interop import from_sympy, sympy_functions, to_sympy

N, M, K = sympy.symbols("n m k", integer=True)
F = sympy_functions()


@pytest.fixture
def env():
    e = symcore.ShapeEnv()
    e.symint("n", hint=7)
    e.symint("m", hint=-3)
    e.symint("k", hint=2)
    return e


def syms(env):
    return env.parse("n"), env.parse("m"), env.parse("k")


# (id, builder over (n, m, k), the sympy expression to_sympy must produce)
TABLE = [
    ("int", lambda n, m, k: n + 0 * m + 5 - n, sympy.Integer(5)),
    ("symbol", lambda n, m, k: n, N),
    ("add", lambda n, m, k: n + m + 3, N + M + 3),
    ("sub", lambda n, m, k: n - 2 * m, N - 2 * M),
    ("mul", lambda n, m, k: n * m * 4, 4 * N * M),
    ("neg", lambda n, m, k: -n, -N),
    ("truediv", lambda n, m, k: n / m, N / M),
    ("truediv-const", lambda n, m, k: n / 2, N / 2),
    ("floordiv", lambda n, m, k: n // m, sympy.floor(N / M)),
    ("floordiv-sum", lambda n, m, k: (n + 1) // 2, sympy.floor((N + 1) / 2)),
    ("mod", lambda n, m, k: n % m, sympy.Mod(N, M)),
    ("mod-product", lambda n, m, k: (n * m) % 7, sympy.Mod(N * M, 7)),
    ("pow", lambda n, m, k: n**2, N**2),
    ("pow-mod", lambda n, m, k: pow(n, 2, m), F["PyPowMod"](N, 2, M)),
    ("min", lambda n, m, k: symcore.sym_min(n, m), sympy.Min(N, M)),
    ("max3", lambda n, m, k: symcore.sym_max(n, m, 3), sympy.Max(N, M, 3)),
    ("abs", lambda n, m, k: abs(n - m), sympy.Abs(N - M)),
    ("lt", lambda n, m, k: n < m, sympy.Lt(N, M)),
    ("le", lambda n, m, k: n <= m + 1, sympy.Le(N, M + 1)),
    ("gt", lambda n, m, k: n > 3, sympy.Ge(N, 4)),
    ("ge", lambda n, m, k: n >= m, sympy.Le(M, N)),  # symcore prints a >= b as b <= a
    ("eq", lambda n, m, k: n == m, sympy.Eq(N, M)),
    ("ne", lambda n, m, k: n != m, sympy.Ne(N, M)),
    ("and", lambda n, m, k: (n < m) & (k > 0), sympy.And(N < M, K >= 1)),
    ("or", lambda n, m, k: (n < m) | (k == 1), sympy.Or(N < M, sympy.Eq(K, 1))),
    ("not", lambda n, m, k: symcore.sym_not(n < m), sympy.Le(M, N)),
    ("ite", lambda n, m, k: symcore.sym_ite(n < m, n, k), sympy.Piecewise((N, N < M), (K, True))),
    ("bool-as-int", lambda n, m, k: n + (m < k), N + sympy.Piecewise((1, M < K), (0, True))),
    ("float", lambda n, m, k: symcore.sym_float(n), sympy.Float(1.0) * N),
    ("float-plus", lambda n, m, k: symcore.sym_float(n) + 1.5, sympy.Float(1.0) * N + sympy.Float(1.5)),
    ("float-times", lambda n, m, k: n * 1.5, sympy.Float(1.5) * N),
    ("trunc", lambda n, m, k: math.trunc(n / m), F["PyTrunc"](N / M)),
    ("int", lambda n, m, k: symcore.sym_int(n / m), F["PyTrunc"](N / M)),  # symcore prints int() as trunc()
    ("round", lambda n, m, k: round(n / m), F["PyRound"](N / M)),
    ("round-digits", lambda n, m, k: round(n / m, 2), F["PyRound"](N / M, 2)),
    ("bitand", lambda n, m, k: n & m, F["BitAnd"](N, M)),
    ("bitor", lambda n, m, k: n | m, F["BitOr"](N, M)),
    ("bitxor", lambda n, m, k: n ^ m, F["BitXor"](N, M)),
    ("lshift", lambda n, m, k: n << k, F["LShift"](N, K)),
    ("rshift", lambda n, m, k: n >> k, F["RShift"](N, K)),
    ("invert", lambda n, m, k: ~n, -N - 1),  # symcore folds ~n to -n - 1
    ("inf", lambda n, m, k: n * 0 + math.inf, sympy.oo),
    ("neg-inf", lambda n, m, k: n * 0 - math.inf, -sympy.oo),
    ("true", lambda n, m, k: (n - n) == 0, sympy.true),
]


@pytest.mark.parametrize(("build", "expected"), [t[1:] for t in TABLE], ids=[t[0] for t in TABLE])
def test_to_sympy_maps_each_construct(env, build, expected):
    assert to_sympy(build(*syms(env))) == expected


@pytest.mark.parametrize("build", [t[1] for t in TABLE], ids=[t[0] for t in TABLE])
def test_round_trip_is_the_same_expression(env, build):
    x = build(*syms(env))
    if not isinstance(x, (symcore.SymInt, symcore.SymBool, symcore.SymFloat)):
        x = env.constant(x)
    y = from_sympy(to_sympy(x), env)
    assert str(y) == str(x)
    assert type(y) is type(x)
    assert y.key() == x.key()


def test_nan_round_trips(env):
    x = env.constant(math.nan)
    assert to_sympy(x) is sympy.nan
    y = from_sympy(sympy.nan, env)
    assert isinstance(y, symcore.SymFloat)
    assert math.isnan(y.hint)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("n < m < 3", sympy.And(N < M, M <= 2)),
        ("n >= m", sympy.Le(M, N)),
        ("(n < m) & (k > 0)", sympy.And(N < M, K >= 1)),
    ],
)
def test_to_sympy_of_parsed_forms(env, text, expected):
    """Forms of the printed language that symcore's operators fold away but parse() may keep."""
    assert to_sympy(env.parse(text)) == expected


def test_to_sympy_of_python_numbers():
    assert to_sympy(3) == sympy.Integer(3)
    assert to_sympy(2.5) == sympy.Float(2.5)
    assert to_sympy(True) is sympy.true


# --- the documented non-identities of the round trip -------------------------------------------


def test_floor_and_ceil_of_a_ratio_come_back_as_exact_integer_division(env):
    n, m, _ = syms(env)
    floor_back = from_sympy(to_sympy(math.floor(n / m)), env)
    ceil_back = from_sympy(to_sympy(math.ceil(n / m)), env)
    assert floor_back.key() == (n // m).key()
    assert ceil_back.key() == (-(-n // m)).key()
    for a, b in itertools.product(range(-9, 10), [-4, -3, -1, 1, 2, 5]):
        binding = {"n": a, "m": b}
        assert env.evaluate(floor_back, binding) == math.floor(a / b) == a // b
        assert env.evaluate(ceil_back, binding) == math.ceil(a / b)


def test_floor_of_huge_ratio_is_exact_unlike_float_floor(env):
    """The exact meaning differs from the rounded-float one past 2**53: sympy's is Python's //."""
    n, m, _ = syms(env)
    a, b = 3 * 2**55 - 1, 3  # a / b is 2**55 - 1/3, which rounds to the float 2**55
    binding = {"n": a, "m": b}
    back = from_sympy(to_sympy(math.floor(n / m)), env)
    assert env.evaluate(back, binding) == a // b
    assert to_sympy(math.floor(n / m)).subs({N: a, M: b}) == a // b
    assert math.floor(a / b) != a // b  # so the difference is real


# --- semantics: sympy's values equal Python's on ints --------------------------------------------

SIGNS = [-7, -6, -3, -1, 0, 1, 2, 3, 6, 7]
DIVISORS = [-4, -3, -2, -1, 1, 2, 3, 5]


@pytest.mark.parametrize("b", DIVISORS)
@pytest.mark.parametrize("a", SIGNS)
def test_floordiv_and_mod_follow_python_at_negative_values(env, a, b):
    n, m, _ = syms(env)
    binding = {N: a, M: b}
    assert to_sympy(n // m).subs(binding) == a // b
    assert to_sympy(n % m).subs(binding) == a % b
    assert to_sympy((n * 3 + 1) // m).subs(binding) == (a * 3 + 1) // b
    assert to_sympy((n - 5) % m).subs(binding) == (a - 5) % b
    # And by constants, where sympy takes its own code paths.
    assert to_sympy(n // 3).subs(binding) == a // 3
    assert to_sympy(n % -3).subs(binding) == a % -3
    assert to_sympy(n // -2).subs(binding) == a // -2


def test_sympy_mod_has_pythons_sign_convention():
    """The reason Mod is usable: sign of the divisor, like Python (C would give -1 and 1)."""
    assert sympy.Mod(-7, 3) == -7 % 3 == 2
    assert sympy.Mod(7, -3) == 7 % -3 == -2
    assert sympy.floor(sympy.Rational(-7, 2)) == -7 // 2 == -4


def _int_valued():
    return [
        (lambda n, m, k: n // m + k, lambda a, b, c: a // b + c),
        (lambda n, m, k: (n * k + 3) % m, lambda a, b, c: (a * c + 3) % b),
        (lambda n, m, k: symcore.sym_max(n, m) // k, lambda a, b, c: max(a, b) // c),
        (lambda n, m, k: abs(n - m) % k - symcore.sym_min(n, k), lambda a, b, c: abs(a - b) % c - min(a, c)),
        (lambda n, m, k: (n % m) * (n // m) + m, lambda a, b, c: (a % b) * (a // b) + b),
        (lambda n, m, k: n**2 - (m * k) // 3, lambda a, b, c: a**2 - (b * c) // 3),
        (lambda n, m, k: symcore.sym_ite(n < m, n, k) + 1, lambda a, b, c: (a if a < b else c) + 1),
        (lambda n, m, k: pow(n, 3, m), lambda a, b, c: pow(a, 3, b)),
        (lambda n, m, k: (n & m) ^ (k | n), lambda a, b, c: (a & b) ^ (c | a)),
        (lambda n, m, k: (n << 2) + (m >> 1), lambda a, b, c: (a << 2) + (b >> 1)),
        (lambda n, m, k: math.trunc(n / k) + round(m / k), lambda a, b, c: math.trunc(a / c) + round(b / c)),
    ]


@pytest.mark.parametrize("c", [-3, -1, 2, 4])
@pytest.mark.parametrize("b", [-5, -2, 3, 7])
@pytest.mark.parametrize("a", [-8, -1, 0, 5, 9])
def test_sympy_value_equals_python_and_env_evaluate(env, a, b, c):
    for build, oracle in _int_valued():
        x = build(*syms(env))
        expected = oracle(a, b, c)
        binding = {"n": a, "m": b, "k": c}
        assert env.evaluate(x, binding) == expected
        value = to_sympy(x).subs({N: a, M: b, K: c})
        assert value.is_Integer, (str(x), value)
        assert int(value) == expected, str(x)
        assert env.evaluate(from_sympy(to_sympy(x), env), binding) == expected


def test_named_functions_evaluate_with_python_semantics():
    assert F["BitAnd"](-6, 3) == -6 & 3
    assert F["BitOr"](-6, 3) == -6 | 3
    assert F["BitXor"](-6, 3) == -6 ^ 3
    assert F["LShift"](-3, 4) == -3 << 4
    assert F["RShift"](-17, 2) == -17 >> 2
    assert F["BitNot"](5) == ~5
    assert F["PyPowMod"](3, 5, -7) == pow(3, 5, -7)
    assert F["PyTrunc"](sympy.Rational(-7, 2)) == -3
    assert F["PyInt"](sympy.Float(-2.5)) == -2
    assert F["PyRound"](sympy.Rational(5, 2)) == round(2.5) == 2  # half to even
    assert F["PyRound"](sympy.Rational(-7, 2)) == -4
    assert F["PyRound"](sympy.Float(2.675), 2) == sympy.Float(round(2.675, 2))
    assert F["BitAnd"](N, 3).func is F["BitAnd"]  # opaque on symbols
    assert F["BitAnd"](N, M).is_integer is True
    assert F["PyRound"](N / M, 2).is_integer is None
    assert sympy_functions()["BitAnd"] is F["BitAnd"]


# --- from_sympy of plain sympy ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expr", "text"),
    [
        (sympy.Integer(-4), "-4"),
        (sympy.Rational(3, 4), "0.75"),
        (sympy.Float(0.1), "0.1"),
        (sympy.false, "False"),
        (2 * N - M + 1, "-m + 2*n + 1"),
        (N / 4, "n / 4"),
        (3 * N / (2 * M), "3*n / (2*m)"),
        (N**-2, "1 / n**2"),
        (N ** sympy.Float(0.5), "n**0.5"),
        (sympy.floor(N / 2 + M / 3), "(2*m + 3*n) // 6"),
        (sympy.floor(N / 4) + sympy.Mod(N, 4), "n % 4 + n // 4"),
        (sympy.ceiling(N / M), "-(-n // m)"),
        (sympy.floor(N * sympy.Float(0.5)), "floor(n*0.5)"),  # not an integer ratio: float floor
        (sympy.Min(N, M, 0), "min(0, m, n)"),
        (sympy.Abs(N), "abs(n)"),
        (sympy.Xor(N < M, K > 0), "(1 if k >= 1 else 0) != (1 if n < m else 0)"),
        (sympy.Piecewise((N, N < 0), (M, M < 0), (K, True)), "n if n < 0 else (m if m < 0 else k)"),
        (sympy.Function("BitAnd")(N, M), "n & m"),
        (F["PyInt"](N / M), "trunc(n / m)"),
        (F["BitNot"](N), "-n - 1"),
        (sympy.Symbol("n") + 1, "n + 1"),  # assumptions of the sympy symbol are ignored
    ],
    ids=lambda v: str(v),
)
def test_from_sympy_of_plain_sympy(env, expr, text):
    assert str(from_sympy(expr, env)) == text


def test_from_sympy_results_have_the_right_sort(env):
    assert isinstance(from_sympy(N + 1, env), symcore.SymInt)
    assert isinstance(from_sympy(N / 2, env), symcore.SymFloat)
    assert isinstance(from_sympy(N < 2, env), symcore.SymBool)
    assert isinstance(from_sympy(sympy.Integer(3), env), symcore.SymInt)
    assert from_sympy(sympy.Integer(3), env).is_constant


def test_from_sympy_of_a_shared_subexpression_dag_is_linear(env):
    e = N
    for _ in range(200):
        e = F["BitXor"](e, e + 1)  # each level uses the previous one twice: 2**200 paths
    out = from_sympy(e, env)
    assert out.free_symbols == frozenset({"n"})


def test_from_sympy_deeper_than_the_recursion_limit(env):
    e = N
    depth = sys.getrecursionlimit() + 500
    for _ in range(depth):
        e = F["BitNot"](e)
    out = from_sympy(e, env)
    assert env.evaluate(out, {"n": 5}) == (5 if depth % 2 == 0 else ~5)


# --- hypothesis: random expression trees against plain Python ints ------------------------------

_BINARY = PLAIN_BINARY
_SYMCORE_BINARY = SYMBOLIC_BINARY
_COMPARE = [operator.lt, operator.le, operator.gt, operator.ge, operator.eq, operator.ne]

_trees = st.recursive(
    st.one_of(st.sampled_from(["n", "m", "k"]), st.integers(-4, 4)),
    lambda sub: st.one_of(
        st.tuples(st.sampled_from(sorted(_BINARY)), sub, sub),
        st.tuples(st.just("abs"), sub),
    ),
    max_leaves=8,
)


def _build(tree, leaf, binary, absolute):
    if isinstance(tree, (str, int)):
        return leaf(tree)
    if tree[0] == "abs":
        return absolute(_build(tree[1], leaf, binary, absolute))
    op, a, b = tree
    return binary[op](_build(a, leaf, binary, absolute), _build(b, leaf, binary, absolute))


@given(
    tree=_trees,
    other=st.one_of(st.none(), _trees),
    cmp=st.sampled_from(_COMPARE),
    values=st.tuples(st.integers(-6, 6), st.integers(-6, 6), st.integers(-6, 6)),
)
def test_random_trees_agree_with_python_ints(tree, other, cmp, values):
    env = symcore.ShapeEnv()
    n, m, k = env.symint("n", hint=3), env.symint("m", hint=-2), env.symint("k", hint=5)
    binding = dict(zip("nmk", values))
    symbols = {"n": n, "m": m, "k": k}
    try:
        expected = _build(tree, lambda t: binding.get(t, t), _BINARY, abs)
        if other is not None:
            expected = cmp(expected, _build(other, lambda t: binding.get(t, t), _BINARY, abs))
        x = _build(tree, lambda t: symbols.get(t, t), _SYMCORE_BINARY, abs)
        if other is not None:
            x = cmp(x, _build(other, lambda t: symbols.get(t, t), _SYMCORE_BINARY, abs))
    except ZeroDivisionError:
        assume(False)
        return
    if not isinstance(x, (symcore.SymInt, symcore.SymBool)):
        x = env.constant(x)

    s = to_sympy(x)
    value = s.subs({N: values[0], M: values[1], K: values[2]})
    if other is None:
        assert value.is_Integer, (str(x), s, value)
        assert int(value) == expected, (str(x), s)
    else:
        assert value in (sympy.true, sympy.false), (str(x), s, value)
        assert bool(value) == expected, (str(x), s)

    back = from_sympy(s, env)
    assert type(back) is type(x)
    assert env.evaluate(back, binding) == expected


# --- errors -------------------------------------------------------------------------------------


def test_unknown_symbol_is_a_symbol_error_naming_it(env):
    with pytest.raises(symcore.SymbolError, match="'zz'") as info:
        from_sympy(N + sympy.Symbol("zz", integer=True), env)
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize(
    ("expr", "name"),
    [
        (sympy.sin(N), "sin"),
        (sympy.exp(N), "exp"),
        (sympy.Function("mystery")(N), "mystery"),
        (sympy.Piecewise((N, N < 0), (M, M < 0)), "Piecewise"),
        (sympy.sqrt(N), "fractional exponent"),
        (sympy.I * N, "ImaginaryUnit"),
    ],
)
def test_unsupported_sympy_is_a_type_error_naming_it(env, expr, name):
    with pytest.raises(TypeError, match=name):
        from_sympy(expr, env)


@pytest.mark.parametrize("value", [3, "n + 1", None, N.__class__])
def test_from_sympy_rejects_non_sympy_input(env, value):
    with pytest.raises(TypeError, match="sympy expression"):
        from_sympy(value, env)


def test_from_sympy_rejects_a_non_env(env):
    with pytest.raises(TypeError, match="ShapeEnv"):
        from_sympy(N, {"n": 1})


@pytest.mark.parametrize("value", ["n", None, N, [1]])
def test_to_sympy_rejects_non_symcore_input(value):
    with pytest.raises(TypeError, match="to_sympy expects"):
        to_sympy(value)


def test_to_sympy_of_a_too_deep_expression_is_a_value_error(env):
    n, m, _ = syms(env)
    x = n
    for _ in range(500):
        x = (x * 3 + 1) % m
    with pytest.raises(ValueError, match="too deeply nested"):
        to_sympy(x)


def test_moderately_deep_expression_round_trips(env):
    n, m, _ = syms(env)
    x = n
    for _ in range(60):
        x = (x * 3 + 1) % m
    assert from_sympy(to_sympy(x), env).key() == x.key()


def test_missing_sympy_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "sympy", None)
    with pytest.raises(ImportError, match=r"pip install symcore\[sympy\]"):
        to_sympy(symcore.SymInt(1))
    with pytest.raises(ImportError, match=r"pip install symcore\[sympy\]"):
        sympy_interop.from_sympy(object(), symcore.ShapeEnv())


def test_symcore_and_the_module_import_without_sympy():
    code = (
        "import sys; sys.modules['sympy'] = None\n"
        "import symcore, symcore.sympy_interop\n"
        "assert symcore.ShapeEnv().symint('n', 2) is not None\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
