"""Differential test: symcore against plain Python on random expression trees.

A tree is a small tuple structure (see ``Tree`` below). ``compute(tree, leaves, fns)`` applies
the very same Python operators to whatever the leaves are: plain ints (the oracle) or SymInts
(symcore). Only the few builtins that cannot take symbolic values differ between the two
(``max`` vs ``sym_max``, ``x if c else y`` vs ``sym_ite``, ...).

For each example:

* the oracle runs at binding 1; symcore builds the expression with every symbol hinted by
  binding 1;
* if the oracle raises, symcore must raise the same exception class while building, while
  evaluating, or while computing the hint (a complex oracle result counts as ``ValueError``);
* otherwise ``env.evaluate(sym, binding1)`` and ``sym.hint`` equal the oracle value, with the same
  type, bit-for-bit for floats (NaN matches NaN, ``0.0`` does not match ``-0.0``);
* when building recorded no guard, the expression is valid everywhere, so evaluating it at an
  independent binding 2 must match the oracle at binding 2.

``sym_ite(c, a, b)`` is a function: with plain numbers both branches are computed before the
call, so the oracle computes both branches too (an error in the branch not taken still raises).
"""

from __future__ import annotations

import math
import operator
from functools import cache
from typing import Any, Callable, Union

import sympy
from hypothesis import example, given, note
from hypothesis import strategies as st

import symcore
from oracle import same_value
from symcore import SymBool, SymFloat, SymInt

SYM_TYPES = (SymInt, SymBool, SymFloat)
NAMES = ("s0", "s1", "s2", "s3")
BIG = 2**64 + 1

# ---------------------------------------------------------------------------------------------
# Trees
# ---------------------------------------------------------------------------------------------
# ("sym", name)                   a symbol
# ("const", value, wrapped)       a constant; ``wrapped`` makes it SymInt/SymFloat/SymBool(value)
#                                 on the symbolic side (exercising constant folding)
# (op, child, child, ...)         an operation from OPS below; a child may be a plain Python value
#                                 (an int such as a small exponent) used as-is on both sides
Tree = Union[tuple, int, float]

_BINARY: dict[str, Callable[[Any, Any], Any]] = {
    "add": operator.add,
    "sub": operator.sub,
    "mul": operator.mul,
    "floordiv": operator.floordiv,
    "mod": operator.mod,
    "truediv": operator.truediv,
    "pow": operator.pow,
    "and": operator.and_,
    "or": operator.or_,
    "xor": operator.xor,
    "lshift": operator.lshift,
    "rshift": operator.rshift,
    "lt": operator.lt,
    "le": operator.le,
    "gt": operator.gt,
    "ge": operator.ge,
    "eq": operator.eq,
    "ne": operator.ne,
    "divmod0": lambda a, b: divmod(a, b)[0],
    "divmod1": lambda a, b: divmod(a, b)[1],
    "roundn": round,
}
_UNARY: dict[str, Callable[[Any], Any]] = {
    "neg": operator.neg,
    "pos": operator.pos,
    "abs": operator.abs,
    "invert": operator.invert,
    "floor": math.floor,
    "ceil": math.ceil,
    "trunc": math.trunc,
    "round": round,
}


class Fns:
    """The builtins that differ between the plain and the symbolic side."""

    def __init__(self, symbolic: bool) -> None:
        if symbolic:
            self.max: Callable[..., Any] = symcore.sym_max
            self.min: Callable[..., Any] = symcore.sym_min
            self.not_: Callable[[Any], Any] = symcore.sym_not
            self.ite: Callable[[Any, Any, Any], Any] = symcore.sym_ite
            self.float: Callable[[Any], Any] = symcore.sym_float
            self.int: Callable[[Any], Any] = symcore.sym_int
        else:
            self.max = max
            self.min = min
            self.not_ = operator.not_
            self.ite = lambda c, a, b: a if c else b
            self.float = float
            self.int = int


PLAIN = Fns(symbolic=False)
SYMBOLIC = Fns(symbolic=True)


