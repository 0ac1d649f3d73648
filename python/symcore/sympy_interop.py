"""Conversion between symcore values and sympy expressions.

For compiler authors moving shape code from sympy to symcore: :func:`to_sympy` hands a symcore
value to existing sympy-based passes (simplification, solving, printing), and :func:`from_sympy`
brings a sympy expression (one of ours, or one written by hand) back as a symcore value of a
:class:`~symcore.ShapeEnv`. sympy is an optional extra: ``pip install symcore[sympy]``; symcore
itself imports without it, and these functions import it on first use.

    >>> import symcore
    >>> from symcore.sympy_interop import from_sympy, to_sympy
    >>> env = symcore.ShapeEnv()
    >>> n = env.symint("n", hint=7, min=1)
    >>> e = to_sympy((n + 1) // 2 + n % 3)
    >>> e
    Mod(n, 3) + floor(n/2 + 1/2)
    >>> print(from_sympy(e, env))
    (n + 1) // 2 + n % 3

Mapping (symcore's printed language on the left; ``a``, ``b`` are converted operands):

==========================  ==========================================  ===============================
symcore                     sympy                                       back (:func:`from_sympy`)
==========================  ==========================================  ===============================
symbol ``n``                ``Symbol("n", integer=True)``               the symbol of ``env`` by name
``3`` / ``1.5`` / ``True``  ``Integer`` / ``Float`` / ``true``          constants (``Rational`` p/q
                                                                        becomes ``p / q``, a float)
``float('inf')``, ``nan``   ``oo``, ``-oo``, ``nan``                    float constants
``a + b``, ``a - b``        ``Add``                                     ``+`` (``-1*b`` as ``-b``)
``a * b``                   ``Mul``                                     ``*``
``a / b``                   ``a * b**-1`` (exact rational)              ``/`` (true division)
``a // b``                  ``floor(a / b)``                            ``//`` (see floor)
``a % b``                   ``Mod(a, b)``                               ``%``
``a ** b``, ``pow(a, b)``   ``Pow(a, b)``                               ``**`` (negative integer
                                                                        exponent: ``1 / a**k``)
``pow(a, b, m)``            ``PyPowMod(a, b, m)``                       ``pow(a, b, m)``
``-a``, ``+a``              ``-a``, ``a``                               ``-``
``min``, ``max``            ``Min``, ``Max``                            ``sym_min``, ``sym_max``
``abs(a)``                  ``Abs(a)``                                  ``abs``
``floor(a)``, ``ceil(a)``   ``floor(a)``, ``ceiling(a)``                ``math.floor`` / ``math.ceil``;
                                                                        of an integer ratio p/q:
                                                                        ``p // q`` / ``-(-p // q)``
``trunc(a)``, ``int(a)``    ``PyTrunc(a)``, ``PyInt(a)``                ``math.trunc``, ``sym_int``
``round(a)``, ``round(a,    ``PyRound(a)``, ``PyRound(a, k)``           ``round``
k)``
``float(a)``                ``1.0*a`` (a ``Float(1.0)`` coefficient)    ``sym_float`` of the rest
``a & b``, ``a | b``,       ``BitAnd``, ``BitOr``, ``BitXor``,          the operators
``a ^ b``, ``a << b``,      ``LShift``, ``RShift``, ``BitNot``
``a >> b``, ``~a``          (symcore prints these on booleans as
                            ``and``/``or``/``!=``/arithmetic)
``<  <=  >  >=  ==  !=``    ``Lt Le Gt Ge Eq Ne``                       the comparisons
``and``, ``or``, ``not``    ``And``, ``Or``, ``Not``                    ``&``, ``|``, ``sym_not``
                                                                        (``Xor`` as ``^``)
``a if c else b``           ``Piecewise((a, c), (b, True))``            ``sym_ite`` (more pieces nest)
==========================  ==========================================  ===============================

Decisions:

* Floor division and modulo use sympy's own ``floor`` and ``Mod``. For integers both have
  Python's semantics exactly: ``floor(a/b)`` is the floor of the exact rational, and ``Mod(a, b)``
  takes the sign of the divisor, as Python's ``%`` does (``Mod(-7, 3) == 2``, ``Mod(7, -3) == -2``).
  sympy's passes therefore understand them (``floor(n/2 + 1/2)``, ``Mod(2*n, 2) == 0``).
* True division is exact in sympy (``7/2`` is the rational ``7/2``) while Python rounds to a
  float: :func:`to_sympy` of a float expression is its exact real-number meaning, not the rounded
  one. ``float(a)`` is ``1.0*a``: the same real number, with a ``Float`` coefficient that marks the
  float sort, so that the round trip gives ``float(a)`` back instead of the int ``a``.
* ``from_sympy`` follows sympy's meaning, so ``floor``/``ceiling`` of a ratio of integers becomes
  exact integer division. symcore's ``floor(a / b)`` and ``ceil(a / b)`` (of the *rounded* float
  quotient) therefore come back as ``a // b`` and ``-(-a // b)``: a different expression that has
  the same value whenever ``|a| <= 2**53``. A float ``a // b`` comes back as ``floor(a / b)``.
* ``trunc``, ``round``, ``int``, ``pow`` with a modulus and the bit operations have no sympy
  equivalent with Python's semantics, so they map to the named functions of
  :func:`sympy_functions` (``PyTrunc``, ``PyRound``, ``PyInt``, ``PyPowMod``, ``BitAnd``,
  ``BitOr``, ``BitXor``, ``LShift``, ``RShift``, ``BitNot``). Each evaluates with Python's
  semantics once its arguments are numbers (so ``.subs`` gives numbers) and is otherwise opaque to
  sympy. ``from_sympy`` recognises them by name, so ``sympy.Function("BitAnd")`` works as well.
* Symbols are ``Symbol(name, integer=True)`` (every symcore symbol is an int); their ranges are
  not turned into sympy assumptions, so that the symbols equal the ones sympy code usually makes.
  ``from_sympy`` looks symbols up by name and ignores their assumptions.
* sympy canonicalises while it builds (``Mod(2*n, 2)`` is ``0``, ``Not(a < b)`` is ``a >= b``), so
  the round trip is exact only up to that: ``from_sympy(to_sympy(x), env)`` always has the value
  of ``x``, and is the same expression (equal :meth:`~symcore.SymInt.key`) when sympy did not
  rewrite it.
* Both directions walk the expression with an explicit stack, so deep expressions do not hit
  Python's recursion limit in this module; when Python's parser or sympy itself cannot handle the
  depth, a :class:`ValueError` says so.
"""