def compute(tree: Tree, leaves: dict[str, Any], fns: Fns, wrap_constants: bool) -> Any:
    """Computes ``tree`` with symbols taken from ``leaves``."""
    if not isinstance(tree, tuple):
        return tree
    op = tree[0]
    if op == "sym":
        return leaves[tree[1]]
    if op == "const":
        value, wrapped = tree[1], tree[2]
        if wrap_constants and wrapped:
            if isinstance(value, bool):
                return SymBool(value)
            if isinstance(value, float):
                return SymFloat(value)
            return SymInt(value)
        return value
    args = [compute(a, leaves, fns, wrap_constants) for a in tree[1:]]
    result = _apply(op, args, fns)
    if isinstance(result, complex):
        # Python gives a complex number for a negative float to a fractional power; symcore has
        # no complex numbers and raises ValueError right there.
        raise ValueError(f"complex result {result!r}")
    return result


def _complex_pow(base: Any, exp: Any) -> bool:
    """True when Python's ``base ** exp`` goes to complex numbers (a negative finite base to a
    finite non-integral float power). Python may then return a complex or raise OverflowError
    from complex exponentiation; symcore has no complex numbers and raises ValueError."""
    if not (isinstance(exp, float) and isinstance(base, (int, float))):
        return False
    return math.isfinite(exp) and exp != math.floor(exp) and math.isfinite(base) and base < 0


def _apply(op: str, args: list[Any], fns: Fns) -> Any:
    if op == "pow" and fns is PLAIN and _complex_pow(args[0], args[1]):
        raise ValueError("complex result")
    if op in _BINARY:
        return _BINARY[op](*args)
    if op in _UNARY:
        return _UNARY[op](*args)
    if op == "powmod":
        return pow(args[0], args[1], args[2])
    if op == "max":
        return fns.max(*args)
    if op == "min":
        return fns.min(*args)
    if op == "not":
        return fns.not_(args[0])
    if op == "ite":
        return fns.ite(*args)
    if op == "tofloat":
        return fns.float(args[0])
    if op == "toint":
        return fns.int(args[0])
    raise AssertionError(f"unknown op {op!r}")


def show(tree: Tree) -> str:
    """A readable Python-like rendering of a tree, for failure reports."""
    if not isinstance(tree, tuple):
        return repr(tree)
    op = tree[0]
    if op == "sym":
        return tree[1]
    if op == "const":
        return f"{'W' if tree[2] else ''}{tree[1]!r}"
    return f"{op}({', '.join(show(a) for a in tree[1:])})"


# ---------------------------------------------------------------------------------------------
# Strategies
# ---------------------------------------------------------------------------------------------
INT_CONSTS = [0, 1, -1, 2, -2, 3, -3, 7, 64, 2**63, -(2**63), BIG, -BIG]
FLOAT_CONSTS = [0.1, 2.5, -0.0, 0.0, 1.0, -1.5, 0.5, 3.0, 1e308, -1e-300, math.inf, -math.inf, math.nan]

symbol_leaf = st.sampled_from(NAMES).map(lambda n: ("sym", n))
int_const = st.tuples(st.just("const"), st.one_of(st.sampled_from(INT_CONSTS), st.integers(-100, 100)), st.booleans())
float_const = st.tuples(st.just("const"), st.sampled_from(FLOAT_CONSTS), st.booleans())
bool_const = st.tuples(st.just("const"), st.booleans(), st.booleans())
int_leaf = st.one_of(symbol_leaf, symbol_leaf, int_const)

# Shift counts: small constants, a symbol reduced to 0..64 (or to -2..62, to reach negative
# shift counts) -- never a raw symbol on the left shift, whose binding could be 2**70.
lshift_count = st.one_of(
    st.integers(0, 64),
    symbol_leaf.map(lambda s: ("mod", s, 65)),
    symbol_leaf.map(lambda s: ("sub", ("mod", s, 65), 2)),
)