from __future__ import annotations

import ast
import builtins
import fractions
import math
import operator
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from symcore._core import SymBool, SymFloat, SymInt, sym_float, sym_int, sym_ite, sym_max, sym_min, sym_not
from symcore.errors import SymbolError
from symcore.shape_env import ShapeEnv, SymValue

__all__ = ["from_sympy", "sympy_functions", "to_sympy"]

_SYM_TYPES = (SymInt, SymBool, SymFloat)

_N = TypeVar("_N")


def _sympy() -> Any:
    """The sympy module, or an ImportError that says how to install it."""
    try:
        import sympy  # type: ignore[import-untyped,unused-ignore]
    except ImportError as exc:  # pragma: no cover - exercised only without sympy
        raise ImportError("symcore's sympy interop needs sympy, an optional extra: pip install symcore[sympy]") from exc
    return sympy


def _postorder(
    root: _N,
    expand: Callable[[_N], tuple[object, list[_N]]],
    combine: Callable[[_N, object, list[Any]], Any],
    memo: dict[Any, Any] | None = None,
) -> Any:
    """Evaluates a tree bottom-up with an explicit stack.

    Args:
        root: The tree.
        expand: ``node -> (tag, children)``; the tag is passed on to ``combine``.
        combine: ``(node, tag, converted children) -> converted node``.
        memo: If given, nodes are hashable and each distinct node is converted once.

    Returns:
        The converted root.
    """
    results: list[Any] = []
    stack: list[tuple[_N, tuple[object, list[_N]] | None]] = [(root, None)]
    while stack:
        node, plan = stack.pop()
        if plan is None:
            if memo is not None and node in memo:
                results.append(memo[node])
                continue
            plan = expand(node)
            stack.append((node, plan))
            stack.extend((child, None) for child in reversed(plan[1]))
            continue
        count = len(plan[1])
        args = results[len(results) - count :]
        del results[len(results) - count :]
        value = combine(node, plan[0], args)
        if memo is not None:
            memo[node] = value
        results.append(value)
    return results[0]


# --- the named functions ------------------------------------------------------------------------