@cache
def ints(depth: int) -> st.SearchStrategy[Tree]:
    if depth == 0:
        return int_leaf
    i, b, f = ints(depth - 1), bools(depth - 1), floats(depth - 1)
    binop = st.sampled_from(["add", "sub", "mul", "floordiv", "mod", "and", "or", "xor", "divmod0", "divmod1"])
    return st.one_of(
        int_leaf,
        st.tuples(binop, i, i),
        st.tuples(st.sampled_from(["add", "sub", "mul"]), i, i),
        st.tuples(st.just("pow"), i, st.integers(0, 4)),
        # a symbolic, non-negative exponent: goes through the `exponent >= 0` guard
        st.tuples(st.just("pow"), i, i.map(lambda e: ("mod", e, 5))),
        st.tuples(st.sampled_from(["neg", "pos", "abs", "invert", "floor", "ceil", "trunc", "round"]), i),
        st.tuples(st.just("lshift"), i, lshift_count),
        st.tuples(st.just("rshift"), i, st.one_of(st.integers(0, 64), i)),
        st.tuples(st.sampled_from(["min", "max"]), i, i),
        st.tuples(st.sampled_from(["min", "max"]), i, i, i),
        st.tuples(st.just("ite"), b, i, i),
        st.tuples(st.sampled_from(["floor", "ceil", "trunc", "round", "toint"]), f),
        st.tuples(st.just("roundn"), i, st.integers(-3, 2)),
        st.tuples(st.just("powmod"), i, i, st.integers(1, 13)),
    )


@cache
def bools(depth: int) -> st.SearchStrategy[Tree]:
    cmp = st.sampled_from(["lt", "le", "gt", "ge", "eq", "ne"])
    if depth == 0:
        return st.one_of(bool_const, st.tuples(cmp, int_leaf, int_leaf))
    i, b, f = ints(depth - 1), bools(depth - 1), floats(depth - 1)
    return st.one_of(
        bool_const,
        st.tuples(cmp, i, i),
        st.tuples(cmp, i, f),
        st.tuples(cmp, f, i),
        st.tuples(cmp, f, f),
        st.tuples(st.sampled_from(["eq", "ne", "and", "or", "xor"]), b, b),
        st.tuples(st.just("not"), b),
        st.tuples(st.just("ite"), b, b, b),
    )


@cache
def floats(depth: int) -> st.SearchStrategy[Tree]:
    if depth == 0:
        return st.one_of(float_const, st.tuples(st.just("truediv"), int_leaf, int_leaf))
    i, b, f = ints(depth - 1), bools(depth - 1), floats(depth - 1)
    fop = st.sampled_from(["add", "sub", "mul", "truediv", "floordiv", "mod"])
    return st.one_of(
        float_const,
        st.tuples(st.just("truediv"), i, i),
        st.tuples(fop, f, f),
        st.tuples(fop, f, i),
        st.tuples(fop, i, f),
        st.tuples(st.just("pow"), f, st.one_of(st.integers(-3, 4), st.sampled_from([0.5, 2.0, -1.0, -0.5, 1.5]))),
        st.tuples(st.just("pow"), f, f),
        st.tuples(st.just("pow"), i, st.integers(-3, -1)),
        # an int base with a symbolic exponent of either sign: the result type follows the hint
        # (int for >= 0, float otherwise), so it is wrapped in float() to keep a float
        st.tuples(st.just("pow"), i, i.map(lambda e: ("sub", ("mod", e, 9), 4))).map(lambda t: ("tofloat", t)),
        st.tuples(st.sampled_from(["neg", "pos", "abs"]), f),
        st.tuples(st.just("roundn"), f, st.integers(-2, 3)),
        st.tuples(st.just("tofloat"), i),
        st.tuples(st.sampled_from(["min", "max"]), f, f),
        st.tuples(st.just("ite"), b, f, f),
    )


DEPTH = 3
any_tree = st.one_of(ints(DEPTH), bools(DEPTH), floats(DEPTH))
int_value = st.one_of(st.integers(-5, 5), st.integers(-(2**70), 2**70), st.sampled_from([2**63, -(2**63), 2**64]))
bindings = st.fixed_dictionaries({n: int_value for n in NAMES})