def _int_args(args: tuple[Any, ...]) -> list[int] | None:
    """The arguments as Python ints if all are sympy Integers, else None."""
    sympy = _sympy()
    if all(isinstance(a, sympy.Integer) for a in args):
        return [int(a) for a in args]
    return None


def _real_arg(x: Any) -> fractions.Fraction | float | None:
    """A finite sympy number as an exact Fraction (Rational) or float (Float), else None."""
    sympy = _sympy()
    if isinstance(x, sympy.Rational):
        return fractions.Fraction(int(x.p), int(x.q))
    if isinstance(x, sympy.Float) and x.is_finite:
        return float(x)
    return None


def _eval_int_op(op: Callable[..., int]) -> Callable[..., Any]:
    def evaluate(cls: Any, *args: Any) -> Any:
        del cls
        ints = _int_args(args)
        if ints is None:
            return None
        return _sympy().Integer(op(*ints))

    return evaluate


def _eval_to_int(cls: Any, x: Any) -> Any:
    del cls
    value = _real_arg(x)
    return None if value is None else _sympy().Integer(math.trunc(value))


def _eval_round(cls: Any, x: Any, ndigits: Any = None) -> Any:
    del cls
    sympy = _sympy()
    value = _real_arg(x)
    if value is None:
        return None
    if ndigits is None:
        return sympy.Integer(round(value))
    if not isinstance(ndigits, sympy.Integer):
        return None
    rounded = round(value, int(ndigits))
    if isinstance(rounded, fractions.Fraction):
        return sympy.Rational(rounded.numerator, rounded.denominator)
    return sympy.Float(rounded)


def _is_integer_true(self: Any) -> bool:
    del self
    return True


def _round_is_integer(self: Any) -> bool | None:
    return True if len(self.args) == 1 else None


_FUNCTIONS: dict[str, Any] = {}


def sympy_functions() -> dict[str, Any]:
    """The named sympy functions that carry symcore operations sympy has no equivalent for.

    Each evaluates with Python's semantics once its arguments are numbers, and is otherwise an
    opaque function to sympy:

    * ``PyTrunc(x)``: ``math.trunc(x)``; ``PyInt(x)``: ``int(x)`` (both round toward zero).
    * ``PyRound(x)``, ``PyRound(x, k)``: Python's ``round`` (half to even).
    * ``PyPowMod(a, b, m)``: ``pow(a, b, m)``.
    * ``BitAnd``, ``BitOr``, ``BitXor``, ``LShift``, ``RShift`` (two ints), ``BitNot`` (one int):
      ``& | ^ << >> ~`` on Python ints (two's complement, arbitrary width).

    Returns:
        ``name -> sympy Function class``; the same classes on every call.

    Raises:
        ImportError: sympy is not installed.
    """
    if not _FUNCTIONS:
        sympy = _sympy()

        def make(name: str, nargs: int | tuple[int, ...], evaluate: Callable[..., Any], integer: Any) -> Any:
            namespace = {
                "nargs": nargs,
                "eval": classmethod(evaluate),
                "_eval_is_integer": integer,
                "__module__": __name__,
                "__doc__": f"symcore's {name}: see symcore.sympy_interop.sympy_functions.",
            }
            return type(name, (sympy.Function,), namespace)

        table = {
            "PyTrunc": make("PyTrunc", 1, _eval_to_int, _is_integer_true),
            "PyInt": make("PyInt", 1, _eval_to_int, _is_integer_true),
            "PyRound": make("PyRound", (1, 2), _eval_round, _round_is_integer),
            "PyPowMod": make("PyPowMod", 3, _eval_int_op(builtins.pow), _is_integer_true),
            "BitAnd": make("BitAnd", 2, _eval_int_op(operator.and_), _is_integer_true),
            "BitOr": make("BitOr", 2, _eval_int_op(operator.or_), _is_integer_true),
            "BitXor": make("BitXor", 2, _eval_int_op(operator.xor), _is_integer_true),
            "LShift": make("LShift", 2, _eval_int_op(operator.lshift), _is_integer_true),
            "RShift": make("RShift", 2, _eval_int_op(operator.rshift), _is_integer_true),
            "BitNot": make("BitNot", 1, _eval_int_op(operator.invert), _is_integer_true),
        }
        _FUNCTIONS.update(table)
    return dict(_FUNCTIONS)


# --- symcore -> sympy ---------------------------------------------------------------------------