# ---------------------------------------------------------------------------------------------
# Comparison helpers
# ---------------------------------------------------------------------------------------------
class Raised:
    """An outcome that is an exception.

    ``allowed`` holds every exception class that some failing step of the computation raises.
    Python stops at the first failing step in evaluation order; symcore defers symbolic steps to
    evaluation time (and may check them in another order) while a step on constants fails while
    building, so when *several* steps fail, raising any of their classes is correct. When only
    one step fails (the usual case), this is exactly "the same exception class".
    """

    def __init__(self, exc: BaseException, allowed: frozenset[type[BaseException]] | None = None) -> None:
        self.exc = exc
        self.cls: type[BaseException] = type(exc)
        self.allowed = allowed if allowed is not None else frozenset({self.cls})

    def __repr__(self) -> str:
        names = ", ".join(sorted(c.__name__ for c in self.allowed))
        return f"Raised({self.cls.__name__}: {self.exc}; allowed: {names})"


ERRORS = (ArithmeticError, ValueError, TypeError, MemoryError)


def outcome(fn: Callable[[], Any]) -> Any:
    """The value of ``fn()``, or ``Raised``."""
    try:
        return fn()
    except ERRORS as e:
        return Raised(e)


def oracle(tree: Tree, binding: dict[str, int]) -> Any:
    """Plain Python's value of ``tree``, or ``Raised`` with every failing step's class."""
    if not isinstance(tree, tuple) or tree[0] in ("sym", "const"):
        return compute(tree, binding, PLAIN, False)
    args = [oracle(a, binding) for a in tree[1:]]
    failed = [a for a in args if isinstance(a, Raised)]
    if failed:
        allowed = frozenset().union(*(a.allowed for a in failed))
        # A step that fails whatever its failed operand would have been (``x / 0.0``) may be
        # reported first: symcore sees that while building, before anything is evaluated.
        stand_in = [1 if isinstance(a, Raised) else a for a in args]
        this_step = outcome(lambda: compute((tree[0], *stand_in), binding, PLAIN, False))
        if isinstance(this_step, Raised):
            allowed |= this_step.allowed
        return Raised(failed[0].exc, allowed)
    return outcome(lambda: compute((tree[0], *args), binding, PLAIN, False))


def assert_matches(got: Any, expected: Any, what: str) -> None:
    if isinstance(expected, Raised):
        assert isinstance(got, Raised), f"{what}: expected {expected!r}, got value {got!r}"
        assert any(issubclass(got.cls, c) for c in expected.allowed), f"{what}: expected {expected!r}, got {got!r}"
    else:
        assert not isinstance(got, Raised), f"{what}: expected {expected!r}, got {got!r}"
        assert same_value(got, expected), f"{what}: expected {expected!r} ({type(expected).__name__}), got {got!r}"


def build(tree: Tree, binding: dict[str, int], wrap_constants: bool = True) -> tuple[symcore.ShapeEnv, Any]:
    env = symcore.ShapeEnv()
    leaves = {n: env.symint(n, binding[n]) for n in NAMES}
    return env, outcome(lambda: compute(tree, leaves, SYMBOLIC, wrap_constants))


def check_tree(tree: Tree, b1: dict[str, int], b2: dict[str, int]) -> None:
    note(f"tree: {show(tree)}")
    expected1 = oracle(tree, b1)
    note(f"oracle at binding 1: {expected1!r}")
    env, sym = build(tree, b1)
    if isinstance(sym, Raised):
        assert isinstance(expected1, Raised), f"building raised {sym!r} but Python gives {expected1!r}"
        assert_matches(sym, expected1, "building")
        return
    assert_matches(outcome(lambda: env.evaluate(sym, b1)), expected1, "evaluate at binding 1")
    if isinstance(sym, SYM_TYPES):
        assert_matches(outcome(lambda: sym.hint), expected1, "hint")
    if not env.guards:
        expected2 = oracle(tree, b2)
        note(f"oracle at binding 2: {expected2!r}")
        assert_matches(outcome(lambda: env.evaluate(sym, b2)), expected2, "evaluate at binding 2")