def _ast_expand(node: ast.expr) -> tuple[object, list[ast.expr]]:
    if isinstance(node, (ast.Constant, ast.Name)):
        return None, []
    if isinstance(node, ast.BinOp):
        return None, [node.left, node.right]
    if isinstance(node, ast.UnaryOp):
        return None, [node.operand]
    if isinstance(node, ast.Compare):
        return None, [node.left, *node.comparators]
    if isinstance(node, ast.BoolOp):
        return None, list(node.values)
    if isinstance(node, ast.IfExp):
        return None, [node.test, node.body, node.orelse]
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords:
        first = node.args[0] if len(node.args) == 1 else None
        if node.func.id == "float" and isinstance(first, ast.Constant) and isinstance(first.value, str):
            return "float-literal", []  # float('inf'), float('nan')
        return None, list(node.args)
    raise ValueError(f"to_sympy: unexpected construct in symcore's printed form: {ast.unparse(node)!r}")


def _ast_combine(node: ast.expr, tag: object, args: list[Any]) -> Any:
    sympy = _sympy()
    fn = _FUNCTIONS
    if isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, bool):
            return sympy.true if value else sympy.false
        if isinstance(value, int):
            return sympy.Integer(value)
        if isinstance(value, float):
            return sympy.Float(value)
    elif isinstance(node, ast.Name):
        return sympy.Symbol(node.id, integer=True)
    elif isinstance(node, ast.BinOp):
        a, b = args
        op = node.op
        if isinstance(op, ast.Add):
            return a + b
        if isinstance(op, ast.Sub):
            return a - b
        if isinstance(op, ast.Mult):
            return a * b
        if isinstance(op, ast.Div):
            return a / b
        if isinstance(op, ast.FloorDiv):
            return sympy.floor(a / b)
        if isinstance(op, ast.Mod):
            return sympy.Mod(a, b)
        if isinstance(op, ast.Pow):
            return sympy.Pow(a, b)
        if isinstance(op, ast.BitAnd):
            return fn["BitAnd"](a, b)
        if isinstance(op, ast.BitOr):
            return fn["BitOr"](a, b)
        if isinstance(op, ast.BitXor):
            return fn["BitXor"](a, b)
        if isinstance(op, ast.LShift):
            return fn["LShift"](a, b)
        if isinstance(op, ast.RShift):
            return fn["RShift"](a, b)
    elif isinstance(node, ast.UnaryOp):
        (a,) = args
        if isinstance(node.op, ast.USub):
            return -a
        if isinstance(node.op, ast.UAdd):
            return a
        if isinstance(node.op, ast.Not):
            return sympy.Not(a)
        if isinstance(node.op, ast.Invert):
            return fn["BitNot"](a)
    elif isinstance(node, ast.Compare):
        relations: dict[type[ast.cmpop], Any] = {
            ast.Lt: sympy.Lt,
            ast.LtE: sympy.Le,
            ast.Gt: sympy.Gt,
            ast.GtE: sympy.Ge,
            ast.Eq: sympy.Eq,
            ast.NotEq: sympy.Ne,
        }
        if all(type(op) in relations for op in node.ops):
            parts = [relations[type(op)](args[i], args[i + 1]) for i, op in enumerate(node.ops)]
            return parts[0] if len(parts) == 1 else sympy.And(*parts)
    elif isinstance(node, ast.BoolOp):
        return sympy.And(*args) if isinstance(node.op, ast.And) else sympy.Or(*args)
    elif isinstance(node, ast.IfExp):
        test, body, orelse = args
        return sympy.Piecewise((body, test), (orelse, True))
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        name = node.func.id
        if tag == "float-literal":
            first = node.args[0]
            assert isinstance(first, ast.Constant) and isinstance(first.value, str)
            return sympy.Float(float(first.value))
        calls: dict[tuple[str, int], Callable[..., Any]] = {
            ("abs", 1): sympy.Abs,
            ("pow", 2): sympy.Pow,
            ("pow", 3): fn["PyPowMod"],
            ("float", 1): lambda a: sympy.Float(1.0) * a,
            ("int", 1): fn["PyInt"],
            ("floor", 1): sympy.floor,
            ("ceil", 1): sympy.ceiling,
            ("trunc", 1): fn["PyTrunc"],
            ("round", 1): fn["PyRound"],
            ("round", 2): fn["PyRound"],
        }
        if name in ("min", "max") and args:
            return (sympy.Min if name == "min" else sympy.Max)(*args)
        if (name, len(args)) in calls:
            return calls[name, len(args)](*args)
    raise ValueError(f"to_sympy: unexpected construct in symcore's printed form: {ast.unparse(node)!r}")


def to_sympy(x: SymValue | int | float | bool) -> Any:
    """Converts a symcore value to the sympy expression of the same meaning.

    See the module docstring for the mapping and its decisions.

    Args:
        x: A ``SymInt``, ``SymBool`` or ``SymFloat`` (or a plain int, float or bool).

    Returns:
        A ``sympy.Expr`` (int and float values) or ``sympy.logic.boolalg.Boolean`` (``SymBool``).

    Raises:
        TypeError: ``x`` is not a symcore value or a Python number.
        ValueError: The expression is too deeply nested for Python's parser or for sympy.
        ImportError: sympy is not installed.

    Examples:
        >>> import symcore
        >>> env = symcore.ShapeEnv()
        >>> n = env.symint("n", hint=4)
        >>> to_sympy(symcore.sym_max(n // 2, 1))
        Max(1, floor(n/2))
    """
    sympy = _sympy()
    sympy_functions()  # define the named functions before the walk needs them
    if isinstance(x, bool):
        return sympy.true if x else sympy.false
    if isinstance(x, (int, float)):
        return sympy.Integer(x) if isinstance(x, int) else sympy.Float(x)
    if not isinstance(x, _SYM_TYPES):
        raise TypeError(f"to_sympy expects a symcore SymInt, SymBool or SymFloat, got {type(x).__name__}: {x!r}")
    text = str(x)
    try:
        tree = ast.parse(text, mode="eval").body
    except (SyntaxError, RecursionError, MemoryError) as exc:
        raise ValueError(
            f"to_sympy: expression too deeply nested for Python's parser ({len(text)} characters): {exc}"
        ) from exc
    try:
        return _postorder(tree, _ast_expand, _ast_combine)
    except RecursionError as exc:
        raise ValueError("to_sympy: expression too deeply nested for sympy to build") from exc


# --- sympy -> symcore ---------------------------------------------------------------------------


def _mul_parts(expr: Any) -> tuple[list[Any], list[Any]]:
    """Splits a sympy product into numerator and denominator factors (structurally)."""
    sympy = _sympy()
    num: list[Any] = []
    den: list[Any] = []
    for factor in sympy.Mul.make_args(expr):
        if isinstance(factor, sympy.Rational) and not isinstance(factor, sympy.Integer):
            if factor.p != 1:
                num.append(sympy.Integer(factor.p))
            den.append(sympy.Integer(factor.q))
        elif isinstance(factor, sympy.Pow) and factor.exp.is_Integer and factor.exp < 0:
            den.append(factor.base if factor.exp == -1 else sympy.Pow(factor.base, -factor.exp))
        else:
            num.append(factor)
    # Numbers last: symcore keeps the operand order of float products (``x*1.5``), sympy puts
    # coefficients first.
    return _numbers_last(num), den


def _numbers_last(args: list[Any]) -> list[Any]:
    return [a for a in args if not a.is_Number] + [a for a in args if a.is_Number]


def _integer_ratio(arg: Any) -> tuple[Any, Any] | None:
    """``(p, q)`` if ``arg`` is ``p/q`` with integer-valued ``p`` and ``q != 1``, else None."""
    sympy = _sympy()
    if isinstance(arg, sympy.Integer):
        return None
    p, q = arg.as_numer_denom()
    if q == 1 or p.is_integer is not True or q.is_integer is not True:
        return None
    return p, q