@given(tree=any_tree, b1=bindings, b2=bindings)
@example(tree=("floordiv", ("sym", "s0"), ("const", 0.1, True)), b1=dict.fromkeys(NAMES, 1), b2=dict.fromkeys(NAMES, 7))
@example(
    tree=("mul", ("floordiv", ("sym", "s0"), ("sym", "s1")), 0), b1=dict.fromkeys(NAMES, 1), b2=dict.fromkeys(NAMES, 0)
)
@example(tree=("gt", ("add", ("sym", "s0"), 1), 2.0**53), b1=dict.fromkeys(NAMES, 2**53), b2=dict.fromkeys(NAMES, 0))
@example(
    tree=("truediv", ("sym", "s0"), ("sym", "s1")),
    b1={**dict.fromkeys(NAMES, 1), "s0": 2**53 + 1},
    b2=dict.fromkeys(NAMES, 3),
)
@example(tree=("pow", ("truediv", ("sym", "s0"), 1), 0.5), b1=dict.fromkeys(NAMES, -8), b2=dict.fromkeys(NAMES, 4))
@example(tree=("tofloat", ("pow", ("sym", "s0"), 20)), b1=dict.fromkeys(NAMES, 2**70), b2=dict.fromkeys(NAMES, 2))
@example(tree=("powmod", ("sym", "s0"), -1, 7), b1=dict.fromkeys(NAMES, 14), b2=dict.fromkeys(NAMES, 3))
@example(tree=("round", ("truediv", ("sym", "s0"), 2)), b1=dict.fromkeys(NAMES, 5), b2=dict.fromkeys(NAMES, -3))
def test_tree_matches_python(tree: Tree, b1: dict[str, int], b2: dict[str, int]) -> None:
    check_tree(tree, b1, b2)


@given(tree=any_tree, b1=bindings, b2=bindings)
def test_tree_unwrapped_constants_match_python(tree: Tree, b1: dict[str, int], b2: dict[str, int]) -> None:
    """Same as above with plain-number constants only (the reflected ``__r*__`` paths)."""
    note(f"tree: {show(tree)}")
    expected1 = oracle(tree, b1)
    env, sym = build(tree, b1, wrap_constants=False)
    if isinstance(sym, Raised):
        assert_matches(sym, expected1, "building")
        return
    assert_matches(outcome(lambda: env.evaluate(sym, b1)), expected1, "evaluate at binding 1")
    if not env.guards:
        expected2 = oracle(tree, b2)
        assert_matches(outcome(lambda: env.evaluate(sym, b2)), expected2, "evaluate at binding 2")


# ---------------------------------------------------------------------------------------------
# (a) print / parse round trip
# ---------------------------------------------------------------------------------------------
# What "round trip" means: ``key()`` is (sort, environment, value id, checks id) for a
# non-constant. The printed form is the canonical *value* only; the checks (partial
# subexpressions such as a division that simplification cancelled) are not printed, so
# ``(s0 // s1) * 0`` prints as ``0``. The right requirement is therefore:
#   * printing is a fixpoint: ``str(parse(str(r))) == str(r)``;
#   * the value parts of the keys agree (``key()[:3]``, or the whole key for a constant r);
#   * wherever r evaluates without error, the re-parsed value evaluates to the same result.


@given(tree=any_tree, b1=bindings)
def test_print_parse_round_trip(tree: Tree, b1: dict[str, int]) -> None:
    note(f"tree: {show(tree)}")
    env, r = build(tree, b1)
    if isinstance(r, Raised) or not isinstance(r, SYM_TYPES):
        return
    text = str(r)
    note(f"printed: {text}")
    assert isinstance(text, str)
    assert repr(r) == text
    parsed = env.parse(text)
    assert type(parsed) is type(r)
    assert str(parsed) == text
    if r.is_constant:
        assert parsed.is_constant
        assert parsed.key() == r.key()
    elif not parsed.is_constant:
        assert parsed.key()[:3] == r.key()[:3]
    value = outcome(lambda: env.evaluate(r, b1))
    if not isinstance(value, Raised):
        assert_matches(outcome(lambda: env.evaluate(parsed, b1)), value, "re-parsed value")