class _FromSympy:
    """One :func:`from_sympy` conversion: the environment, the symbol cache and the dispatch."""

    def __init__(self, env: ShapeEnv) -> None:
        self.sympy = _sympy()
        self.env = env
        self.symbols: dict[str, SymValue] = {}
        self.named = sympy_functions()

    def symbol(self, name: str) -> SymValue:
        if name not in self.symbols:
            if name not in self.env.symbols:
                known = ", ".join(self.env.symbols) or "none"
                raise SymbolError(f"from_sympy: unknown symbol {name!r} (the environment has: {known})")
            self.symbols[name] = self.env.parse(name)
        return self.symbols[name]

    def const(self, value: int | float | bool) -> SymValue:
        return self.env.constant(value)

    def expand(self, expr: Any) -> tuple[object, list[Any]]:
        sp = self.sympy
        if isinstance(expr, sp.Mul):
            coeff, rest = expr.as_coeff_Mul()
            if isinstance(coeff, sp.Float) and coeff == 1.0 and rest != 1:
                return "float", [rest]
            num, den = _mul_parts(expr)
            return len(num), num + den
        if isinstance(expr, (sp.floor, sp.ceiling)):
            ratio = _integer_ratio(expr.args[0])
            if ratio is not None:
                return "ratio", list(ratio)
            return None, [expr.args[0]]
        if isinstance(expr, sp.Pow):
            exp = expr.exp
            if isinstance(exp, sp.Rational) and not isinstance(exp, sp.Integer):
                raise TypeError(f"from_sympy: unsupported sympy Pow with a fractional exponent: {expr}")
            if isinstance(exp, sp.Integer) and exp < 0:
                return "reciprocal", [expr.base if exp == -1 else sp.Pow(expr.base, -exp)]
            return None, [expr.base, exp]
        if isinstance(expr, sp.Add):
            return None, _numbers_last(list(expr.args))
        if isinstance(expr, sp.Piecewise):
            return None, [part for pair in expr.args for part in pair]
        if isinstance(expr, sp.Basic) and not expr.is_Atom:
            return None, list(expr.args)
        return None, []

    def combine(self, expr: Any, tag: object, args: list[Any]) -> Any:
        sp = self.sympy
        if expr.is_Atom:
            return self.atom(expr)
        if isinstance(expr, sp.Add):
            total = args[0]
            for a in args[1:]:
                total = total + a
            return total
        if isinstance(expr, sp.Mul):
            if tag == "float":
                (value,) = args
                return sym_float(value) if isinstance(value, SymInt) else value
            assert isinstance(tag, int)
            num = _product(args[:tag]) if tag else self.const(1)
            return num / _product(args[tag:]) if len(args) > tag else num
        if isinstance(expr, sp.Pow):
            return 1 / args[0] if tag == "reciprocal" else args[0] ** args[1]
        if isinstance(expr, sp.Mod):
            return args[0] % args[1]
        if isinstance(expr, sp.floor):
            return args[0] // args[1] if tag == "ratio" else math.floor(args[0])
        if isinstance(expr, sp.ceiling):
            return -(-args[0] // args[1]) if tag == "ratio" else math.ceil(args[0])
        if isinstance(expr, sp.Min):
            return sym_min(*args) if len(args) > 1 else args[0]
        if isinstance(expr, sp.Max):
            return sym_max(*args) if len(args) > 1 else args[0]
        if isinstance(expr, sp.Abs):
            return abs(args[0])
        relations: list[tuple[Any, Callable[[Any, Any], Any]]] = [
            (sp.StrictLessThan, operator.lt),
            (sp.LessThan, operator.le),
            (sp.StrictGreaterThan, operator.gt),
            (sp.GreaterThan, operator.ge),
            (sp.Equality, operator.eq),
            (sp.Unequality, operator.ne),
        ]
        for cls, op in relations:
            if isinstance(expr, cls):
                return op(args[0], args[1])
        logic: list[tuple[Any, Callable[[Any, Any], Any]]] = [
            (sp.And, operator.and_),
            (sp.Or, operator.or_),
            (sp.Xor, operator.xor),
        ]
        for cls, op in logic:
            if isinstance(expr, cls):
                acc = args[0]
                for a in args[1:]:
                    acc = op(acc, a)
                return acc
        if isinstance(expr, sp.Not):
            return sym_not(args[0])
        if isinstance(expr, sp.Piecewise):
            return self.piecewise(expr, args)
        if isinstance(expr, sp.Function) and not isinstance(expr, (sp.floor, sp.ceiling)):
            name = type(expr).__name__
            if name in self.named:
                return self.named_function(name, expr, args)
        raise TypeError(f"from_sympy: unsupported sympy construct {type(expr).__name__}: {expr}")

    def atom(self, expr: Any) -> Any:
        sp = self.sympy
        if isinstance(expr, sp.Symbol):
            return self.symbol(expr.name)
        if isinstance(expr, sp.Integer):
            return self.const(int(expr))
        if isinstance(expr, sp.Rational):
            return self.const(int(expr.p)) / int(expr.q)
        if isinstance(expr, sp.Float):
            return self.const(float(expr))
        if expr is sp.true or expr is sp.false:
            return self.const(bool(expr))
        if expr is sp.oo:
            return self.const(math.inf)
        if expr is sp.S.NegativeInfinity:
            return self.const(-math.inf)
        if expr is sp.nan:
            return self.const(math.nan)
        raise TypeError(f"from_sympy: unsupported sympy construct {type(expr).__name__}: {expr}")

    def piecewise(self, expr: Any, args: list[Any]) -> Any:
        pairs = list(zip(args[0::2], args[1::2]))
        if expr.args[-1].cond is not self.sympy.true:
            raise TypeError(f"from_sympy: unsupported Piecewise without a final (expr, True) piece: {expr}")
        acc = pairs[-1][0]
        for value, cond in reversed(pairs[:-1]):
            acc = sym_ite(cond, value, acc)
        return acc

    def named_function(self, name: str, expr: Any, args: list[Any]) -> Any:
        binary: dict[str, Callable[[Any, Any], Any]] = {
            "BitAnd": operator.and_,
            "BitOr": operator.or_,
            "BitXor": operator.xor,
            "LShift": operator.lshift,
            "RShift": operator.rshift,
        }
        arity = {"PyTrunc": (1,), "PyInt": (1,), "PyRound": (1, 2), "PyPowMod": (3,), "BitNot": (1,)}
        if len(args) not in arity.get(name, (2,)):
            raise TypeError(f"from_sympy: {name} with {len(args)} arguments is unsupported: {expr}")
        if name in binary:
            return binary[name](args[0], args[1])
        if name == "PyTrunc":
            return math.trunc(args[0])
        if name == "PyInt":
            return sym_int(args[0])
        if name == "PyRound":
            return builtins.round(args[0], args[1]) if len(args) == 2 else builtins.round(args[0])
        if name == "PyPowMod":
            return builtins.pow(args[0], args[1], args[2])
        return ~args[0]  # BitNot


def _product(values: list[Any]) -> Any:
    acc = values[0]
    for v in values[1:]:
        acc = acc * v
    return acc


def from_sympy(expr: Any, env: ShapeEnv) -> SymValue:
    """Converts a sympy expression to a symcore value of ``env``.

    Accepts every form :func:`to_sympy` produces, and plain sympy: ``Integer``, ``Rational``,
    ``Float``, ``oo``/``nan``, ``Add``, ``Mul``, ``Pow`` with an integer (or ``Float``) exponent,
    ``Min``, ``Max``, ``Abs``, ``floor``, ``ceiling``, ``Mod``, the relations, ``And``, ``Or``,
    ``Not``, ``Xor``, ``Piecewise`` ending in a ``(value, True)`` piece, ``true``/``false`` and the
    functions of :func:`sympy_functions` (by name). Nothing is evaluated as code.

    Args:
        expr: A sympy expression (``sympy.Basic``).
        env: The environment whose symbols the expression's symbols name.

    Returns:
        A ``SymInt``, ``SymFloat`` or ``SymBool`` (constants included), built with symcore's
        operators, so it is canonicalised as any other symcore value.

    Raises:
        SymbolError: A symbol that ``env`` does not have (the message names it).
        TypeError: ``expr`` is not a sympy expression, or uses a construct symcore cannot express
            (the message names it, e.g. ``sin``).
        ValueError: The expression is too deeply nested for sympy's own queries.
        ImportError: sympy is not installed.

    Examples:
        >>> import sympy, symcore
        >>> env = symcore.ShapeEnv()
        >>> n = env.symint("n", hint=5)
        >>> s = sympy.Symbol("n", integer=True)
        >>> print(from_sympy(sympy.Mod(s, 4) + sympy.floor(s / 4), env))
        n % 4 + n // 4
    """
    sympy = _sympy()
    if not isinstance(expr, sympy.Basic):
        raise TypeError(f"from_sympy expects a sympy expression, got {type(expr).__name__}: {expr!r}")
    if not isinstance(env, ShapeEnv):
        raise TypeError(f"from_sympy expects a symcore.ShapeEnv, got {type(env).__name__}")
    conv = _FromSympy(env)
    memo: dict[Hashable, Any] = {}
    try:
        result = _postorder(expr, conv.expand, conv.combine, memo)
    except RecursionError as exc:
        raise ValueError("from_sympy: expression too deeply nested for sympy's queries") from exc
    if isinstance(result, _SYM_TYPES):
        return result
    return env.constant(result)