# ---------------------------------------------------------------------------------------------
# (b) canonical forms of polynomials
# ---------------------------------------------------------------------------------------------
small_const = st.integers(-3, 3).map(lambda v: ("const", v, False))
poly_leaf = st.one_of(symbol_leaf, symbol_leaf, small_const)
polys = st.recursive(
    poly_leaf,
    lambda sub: st.tuples(st.sampled_from(["add", "sub", "mul"]), sub, sub),
    max_leaves=6,
)


def rewrite(tree: Tree, choices: st.DataObject) -> Tree:
    """An equal polynomial written differently (commuted, distributed, subtraction as +(-1)*)."""
    if not isinstance(tree, tuple) or tree[0] in ("sym", "const"):
        return tree
    op, a, b = tree[0], rewrite(tree[1], choices), rewrite(tree[2], choices)
    how = choices.draw(st.integers(0, 3))
    if op in ("add", "mul") and how == 1:
        return (op, b, a)
    if op == "sub" and how == 2:
        return ("add", a, ("mul", ("const", -1, False), b))
    if op == "mul" and how == 3 and isinstance(b, tuple) and b[0] in ("add", "sub"):
        return (b[0], ("mul", a, b[1]), ("mul", a, b[2]))
    return (op, a, b)


def sym_poly(tree: Tree, leaves: dict[str, Any]) -> Any:
    return compute(tree, leaves, SYMBOLIC, False)


def key(x: Any) -> tuple:
    return x.key() if isinstance(x, SYM_TYPES) else SymInt(x).key()


def to_sympy(tree: Tree) -> sympy.Expr:
    return compute(tree, {n: sympy.Symbol(n) for n in NAMES}, PLAIN, False)


@given(p=polys, q=polys)
def test_add_then_subtract_is_identity(p: Tree, q: Tree) -> None:
    env = symcore.ShapeEnv()
    leaves = {n: env.symint(n, 3) for n in NAMES}
    ps, qs = sym_poly(p, leaves), sym_poly(q, leaves)
    assert key((ps + qs) - qs) == key(ps)
    assert key(ps * (qs + 1) - ps * qs) == key(ps)


@given(p=polys)
def test_square_identity_is_constant_one(p: Tree) -> None:
    env = symcore.ShapeEnv()
    leaves = {n: env.symint(n, i - 1) for i, n in enumerate(NAMES)}
    ps = sym_poly(p, leaves)
    r = (ps + 1) ** 2 - ps * ps - 2 * ps
    if isinstance(r, SYM_TYPES):
        assert r.is_constant
        assert r.hint == 1
        assert key(r) == key(1)
    else:
        assert r == 1


@given(p=polys, q=polys, data=st.data())
def test_zero_difference_agrees_with_sympy(p: Tree, q: Tree, data: st.DataObject) -> None:
    if data.draw(st.booleans()):
        q = rewrite(p, data)
    note(f"p = {show(p)}; q = {show(q)}")
    env = symcore.ShapeEnv()
    leaves = {n: env.symint(n, 2 * i + 1) for i, n in enumerate(NAMES)}
    diff = sym_poly(p, leaves) - sym_poly(q, leaves)
    sympy_zero = sympy.expand(to_sympy(p) - to_sympy(q)) == 0
    symcore_zero = key(diff) == key(0)
    assert symcore_zero == sympy_zero
    if isinstance(diff, SYM_TYPES):
        assert diff.is_constant == (len(diff.free_symbols) == 0)
        assert diff.free_symbols == frozenset(str(s) for s in sympy.expand(to_sympy(p) - to_sympy(q)).free_symbols)
