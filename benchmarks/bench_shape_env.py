"""Benchmark: ShapeEnv's proofs, guard recording and guard checks against sympy (and symengine).

Run ``python benchmarks/bench_shape_env.py`` (``--quick`` for a CI smoke run of a few seconds,
``--json PATH`` to also write the results). Prints the machine facts and three tables measured in
this run; performance misses are reported, never fatal. The exit status is 1 only when a library
claims a false fact (an UNSOUND answer, printed loudly) or two sides disagree on what a fact or a
guard function means; 0 otherwise.

1. **Proofs.** A battery of shape facts over sizes ``a``, ``b``, ``c`` (integers >= 1) and ``d``
   (an integer >= 2), each written once as Python source (``FACTS``) and evaluated in four
   namespaces: plain ints (the ground truth, checked over a grid of values), symcore symbols
   (``env.symint(name, hint, min=1)``, ``min=2`` for ``d``), sympy symbols
   (``Symbol(name, integer=True, positive=True)``) and symengine symbols (no assumptions exist in
   symengine). ``//`` and ``%`` on sympy symbols build ``floor(x/y)`` and ``Mod(x, y)``, the forms
   ``symcore.to_sympy`` produces; ``max``/``min`` are ``sympy.Max``/``sympy.Min``. sympy and
   symengine have no ``>= 2`` assumption, so on their side ``d`` is ``d_ + 1`` with ``d_`` a
   positive integer (the usual encoding, the most favourable to them).

   Each fact is one comparison ``L op R``. symcore: ``L``, ``R`` and the ``SymBool`` are built
   before timing, and only ``env.statically_known_true(fact)`` is timed. (symcore canonicalises
   while building, so some facts are already the constant ``True`` when built: the table says
   ``yes (folded)``; the summary also gives the median of "compare + ask" from prebuilt ``L`` and
   ``R``.) sympy: ``L`` and ``R`` are prebuilt; a fact is proved ``auto`` if constructing the
   relational (``sympy.Ge(L, R)``, ...) evaluates to ``sympy.true``, else ``simplify`` if
   ``sympy.simplify(rel) is sympy.true``; the time reported is that of the method that answered
   (construct, or construct + simplify), and of construct + simplify when neither did. symengine:
   proved when its relational auto-evaluates to true (its only decision procedure); not timed.

   We do not build the sympy side with ``symcore.to_sympy(fact)``: it prints the already
   canonicalised ``SymBool`` (a fact symcore folded at build time reaches sympy as ``True``) and its
   symbols are not positive. ``to_sympy`` is used as a cross-check instead: its output must agree
   with the ground truth at sample points, as must symcore's, sympy's and symengine's own facts.

   Soundness: every fact marked true holds on the grid (else the harness aborts), every fact marked
   false is contingent: the grid has both a counterexample and a satisfying binding. A library
   proving a fact that has a counterexample, or disproving (symcore's ``statically_known_false``,
   a sympy or symengine relational that evaluates to false) a fact that has a satisfying binding,
   is reported as UNSOUND.

2. **Guard recording.** ``bool(x > k)`` on fresh facts: symcore records a guard when ``bool()`` is
   called on a symbolic ``SymBool`` (a fresh ``ShapeEnv`` per batch, the facts built before
   timing), in batches of 20 facts (a small trace) and of 600 (``--quick``: 60). The facts are
   chosen so that none is decided by the ranges or implied by the others (see ``GUARD_EXPRS``):
   every one must be recorded, and the table shows how many were. Against it, what a sympy-based
   shape env does with a prebuilt relational: substitute the hints (``rel.xreplace(hints)``), read
   the truth value, append ``rel`` or ``Not(rel)`` to a list deduplicated with a set; a second
   sympy row also runs ``sympy.simplify`` on the recorded relational. symcore's hook first tries
   to decide the fact from the ranges and the guards recorded so far, which the sympy rows do not,
   so they are a lower bound for a real sympy shape env.

3. **Guard checks.** ``env.guard_fn()`` for 20 guards and for 38 guards over 5 symbols (plus the
   symbols' range checks, which ``guard_fn`` includes): µs per call through ``GuardFn.__call__``
   (positional arguments), its raw ``.positional`` function and a mapping, against
   ``sympy.lambdify`` of the conjunction of the same guards (each translated by
   ``symcore.to_sympy``, plus the same range conditions) called with the same values, once with
   lambdify's default modules (math + mpmath: rational coefficients such as ``floor(a/8 + 7/8)``
   become ``mpf`` arithmetic) and once with ``modules="math"`` (plain Python floats: fast, but
   ``floor((1/8)*a + 7/8)`` is float arithmetic, exact only while sizes are small). The values
   are the hints, which pass every guard, so every condition is evaluated. Checked first: on every
   tuple of the box ``1..2*hint`` per symbol (``--quick``: ``hint/2..3*hint/2``), ``guard_fn``
   must accept exactly the tuples that satisfy the symbols' ranges and every fact ``bool()`` was
   asked about, with the truth value it answered (evaluated on plain ints; accepting more is
   UNSOUND: a trace reused for inputs it is wrong for; rejecting more is reported as stricter);
   and on random tuples plus up to 1,000 accepted ones, both lambdify functions must agree with
   ``guard_fn``. Also timed once each: recording the guards, the first ``env.guard_fn()``
   (``produce_guards`` + compile) and sympy's translation + ``lambdify``. Target: under 1 µs per
   call for 20 guards.

Timing is bench_arith's: every cell calibrates its loop count like ``timeit.Timer.autorange``
(the calibrating run counts as the first repeat) and reports the minimum over repeats (the
robust statistic on a shared, noisy machine); the untimed first run warms caches (sympy's
included: its times are warm-cache times, the most favourable to it). Batches of fresh facts
(section 2) are timed with ``time.perf_counter`` and the minimum per-fact time over batches is
reported.
"""

from __future__ import annotations

import argparse
import ast
import datetime
import hashlib
import itertools
import json
import math
import operator
import os
import random
import statistics
import sys
import time
import timeit
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import symengine
import sympy

import symcore
from bench_arith import _describe, machine_facts  # the script's directory is on sys.path

# --- the facts --------------------------------------------------------------------------------

# name -> (hint, lower bound). Hints are never used by a proof; they only matter for guards.
SYMBOLS = {"a": (5, 1), "b": (7, 1), "c": (3, 1), "d": (4, 2)}


@dataclass(frozen=True)
class Fact:
    """One comparison, as Python source over ``a``, ``b``, ``c``, ``d``, ``max``, ``min``, ``abs``."""

    source: str
    true: bool = True  # False: true for some sizes and false for others; nobody may claim either


FACTS = (
    # Required by the issue (sizes a, b >= 1).
    Fact("a*b >= a"),
    Fact("a//2 <= a"),
    Fact("2*(a//2) + a%2 == a"),
    Fact("(a+b)%b == a%b"),
    Fact("(a*b)//b == a"),
    Fact("((a+10)**2) % (a+10) == 0"),
    Fact("(4*a+3)//4 == a"),
    Fact("max(a,b) >= a"),
    Fact("a%b < b"),
    Fact("(a//b)*b <= a"),
    Fact("(8*a) % 8 == 0"),
    Fact("(a // 2) * 2 <= a"),
    Fact("a*b*c >= b"),
    Fact("(a+7)//8*8 >= a"),
    Fact("-(-a//8) * 8 >= a"),
    Fact("a*b % a == 0"),
    Fact("min(a,b) <= max(a,b)"),
    Fact("abs(a-b) >= 0"),
    Fact("a + b > a"),
    Fact("(a*b + a) // a == b + 1"),
    Fact("a**2 >= a"),
    Fact("(a - 1)//a == 0"),
    Fact("a*8 // 4 == 2*a"),
    Fact("(a%4) < 4"),
    Fact("(a % 8) % 4 == a % 4"),
    # Conv / pool output sizes: (in + 2*pad - kernel) // stride + 1.
    Fact("(a + 2*1 - 3)//1 + 1 >= 1"),
    Fact("(a + 2*1 - 3)//2 + 1 >= 1"),
    Fact("(a + 2*1 - 3)//2 + 1 <= a"),
    Fact("(a - 2)//2 + 1 >= 0"),
    # Reshape / flatten / ceil-div / broadcasting arithmetic.
    Fact("(a*b*c) // (b*c) == a"),
    Fact("(a*b*c) % (b*c) == 0"),
    Fact("a*b >= a + b - 1"),
    Fact("(a + b) // 2 <= max(a, b)"),
    Fact("min(a, b) * 2 <= a + b"),
    Fact("a % b <= a"),
    Fact("(a + b - 1)//b >= 1"),
    Fact("(a + b - 1)//b <= a"),
    Fact("a*b - a >= 0"),
    # d >= 2.
    Fact("a//d < a"),
    Fact("a*d >= 2*a"),
    Fact("(a + d - 1)//d <= a"),
    Fact("a % d < d"),
    Fact("d*d > d"),
    Fact("a // d <= a // 2"),
    Fact("(a*d) // d == a"),
    # True for some sizes and false for others: nobody may claim these. The first four are the
    # classic ones; the rest are off-by-one traps next to true facts above (true if every size were
    # >= 2, or if d could be 1, or if the bound were strict the other way).
    Fact("a >= b", true=False),
    Fact("a % 2 == 0", true=False),
    Fact("a*b > a", true=False),
    Fact("(a + 1)//2*2 == a", true=False),
    Fact("a*b >= a + b", true=False),
    Fact("a % b < a", true=False),
    Fact("abs(a - b) > 0", true=False),
    Fact("(a + b - 1)//b == a//b + 1", true=False),
    Fact("a // d < a // 2", true=False),
    Fact("a % d < d - 1", true=False),
)

_RELATIONS: dict[type[ast.cmpop], tuple[Callable[[Any, Any], Any], str]] = {
    ast.Lt: (operator.lt, "Lt"),
    ast.LtE: (operator.le, "Le"),
    ast.Gt: (operator.gt, "Gt"),
    ast.GtE: (operator.ge, "Ge"),
    ast.Eq: (operator.eq, "Eq"),
    ast.NotEq: (operator.ne, "Ne"),
}


@dataclass(frozen=True)
class Parsed:
    """A fact split into its sides: ``left``/``right`` are source text, ``op`` a Python operator
    (ints and symcore), ``rel`` the name of the sympy/symengine relational class."""

    left: str
    right: str
    op: Callable[[Any, Any], Any]
    rel: str
    symbols: tuple[str, ...]


def parse_fact(fact: Fact) -> Parsed:
    tree = ast.parse(fact.source, mode="eval").body
    if not isinstance(tree, ast.Compare) or len(tree.ops) != 1 or type(tree.ops[0]) not in _RELATIONS:
        raise ValueError(f"a fact is one comparison: {fact.source!r}")
    op, rel = _RELATIONS[type(tree.ops[0])]
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} & SYMBOLS.keys()
    return Parsed(ast.unparse(tree.left), ast.unparse(tree.comparators[0]), op, rel, tuple(sorted(names)))


def int_namespace(values: dict[str, int]) -> dict[str, Any]:
    return {"__builtins__": {}, "max": max, "min": min, "abs": abs, **values}


def grid(names: tuple[str, ...], top: int) -> Iterator[dict[str, int]]:
    """Every binding of ``names`` with each value from its lower bound to ``top``."""
    ranges = [range(SYMBOLS[n][1], top + 1) for n in names]
    for values in itertools.product(*ranges):
        yield dict(zip(names, values))


def ground_truth(fact: Fact, parsed: Parsed, top: int) -> tuple[dict[str, int] | None, dict[str, int] | None]:
    """``(counterexample, witness)``: the first binding on the grid making ``fact`` false, and the
    first making it true (None when there is none)."""
    code = compile(fact.source, "<fact>", "eval")
    found: dict[bool, dict[str, int]] = {}
    for binding in grid(parsed.symbols, top):
        found.setdefault(bool(eval(code, int_namespace(binding))), binding)
        if len(found) == 2:
            break
    return found.get(False), found.get(True)


def sample_points(parsed: Parsed, count: int) -> list[dict[str, int]]:
    """A few bindings for the (costlier) symbolic evaluation checks: small values and the hints."""
    rng = random.Random(parsed.left + parsed.right)
    points = [{n: SYMBOLS[n][1] for n in parsed.symbols}, {n: SYMBOLS[n][0] for n in parsed.symbols}]
    while len(points) < count:
        points.append({n: rng.randint(SYMBOLS[n][1], 13) for n in parsed.symbols})
    return points


# --- the libraries' namespaces ----------------------------------------------------------------


@dataclass
class Sides:
    """The symbols of one library, and how to build and read a fact with them."""

    namespace: dict[str, Any]
    # ``{name: int}`` -> the library's substitution giving the benchmark's symbols those values
    substitution: Callable[[dict[str, int]], Any]


def symcore_sides(env: symcore.ShapeEnv) -> Sides:
    ns: dict[str, Any] = {"__builtins__": {}, "max": symcore.sym_max, "min": symcore.sym_min, "abs": abs}
    for name, (hint, lo) in SYMBOLS.items():
        ns[name] = env.symint(name, hint, min=lo)
    return Sides(ns, dict)


def sympy_sides() -> Sides:
    ns: dict[str, Any] = {"__builtins__": {}, "max": sympy.Max, "min": sympy.Min, "abs": sympy.Abs}
    raw: dict[str, Any] = {}
    for name, (_, lo) in SYMBOLS.items():
        if lo == 1:
            raw[name] = sympy.Symbol(name, integer=True, positive=True)
            ns[name] = raw[name]
        else:  # lo >= 2: name = name_ + (lo - 1), name_ a positive integer
            raw[name] = sympy.Symbol(f"{name}_", integer=True, positive=True)
            ns[name] = raw[name] + (lo - 1)

    def subst(values: dict[str, int]) -> dict[Any, Any]:
        return {raw[n]: v - (SYMBOLS[n][1] - 1) for n, v in values.items()}

    return Sides(ns, subst)


def symengine_sides() -> Sides:
    ns: dict[str, Any] = {"__builtins__": {}, "max": symengine.Max, "min": symengine.Min, "abs": abs}
    raw: dict[str, Any] = {}
    for name, (_, lo) in SYMBOLS.items():
        raw[name] = symengine.Symbol(name if lo == 1 else f"{name}_")
        ns[name] = raw[name] if lo == 1 else raw[name] + (lo - 1)

    def subst(values: dict[str, int]) -> dict[Any, Any]:
        return {raw[n]: v - (SYMBOLS[n][1] - 1) for n, v in values.items()}

    return Sides(ns, subst)


def sympy_subst_by_name(expr: Any, values: dict[str, int]) -> Any:
    """``expr`` (from ``to_sympy``: symbols ``integer=True``) with symbols replaced by name."""
    return expr.xreplace({s: sympy.Integer(values[s.name]) for s in expr.free_symbols})


# --- timing -----------------------------------------------------------------------------------


def time_stmt(stmt: str, bindings: dict[str, Any], repeat: int, target_s: float, *, warm: bool = True) -> float:
    """Seconds per execution of ``stmt``, with ``bindings`` as locals: bench_arith's method (one
    untimed run unless ``warm=False`` says the caller just ran it; loop counts 1, 2, 5, 10, ... as
    ``timeit.Timer.autorange`` until one takes ``target_s``), minimum over ``repeat`` samples. The
    calibrating loop is the first sample, so a statement slower than ``target_s`` (a sympy
    ``simplify``) runs only ``repeat`` times."""
    setup = "; ".join(f"{k} = _{k}" for k in bindings) or "pass"
    namespace = {f"_{k}": v for k, v in bindings.items()}
    if warm:
        exec(f"{setup}\n{stmt}", dict(namespace))
    timer = timeit.Timer(stmt, setup=setup, globals=namespace)
    for number in (m * 10**e for e in itertools.count() for m in (1, 2, 5)):
        elapsed = timer.timeit(number)
        if elapsed >= target_s:
            break
    samples = [elapsed, *timer.repeat(repeat=repeat - 1, number=number)] if repeat > 1 else [elapsed]
    return min(samples) / number


# --- 1. proofs --------------------------------------------------------------------------------

SYMPY_TRUE = sympy.true
SYMPY_FALSE = sympy.false
SYMENGINE_TRUE = type(symengine.true)
SYMENGINE_FALSE = type(symengine.false)


@dataclass
class ProofRow:
    fact: Fact
    counterexample: dict[str, int] | None = None
    witness: dict[str, int] | None = None
    symcore: str = "no"  # yes / yes (folded) / no / DISPROVED / ERROR
    symcore_us: float | None = None
    symcore_compare_us: float | None = None  # compare prebuilt sides + ask
    symcore_first_us: float | None = None  # the first question, one shot
    symcore_error: str | None = None
    sympy: str = "no"  # yes / no / DISPROVED / ERROR
    sympy_method: str = "-"  # auto / simplify / -
    sympy_us: float | None = None
    sympy_first_us: float | None = None  # the first construction (+ simplify), one shot
    sympy_error: str | None = None
    symengine: str = "no"
    symengine_error: str | None = None
    unsound: list[str] = field(default_factory=list)
    unsound_libs: set[str] = field(default_factory=set)
    mismatches: list[str] = field(default_factory=list)

    @property
    def speedup(self) -> float | None:
        if self.sympy_us is None or self.symcore_us is None or self.symcore_us <= 0:
            return None
        return self.sympy_us / self.symcore_us


def _short(exc: BaseException) -> str:
    text = _describe(exc).replace("\n", " ")
    return text if len(text) <= 70 else text[:67] + "..."


def check_meaning(row: ProofRow, parsed: Parsed, env: symcore.ShapeEnv, built: dict[str, Any], points: int) -> None:
    """Every side's fact must have the ground truth's value at sample points; records mismatches."""
    code = compile(row.fact.source, "<fact>", "eval")
    for values in sample_points(parsed, points):
        want = bool(eval(code, int_namespace(values)))
        got: dict[str, Any] = {}
        try:
            if "symcore" in built:
                got["symcore"] = env.evaluate(built["symcore"], values)
            if "to_sympy" in built:
                got["to_sympy(symcore)"] = sympy_subst_by_name(built["to_sympy"], values)
            if "sympy" in built:
                got["sympy"] = built["sympy"].xreplace(built["sympy_subst"](values))
            if "symengine" in built:
                got["symengine"] = built["symengine"].subs(built["symengine_subst"](values))
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:
            row.mismatches.append(f"evaluating at {values}: {_short(exc)}")
            continue
        for side, value in got.items():
            if value not in (True, False, SYMPY_TRUE, SYMPY_FALSE) and not isinstance(
                value, (SYMENGINE_TRUE, SYMENGINE_FALSE)
            ):
                row.mismatches.append(f"{side} at {values} does not evaluate to a truth value: {value}")
            elif bool(value) != want:
                row.mismatches.append(f"{side} at {values} is {bool(value)}, plain ints give {want}")


def prove_all(repeat: int, target_s: float, grid_top: int, points: int, sympy_once: bool = False) -> list[ProofRow]:
    """The proof table's rows. ``sympy_once`` (``--quick``): time sympy's ``simplify`` by its first
    call alone (cold caches) instead of calibrated repeats."""
    env = symcore.ShapeEnv()
    sc, sp, se = symcore_sides(env), sympy_sides(), symengine_sides()
    skt = env.statically_known_true
    rows = []
    for fact in FACTS:
        row = ProofRow(fact)
        parsed = parse_fact(fact)
        row.counterexample, row.witness = ground_truth(fact, parsed, grid_top)
        if fact.true and row.counterexample is not None:
            raise AssertionError(f"harness bug: fact {fact.source!r} is false at {row.counterexample}")
        if not fact.true and (row.counterexample is None or row.witness is None):
            raise AssertionError(f"harness bug: 'false' fact {fact.source!r} is not contingent on the grid")
        built: dict[str, Any] = {}

        # symcore: build outside the timed region, time only the question.
        try:
            left, right = eval(parsed.left, sc.namespace), eval(parsed.right, sc.namespace)
            x = parsed.op(left, right)
            built["symcore"] = x
            built["to_sympy"] = symcore.to_sympy(x)
            start = time.perf_counter()
            proved = skt(x)
            row.symcore_first_us = (time.perf_counter() - start) * 1e6
            row.symcore_us = time_stmt("skt(x)", {"skt": skt, "x": x}, repeat, target_s) * 1e6
            row.symcore_compare_us = (
                time_stmt("skt(op(l, r))", {"skt": skt, "op": parsed.op, "l": left, "r": right}, repeat, target_s) * 1e6
            )
            disproved = env.statically_known_false(x)
            if proved:
                row.symcore = "yes (folded)" if x.is_constant else "yes"
            elif disproved:
                row.symcore = "DISPROVED"
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:
            row.symcore, row.symcore_error = "ERROR", _short(exc)

        # sympy: sides prebuilt; time the relational construction (+ simplify when needed).
        try:
            left, right = eval(parsed.left, sp.namespace), eval(parsed.right, sp.namespace)
            rel_cls = getattr(sympy, parsed.rel)
            start = time.perf_counter()
            rel = rel_cls(left, right)
            first = time.perf_counter() - start
            built["sympy"], built["sympy_subst"] = rel, sp.substitution
            bindings = {"Rel": rel_cls, "l": left, "r": right, "simplify": sympy.simplify}
            if rel is SYMPY_TRUE:
                row.sympy, row.sympy_method = "yes", "auto"
                row.sympy_us = time_stmt("Rel(l, r)", bindings, repeat, target_s) * 1e6
            else:
                start = time.perf_counter()
                simplified = sympy.simplify(rel_cls(left, right))  # the answer; also the warm-up run
                once = time.perf_counter() - start
                first += once
                if not sympy_once:
                    once = time_stmt("simplify(Rel(l, r))", bindings, repeat, target_s, warm=False)
                row.sympy_us = once * 1e6
                if simplified is SYMPY_TRUE:
                    row.sympy, row.sympy_method = "yes", "simplify"
                elif rel is SYMPY_FALSE or simplified is SYMPY_FALSE:
                    row.sympy, row.sympy_method = "DISPROVED", "auto" if rel is SYMPY_FALSE else "simplify"
            row.sympy_first_us = first * 1e6
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:
            row.sympy, row.sympy_error = "ERROR", _short(exc)

        # symengine: only auto-evaluation.
        try:
            left, right = eval(parsed.left, se.namespace), eval(parsed.right, se.namespace)
            rel = getattr(symengine, parsed.rel)(left, right)
            built["symengine"], built["symengine_subst"] = rel, se.substitution
            if isinstance(rel, SYMENGINE_TRUE):
                row.symengine = "yes"
            elif isinstance(rel, SYMENGINE_FALSE):
                row.symengine = "DISPROVED"
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:
            row.symengine, row.symengine_error = "ERROR", _short(exc)

        for lib, answer in (("symcore", row.symcore), ("sympy", row.sympy), ("symengine", row.symengine)):
            if answer.startswith("yes") and row.counterexample is not None:
                row.unsound.append(f"{lib} proves it, but it is false at {row.counterexample}")
                row.unsound_libs.add(lib)
            if answer == "DISPROVED" and row.witness is not None:
                row.unsound.append(f"{lib} disproves it, but it is true at {row.witness}")
                row.unsound_libs.add(lib)
        check_meaning(row, parsed, env, built, points)
        rows.append(row)
    return rows


def _fmt_us(us: float | None) -> str:
    if us is None:
        return "-"
    return f"{us:,.0f}" if us >= 100 else f"{us:.2f}" if us < 10 else f"{us:.1f}"


def _fmt_ratio(ratio: float | None) -> str:
    return "-" if ratio is None else f"{ratio:,.1f}x" if ratio < 100 else f"{ratio:,.0f}x"


def render(header: list[str], body: list[list[str]], left_cols: int = 1) -> str:
    widths = [max(len(line[i]) for line in [header, *body]) for i in range(len(header))]

    def fmt(line: list[str]) -> str:
        return "  ".join(
            cell.ljust(w) if i < left_cols else cell.rjust(w) for i, (cell, w) in enumerate(zip(line, widths))
        ).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([fmt(header), rule, *(fmt(line) for line in body)])


def _verdict(row: ProofRow, lib: str) -> str:
    answer = getattr(row, lib)
    return f"UNSOUND {answer}" if lib in row.unsound_libs else answer


def render_proofs(rows: list[ProofRow]) -> str:
    header = ["fact", "symcore proved?", "symcore µs", "sympy proved? (method)", "sympy µs", "symengine proved?"]
    header.append("speed-up")
    body = []
    for row in rows:
        name = row.fact.source if row.fact.true else f"[false] {row.fact.source}"
        sympy_answer = _verdict(row, "sympy")
        if row.sympy_method != "-" or row.sympy.startswith("yes"):
            sympy_answer += f" ({row.sympy_method})"
        body.append(
            [
                name,
                _verdict(row, "symcore"),
                _fmt_us(row.symcore_us),
                sympy_answer,
                _fmt_us(row.sympy_us),
                _verdict(row, "symengine"),
                _fmt_ratio(row.speedup),
            ]
        )
    return render(header, body, left_cols=2)


def _median(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def proof_summary(rows: list[ProofRow]) -> dict[str, Any]:
    true_rows = [r for r in rows if r.fact.true]

    def proved(lib: str) -> list[str]:
        return [r.fact.source for r in true_rows if getattr(r, lib).startswith("yes")]

    by = {lib: proved(lib) for lib in ("symcore", "sympy", "symengine")}
    med_symcore = _median([r.symcore_us for r in rows])
    auto = [r for r in true_rows if r.sympy == "yes" and r.sympy_method == "auto"]
    med_sympy = _median([r.sympy_us for r in rows])
    return {
        "true_facts": len(true_rows),
        "false_facts": len(rows) - len(true_rows),
        "median_ratio_on_facts_both_prove": _median(
            [r.speedup for r in true_rows if r.symcore.startswith("yes") and r.sympy.startswith("yes")]
        ),
        "proved": {lib: len(v) for lib, v in by.items()},
        "symcore_folded_at_build": [r.fact.source for r in true_rows if r.symcore == "yes (folded)"],
        "sympy_auto": sum(r.sympy_method == "auto" and r.sympy == "yes" for r in true_rows),
        "sympy_simplify": sum(r.sympy_method == "simplify" and r.sympy == "yes" for r in true_rows),
        "sympy_not_symcore": [f for f in by["sympy"] if f not in by["symcore"]],
        "symengine_not_symcore": [f for f in by["symengine"] if f not in by["symcore"]],
        "symcore_not_sympy": [f for f in by["symcore"] if f not in by["sympy"]],
        "not_proved_by_anyone": [r.fact.source for r in true_rows if not any(r.fact.source in v for v in by.values())],
        "median_us": {
            "symcore": med_symcore,
            "symcore_compare_and_ask": _median([r.symcore_compare_us for r in rows]),
            "sympy": med_sympy,
            "symcore_first_call": _median([r.symcore_first_us for r in rows]),
            "sympy_first_call": _median([r.sympy_first_us for r in rows]),
        },
        "sympy_auto_facts_median_us": {
            "symcore": _median([r.symcore_us for r in auto]),
            "sympy_warm": _median([r.sympy_us for r in auto]),
            "sympy_first_call": _median([r.sympy_first_us for r in auto]),
        },
        "median_ratio_sympy_over_symcore": None if not med_symcore or med_sympy is None else med_sympy / med_symcore,
        "unsound": [f"{r.fact.source}: {u}" for r in rows for u in r.unsound],
        "errors": [
            f"{r.fact.source} [{lib}]: {err}"
            for r in rows
            for lib, err in (("symcore", r.symcore_error), ("sympy", r.sympy_error), ("symengine", r.symengine_error))
            if err
        ],
        "mismatches": [f"{r.fact.source}: {m}" for r in rows for m in r.mismatches],
    }


def render_proof_summary(s: dict[str, Any]) -> str:
    n = s["true_facts"]
    auto = s["sympy_auto_facts_median_us"]
    len_all = n + s["false_facts"]
    med = s["median_us"]

    def listing(items: list[str]) -> str:
        return " none" if not items else "".join(f"\n      {f}" for f in items)

    lines = [
        f"true facts: {n}; false facts (must not be proved): {s['false_facts']}",
        f"  proved by symcore:   {s['proved']['symcore']}/{n} ({len(s['symcore_folded_at_build'])} already "
        "folded to True when built)",
        f"  proved by sympy:     {s['proved']['sympy']}/{n} ({s['sympy_auto']} auto, {s['sympy_simplify']} simplify)",
        f"  proved by symengine: {s['proved']['symengine']}/{n} (auto-evaluation only)",
        f"  sympy proves, symcore does not:{listing(s['sympy_not_symcore'])}",
        f"  symengine proves, symcore does not:{listing(s['symengine_not_symcore'])}",
        f"  symcore proves, sympy does not:{listing(s['symcore_not_sympy'])}",
        f"  proved by nobody:{listing(s['not_proved_by_anyone'])}",
        f"  median per fact (all {len_all} facts, proved or not): symcore {_fmt_us(med['symcore'])} µs (ask only), "
        f"{_fmt_us(med['symcore_compare_and_ask'])} µs (compare + ask); sympy {_fmt_us(med['sympy'])} µs",
        f"  ratio of the medians, sympy/symcore: {_fmt_ratio(s['median_ratio_sympy_over_symcore'])}; median speed-up "
        f"over the facts both prove: {_fmt_ratio(s['median_ratio_on_facts_both_prove'])}",
        f"  first call of each question (one shot): median symcore "
        f"{_fmt_us(med['symcore_first_call'])} µs, sympy {_fmt_us(med['sympy_first_call'])} µs",
        f"  on the {s['sympy_auto']} facts sympy's constructor decides: median symcore {_fmt_us(auto['symcore'])} µs; "
        f"sympy {_fmt_us(auto['sympy_warm'])} µs warm (cache hit), {_fmt_us(auto['sympy_first_call'])} µs first call",
    ]
    if s["unsound"]:
        lines.append("")
        lines.append("!" * 100)
        lines.append("!!! UNSOUND ANSWERS (a fact with a counterexample proved, or one with a witness disproved):")
        lines.extend(f"!!!   {u}" for u in s["unsound"])
        lines.append("!" * 100)
    else:
        lines.append("  soundness: no library proved a fact with a counterexample or disproved one with a witness")
    if s["errors"]:
        lines.append("  errors:")
        lines.extend(f"    {e}" for e in s["errors"])
    if s["mismatches"]:
        lines.append("  MEANING MISMATCHES (a side's fact is not the ground truth's):")
        lines.extend(f"    {m}" for m in s["mismatches"])
    return "\n".join(lines)


# --- 2. guard recording -----------------------------------------------------------------------

# Every expression has its own symbols, so a fact about one says nothing about another. The facts
# about one expression are ``x > k`` for increasing ``k`` far below its hint: all true at the hints,
# none decided by the ranges (``x`` can be any value from 3 up) and none implied by the earlier ones
# (``x = k`` satisfies them all). So every ``bool()`` must record a guard, also for a decision
# procedure that uses the guards recorded so far; deciding one without a guard would be unsound.
GUARD_EXPRS = ("p0", "p1*p2", "p3 + p4 + p5", "(p6*p7)//p8", "2*p9 + p10", "p11 % p12 + p13")
GUARD_SYMBOLS = tuple(f"p{i}" for i in range(14))
GUARD_HINT = 100_000  # every symbol's hint


@dataclass(frozen=True)
class RecordingRow:
    name: str
    seconds: float  # per fact
    batch: int
    recorded: int  # guards recorded in the fastest batch


def _guard_facts(ns: dict[str, Any], rel: Callable[[Any, Any], Any], batch: int, n: int) -> list[Any]:
    """``n`` facts ``x > k``; ``k`` starts at 3 and differs between batches (no cache hits)."""
    exprs = [eval(e, ns) for e in GUARD_EXPRS]
    per = -(-n // len(exprs))
    start = 3 + batch * per
    return [rel(exprs[i % len(exprs)], start + i // len(exprs)) for i in range(n)]


def record_symcore(batches: int, n: int) -> RecordingRow:
    best: tuple[float, int] | None = None
    for batch in range(batches):
        env = symcore.ShapeEnv()
        ns = {name: env.symint(name, GUARD_HINT, min=1) for name in GUARD_SYMBOLS}
        facts = _guard_facts(ns, operator.gt, batch, n)
        start = time.perf_counter()
        for f in facts:
            bool(f)
        elapsed = (time.perf_counter() - start) / n
        if best is None or elapsed < best[0]:
            best = (elapsed, len(env.guards))
    assert best is not None
    return RecordingRow(f"symcore  bool(x > k), fresh ShapeEnv per {n} facts", best[0], n, best[1])


def record_sympy(batches: int, n: int, simplify: bool) -> RecordingRow:
    syms = {name: sympy.Symbol(name, integer=True, positive=True) for name in GUARD_SYMBOLS}
    hints = {sym: sympy.Integer(GUARD_HINT) for sym in syms.values()}
    simp = sympy.simplify
    best: tuple[float, int] | None = None
    for batch in range(batches):
        facts = _guard_facts(dict(syms), sympy.Gt, batch, n)
        guards: list[Any] = []
        seen: set[Any] = set()
        start = time.perf_counter()
        for rel in facts:
            truth = bool(rel.xreplace(hints))
            g = rel if truth else sympy.Not(rel)
            if simplify:
                g = simp(g)
            if g not in seen:
                seen.add(g)
                guards.append(g)
        elapsed = (time.perf_counter() - start) / n
        if best is None or elapsed < best[0]:
            best = (elapsed, len(guards))
    assert best is not None
    name = "sympy    same + simplify(guard)" if simplify else "sympy    xreplace(hints) + Not + list/set dedup"
    return RecordingRow(name, best[0], n, best[1])


def guard_recording(batches: int, sizes: tuple[int, ...], n_simplify: int) -> list[RecordingRow]:
    rows = [record_symcore(batches, n) for n in sizes]
    rows.append(record_sympy(batches, sizes[-1], simplify=False))
    rows.append(record_sympy(batches, n_simplify, simplify=True))
    return rows


def recording_problems(rows: list[RecordingRow]) -> list[str]:
    return [
        f"{row.name}: recorded {row.recorded} guards for {row.batch} facts none of which is implied by the others "
        f"(UNSOUND if symcore decided the missing {row.batch - row.recorded} without a guard)"
        for row in rows
        if row.recorded != row.batch
    ]


def render_recording(rows: list[RecordingRow], batches: int) -> str:
    base = rows[0].seconds
    body = [
        [row.name, f"{row.recorded}/{row.batch}", _fmt_us(row.seconds * 1e6), _fmt_ratio(row.seconds / base)]
        for row in rows
    ]
    table = render(["recording one guard", "recorded", "µs per fact", "vs first row"], body)
    lines = [table, f"(min over {batches} batches; x in {', '.join(GUARD_EXPRS)}, every symbol's hint {GUARD_HINT:,})"]
    problems = recording_problems(rows)
    if problems:
        lines.append("!" * 100)
        lines.extend(f"!!! {p}" for p in problems)
        lines.append("!" * 100)
    return "\n".join(lines)


# --- 3. guard_fn ------------------------------------------------------------------------------

GUARD_FN_SYMBOLS = {"a": (8, 1), "b": (6, 1), "c": (3, 1), "d": (4, 1), "e": (16, 1)}

# Shape-code-like conditions; recorded with bool() in order until enough distinct guards exist.
GUARD_CANDIDATES = (
    # Inequalities and divisibility first: many value tuples satisfy the first 20, so the check of
    # guard_fn against the asked facts has tuples to accept as well as to reject.
    "a*b > 16",
    "a % 2 == 0",
    "b // 2 >= c",
    "a*b*c <= 4096",
    "(a + 7)//8 == 1",
    "e % 8 == 0",
    "a + b != c",
    "d*4 >= e",
    "a != b",
    "a > c",
    "b > c",
    "c < d",
    "e >= a",
    "b % c == 0",
    "(a*b) % 16 == 0",
    "e // 4 >= d",
    "a + b + c + d + e > 30",
    "e % a == 0",
    "b*c > a",
    "a*b*c*d*e > 10000",
    "b - c > 2",
    "(a + b) % 2 == 0",
    "a*e < 256",
    "a + 2*1 - 3 >= 4",
    "a*a >= e",
    "(a*b*e) // 100 > 7",
    "(b + c + d) * a > 100",
    "(a*d*e) % 64 == 0",
    "max(a*b, c*e) >= 48",
    "min(a + b, d*c) <= 12",
    # Equalities (specialisations), and conditions that mix them with the rest.
    "e // a == 2",
    "a*c == 24",
    "(b + 1)//2 == 3",
    "max(a, b) == a",
    "min(c, d) == c",
    "e - a == 8",
    "a*d == 2*e",
    "2*c == b",
    "a - d == d",
    "d*d == e",
    "(e + 3)//4 == d",
    "(a*b) // (c*d) == 4",
    "e // 8 == 2",
    "max(d, c) * 2 == a",
    "(c*d + 1) % 13 == 0",
    "(e - 3)//2 + 1 == 7",
    "b*d == 24",
    "c*e == 48",
    "(b*e) // 32 == 3",
    "e - b - c == 7",
    "(a*b + c) % 7 == 0",
    "(b*d + e) % 11 == 0",
    "(a*c + d*e) % 5 == 0",
    "(a + b*c*d) % 17 == 0",
    "(c*e - a) % 9 == 0",
    "(d*e + c) // (a + 1) == 7",
    "(b*b + c*c) % 5 == 0",
    "(e*e) // (a*b) == 5",
    "(a + e) % (c + d) == 3",
    "(b*e - c*d) % 13 == 0",
    "(a + c) % 4 == 3",
    "(b + d) % 3 == 1",
    "(a*e) % 7 == 2",
    "(b*c + d) // 3 == 7",
    "(a + b + c) // d == 4",
    "(e - c) % 6 == 1",
    "(a*b - e) // 5 == 6",
    "(c + e) % 11 == 8",
    "(b*e) % 19 == 1",
    "(a*d + b) % 23 == 15",
    "(d*e - b) % 29 == 0",
    "(a + 3*b) // (c + 1) == 6",
    "(e + 2*c) % 13 == 9",
    "(b*b*c) // (d + 1) == 21",
    "(a*c*e) % 31 == 12",
    "(d*d + b*c) // a == 4",
    "(e*b + a) % 37 == 29",
    "(c*c*c + a) % 41 == 35",
)


def _guard_namespace(env: symcore.ShapeEnv) -> dict[str, Any]:
    ns: dict[str, Any] = {"max": symcore.sym_max, "min": symcore.sym_min, "__builtins__": {}}
    for name, (hint, lo) in GUARD_FN_SYMBOLS.items():
        ns[name] = env.symint(name, hint, min=lo)
    return ns


def build_guard_env(target: int) -> tuple[symcore.ShapeEnv, list[tuple[str, bool]], list[str]]:
    """An env with at least ``target`` guards in ``produce_guards()`` (fewer if the candidates run
    out; one ``bool()`` can add more than one), the candidates asked with the answers ``bool()``
    gave, and the errors it raised on the way. A candidate that raises is dropped and the env
    rebuilt without it (after checking whether the failed env still records the next candidate)."""
    hints = ", ".join(f"{n}={h}" for n, (h, _) in GUARD_FN_SYMBOLS.items())
    errors: list[str] = []
    dropped: set[str] = set()
    while True:
        env = symcore.ShapeEnv()
        ns = _guard_namespace(env)
        candidates = [t for t in GUARD_CANDIDATES if t not in dropped]
        asked: list[tuple[str, bool]] = []
        failed = None
        # produce_guards() is costly, and never longer than the guards: ask it only when enough
        # guards could be kept.
        next_count = target
        for i, text in enumerate(candidates):
            if len(env.guards) >= next_count:
                kept = len(env.produce_guards())
                if kept >= target:
                    break
                next_count = len(env.guards) + target - kept
            try:
                asked.append((text, bool(eval(text, ns))))
            except (KeyboardInterrupt, SystemExit):
                raise
            except BaseException as exc:
                failed = (i, text, exc)
                break
        if failed is None:
            break
        i, text, exc = failed
        dropped.add(text)
        errors.append(f"bool({text}) at {hints}: {_describe(exc)}")
        if i + 1 < len(candidates):
            after = candidates[i + 1]
            try:
                bool(eval(after, ns))
                errors.append(f"  after it, the same env still records bool({after})")
            except (KeyboardInterrupt, SystemExit):
                raise
            except BaseException as exc2:
                errors.append(f"  after it, the same env fails on bool({after}) too: {_describe(exc2)}")
    if len(env.produce_guards()) < target:
        errors.append(f"only {len(env.produce_guards())} distinct guards from the candidates, wanted {target}")
    return env, asked, errors


def sympy_conditions(env: symcore.ShapeEnv) -> tuple[list[Any], list[Any], list[str]]:
    """The symbols, and the env's range conditions and guards in sympy, each guard translated by
    ``symcore.to_sympy`` from its recorded ``SymBool``. Also notes on guards that could only be
    found by parsing their text back, which can give a different expression: ``env.parse``
    canonicalises with what the env has learned, so a recorded ``a % 2 == 0`` parses to ``True``."""
    syms = [sympy.Symbol(n, integer=True) for n in env.symbols]
    conds: list[Any] = []
    for sym, (_, lo, hi) in zip(syms, env.symbols.values()):
        if lo is not None:
            conds.append(sympy.Ge(sym, lo))
        if hi is not None:
            conds.append(sympy.Le(sym, hi))
    recorded = {str(g.expr): g.expr for g in env.guards}
    notes = []
    for text in env.produce_guards():
        expr = recorded.get(text)
        if expr is None:
            expr = env.parse(text)
            notes.append(f"guard {text!r} is not a recorded guard's text; parsed back as {expr}")
        conds.append(symcore.to_sympy(expr))
    return syms, conds, notes


def sympy_guard_fns(env: symcore.ShapeEnv) -> tuple[dict[str, Callable[..., Any]], Any, list[str]]:
    """``lambdify`` of the conjunction of the env's guards and ranges: with the default modules
    (math + mpmath: rational coefficients become ``mpf``) and with ``modules="math"`` (plain
    floats: exact for small sizes only)."""
    syms, conds, notes = sympy_conditions(env)
    conj = sympy.And(*conds)
    fns = {
        "sympy lambdify(And(...)), default modules": sympy.lambdify(syms, conj),
        "sympy lambdify(And(...), modules='math')": sympy.lambdify(syms, conj, modules="math"),
    }
    return fns, conj, notes


def build_costs(asked: list[tuple[str, bool]]) -> list[tuple[str, float]]:
    """One-shot costs (seconds) of making the guard function from scratch: replaying the asked
    ``bool()`` calls in a fresh env, its first ``guard_fn()`` (``produce_guards`` + compile), and
    sympy's translation + ``lambdify``."""
    env = symcore.ShapeEnv()
    ns = _guard_namespace(env)
    facts = [eval(text, ns) for text, _ in asked]
    start = time.perf_counter()
    for f in facts:
        bool(f)
    recorded = time.perf_counter() - start
    start = time.perf_counter()
    env.guard_fn()
    built = time.perf_counter() - start
    start = time.perf_counter()
    syms, conds, _ = sympy_conditions(env)
    sympy.lambdify(syms, sympy.And(*conds), modules="math")
    lambdified = time.perf_counter() - start
    return [
        (f"symcore: the {len(asked)} bool() calls that record the guards", recorded),
        ("symcore: first env.guard_fn() (produce_guards + compile)", built),
        ("sympy:   to_sympy of each guard + And + lambdify(modules='math')", lambdified),
    ]


@dataclass
class GuardFnResult:
    requested: int
    errors: list[str]
    guards: int
    conditions: int
    rows: list[tuple[str, float]]
    build: list[tuple[str, float]]  # one-shot costs of making the function
    notes: list[str]
    box: str  # the value box checked exhaustively against the asked facts
    boxed: int  # tuples in it
    accepted: int  # tuples in it the asked facts accept
    agree_checked: int  # tuples compared with lambdify
    disagreements: list[str]  # guard_fn vs lambdify
    unsound: list[str]  # guard_fn accepts a tuple the recorded facts reject
    stricter: list[str]  # guard_fn rejects (or raises on) a tuple the recorded facts accept
    source_symcore: str
    sympy_conjunction: str


def guard_fn_bench(target: int, repeat: int, target_s: float, checks: int, full_box: bool) -> GuardFnResult:
    env, asked, errors = build_guard_env(target)
    fn = env.guard_fn()
    lams, conj, notes = sympy_guard_fns(env)
    hints = [h for h, _, _ in env.symbols.values()]
    lows = [lo for _, lo, _ in env.symbols.values()]
    names = list(env.symbols)
    asked_code = [(text, compile(text, "<guard>", "eval"), truth) for text, truth in asked]

    def outcome(f: Callable[..., Any], values: tuple[int, ...]) -> object:
        try:
            return bool(f(*values))
        except ArithmeticError as exc:
            return type(exc).__name__

    def violated(values: tuple[int, ...]) -> str | None:
        """The first range or asked fact that ``values`` violate (None: they satisfy them all)."""
        for name, v, lo in zip(names, values, lows):
            if lo is not None and v < lo:
                return f"{name} >= {lo}"
        ints = int_namespace(dict(zip(names, values)))
        for text, code, truth in asked_code:
            try:
                if bool(eval(code, ints)) != truth:
                    return text if truth else f"not ({text})"
            except ArithmeticError:
                return f"{text} (raises)"
        return None

    # guard_fn against the asked facts: every tuple of a box around the hints (both compiled to
    # Python functions, so a few hundred thousand tuples take a second or two).
    checks_src = " and ".join(
        [f"{n} >= {lo}" for n, lo in zip(names, lows) if lo is not None]
        + [f"(({text}) == {truth})" for text, truth in asked]
    )
    reference = eval(f"lambda {', '.join(names)}: bool({checks_src})", {"max": max, "min": min})
    box = [range(1, 2 * h + 1) for h in hints] if full_box else [range(max(1, h // 2), h + h // 2 + 1) for h in hints]
    unsound, stricter, accepted_tuples = [], [], []
    boxed = 0
    for values in itertools.product(*box):
        boxed += 1
        ours = outcome(fn, values)
        want = reference(*values)
        if want:
            accepted_tuples.append(values)
        if ours is True and not want:
            unsound.append(f"guard_fn accepts {dict(zip(names, values))}, which violate {violated(values)}")
        elif ours is not True and want:
            stricter.append(f"guard_fn gives {ours} for {dict(zip(names, values))}, which satisfy every asked fact")

    # guard_fn against both lambdify functions: random tuples (some outside the ranges) and up to
    # 1000 of the tuples the asked facts accept.
    rng = random.Random(target)
    tuples = {tuple(hints)}
    tuples.update(tuple(rng.randint(1, 2 * h) for h in hints) for _ in range(checks))
    tuples.update(tuple(rng.randint(0, 2 * h) for h in hints) for _ in range(checks // 10))
    tuples.update(rng.sample(accepted_tuples, min(1000, len(accepted_tuples))))
    disagreements = []
    raises_out_of_range = 0
    for values in sorted(tuples):
        ours = outcome(fn, values)
        shown = dict(zip(names, values))
        in_range = all(lo is None or v >= lo for v, lo in zip(values, lows))
        for lam_name, lam in lams.items():
            theirs = outcome(lam, values)
            if ours is False and isinstance(theirs, str) and not in_range:
                raises_out_of_range += 1  # sympy's And sorts its arguments: no range check first
            elif ours != theirs:
                disagreements.append(f"{shown}: guard_fn {ours}, {lam_name} {theirs}")

    args = ", ".join(names)
    bindings = {"fn": fn, "raw": fn.positional, "mapping": dict(zip(names, hints))}
    bindings.update(zip(names, hints))
    rows = [
        ("symcore guard_fn(*values)", time_stmt(f"fn({args})", bindings, repeat, target_s)),
        ("symcore guard_fn.positional(*values)", time_stmt(f"raw({args})", bindings, repeat, target_s)),
        ("symcore guard_fn(mapping)", time_stmt("fn(mapping)", bindings, repeat, target_s)),
    ]
    for lam_name, lam in lams.items():
        rows.append((lam_name, time_stmt(f"lam({args})", {**bindings, "lam": lam}, repeat, target_s)))
    conditions = fn.source.count(" and ") + 1
    return GuardFnResult(
        target,
        errors,
        len(env.produce_guards()),
        conditions,
        rows,
        build_costs(asked),
        notes
        + (
            [
                f"lambdify raised (guard_fn: False) in {raises_out_of_range} calls on values outside the ranges: "
                "sympy's And sorts its arguments, so the range checks do not come first"
            ]
            if raises_out_of_range
            else []
        ),
        " x ".join(f"{n} in {r.start}..{r.stop - 1}" for n, r in zip(names, box)),
        boxed,
        len(accepted_tuples),
        len(tuples),
        disagreements,
        unsound,
        stricter,
        fn.source,
        str(conj),
    )


def render_guard_fn(results: list[GuardFnResult]) -> str:
    body = []
    for res in results:
        base = res.rows[1][1]
        for name, s in res.rows:
            label = f"{res.guards} guards ({res.conditions} conditions)"
            body.append([label, name, _fmt_us(s * 1e6), _fmt_ratio(s / base)])
    table = render(["guard set", "call", "µs per call", "vs .positional"], body, left_cols=2)
    build_body = [[f"{res.guards} guards", name, f"{s * 1e3:,.1f}"] for res in results for name, s in res.build]
    lines = [table, "", render(["guard set", "making the function (one shot)", "ms"], build_body, left_cols=2)]
    for res in results:
        if res.unsound:
            lines.append("!" * 100)
            lines.append(f"!!! UNSOUND guard_fn ({res.guards} guards): accepts values that violate a recorded fact")
            lines.extend(f"!!!   {u}" for u in res.unsound[:10])
            lines.append("!" * 100)
        verdict = "matches" if not (res.unsound or res.stricter) else "DOES NOT MATCH"
        lines.append(
            f"  {res.guards} guards: guard_fn {verdict} the asked facts on all {res.boxed:,} tuples of {res.box} "
            f"({res.accepted:,} accepted by them)"
        )
        if res.stricter:
            lines.append(f"    stricter than the asked facts on {len(res.stricter)} tuples, e.g.:")
            lines.extend(f"      {d}" for d in res.stricter[:5])
        status = "agree" if not res.disagreements else f"DISAGREE on {len(res.disagreements)}"
        checked = f"{res.agree_checked:,} value tuples"
        lines.append(f"  {res.guards} guards: guard_fn and both lambdify functions {status} on {checked}")
        lines.extend(f"    {d}" for d in res.disagreements[:10])
        lines.extend(f"  note: {n}" for n in res.notes)
        if res.errors:
            lines.append(
                f"  errors while recording the {res.requested}-guard set (each candidate dropped, env rebuilt):"
            )
            lines.extend(f"    {e}" for e in res.errors)
    return "\n".join(lines)


GUARD_FN_TARGET_US = 1.0


def guard_fn_targets(results: list[GuardFnResult]) -> list[tuple[str, float, bool]]:
    out = []
    for res in results:
        if res.requested != 20:
            continue
        got = "" if res.guards == 20 else f" (only {res.guards} guards: see the errors)"
        for name, s in res.rows[:2]:
            us = s * 1e6
            out.append((f"{name}, 20 guards < {GUARD_FN_TARGET_US:g} µs{got}", us, us < GUARD_FN_TARGET_US))
    return out


# --- main -------------------------------------------------------------------------------------


def extension_build() -> str:
    """The loaded native module's file, modification time and hash prefix: the decision procedure
    changes between builds, so a table is a snapshot of one build."""
    path = symcore._core.__file__
    if path is None:
        return "unknown"
    with open(path, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()[:12]
    mtime = datetime.datetime.fromtimestamp(os.path.getmtime(path), datetime.timezone.utc)
    return f"{os.path.basename(path)} sha256 {digest}, built {mtime.isoformat(timespec='seconds')}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON to PATH")
    parser.add_argument("--quick", action="store_true", help="fewer, shorter repeats (CI smoke run)")
    args = parser.parse_args(argv)

    if args.quick:
        repeat, target_s, grid_top, points = 3, 0.002, 8, 4
        batches, record_sizes, n_simplify, checks = 2, (20, 60), 12, 100
    else:
        repeat, target_s, grid_top, points = 5, 0.05, 14, 12
        batches, record_sizes, n_simplify, checks = 7, (20, 600), 60, 3000
    facts = machine_facts()
    facts["build"] = extension_build()
    config = {
        "repeat": repeat,
        "calibration_target_s": target_s,
        "statistic": "min",
        "sympy_simplify_timed": "first call only (cold)" if args.quick else "min of calibrated repeats (warm)",
        "quick": args.quick,
        "ground_truth_grid": f"each symbol from its lower bound to {grid_top}",
        "symbolic_check_points": points,
        "recording_batches": batches,
        "recording_facts_per_batch": record_sizes,
        "recording_facts_per_batch_simplify": n_simplify,
        "guard_fn_agreement_tuples": checks,
    }

    print("symcore ShapeEnv benchmark")
    for key, value in facts.items():
        print(f"  {key + ':':<14}{value}")
    print(f"  {'method:':<14}min of {repeat} repeats after ~{target_s:g}s calibration")
    print()

    started = time.perf_counter()
    rows = prove_all(repeat, target_s, grid_top, points, sympy_once=args.quick)
    summary = proof_summary(rows)
    print("1. statically_known_true vs sympy / symengine  (a, b, c >= 1; d >= 2; µs per question)")
    print()
    print(render_proofs(rows))
    print()
    print(render_proof_summary(summary))
    print()

    recording = guard_recording(batches, record_sizes, n_simplify)
    print("2. guard recording (µs per bool() of a fresh fact)")
    print()
    print(render_recording(recording, batches))
    print()

    gf = [guard_fn_bench(n, repeat, target_s, checks, full_box=not args.quick) for n in (20, 38)]
    print("3. guard_fn calls (5 symbols; values = the hints, so every condition runs)")
    print()
    print(render_guard_fn(gf))
    targets = guard_fn_targets(gf)
    print()
    print(f"targets ({sum(t[2] for t in targets)}/{len(targets)} pass):")
    for name, us, ok in targets:
        print(f"  {'PASS' if ok else 'MISS'}  {name}: got {us:.2f} µs")
    print(f"\n(total {time.perf_counter() - started:.1f} s)")
    if extension_build() != facts["build"]:
        print(
            "note: the symcore extension on disk changed during the run; the tables are for the build loaded at start"
        )

    disagreements = [d for res in gf for d in [*res.disagreements, *res.unsound]]
    failed = bool(summary["unsound"] or summary["mismatches"] or disagreements or recording_problems(recording))
    if args.json:

        def clean(x: float | None) -> float | None:
            return x if x is not None and math.isfinite(x) else None

        payload = {
            "machine": facts,
            "config": config,
            "proofs": [
                {
                    "fact": r.fact.source,
                    "true": r.fact.true,
                    "counterexample": r.counterexample,
                    "witness": r.witness,
                    "symcore": r.symcore,
                    "symcore_us": clean(r.symcore_us),
                    "symcore_compare_and_ask_us": clean(r.symcore_compare_us),
                    "symcore_first_call_us": clean(r.symcore_first_us),
                    "sympy_first_call_us": clean(r.sympy_first_us),
                    "symcore_error": r.symcore_error,
                    "sympy": r.sympy,
                    "sympy_method": r.sympy_method,
                    "sympy_us": clean(r.sympy_us),
                    "sympy_error": r.sympy_error,
                    "symengine": r.symengine,
                    "symengine_error": r.symengine_error,
                    "speedup": clean(r.speedup),
                    "unsound": r.unsound,
                    "mismatches": r.mismatches,
                }
                for r in rows
            ],
            "proof_summary": summary,
            "guard_recording": [
                {"row": r.name, "us_per_fact": r.seconds * 1e6, "facts_per_batch": r.batch, "recorded": r.recorded}
                for r in recording
            ],
            "guard_fn": [
                {
                    "guards": res.guards,
                    "requested": res.requested,
                    "errors": res.errors,
                    "conditions": res.conditions,
                    "us_per_call": {name: s * 1e6 for name, s in res.rows},
                    "ms_to_make": {name: s * 1e3 for name, s in res.build},
                    "notes": res.notes,
                    "agreement_tuples": res.agree_checked,
                    "box": res.box,
                    "box_tuples": res.boxed,
                    "accepted_by_asked_facts": res.accepted,
                    "disagreements_with_lambdify": res.disagreements,
                    "unsound": res.unsound,
                    "stricter": res.stricter,
                    "symcore_source": res.source_symcore,
                    "sympy_conjunction": res.sympy_conjunction,
                }
                for res in gf
            ],
            "targets": [{"target": name, "value_us": us, "pass": ok} for name, us, ok in targets],
            "failed": failed,
        }
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(payload, f, indent=2)
            f.write("\n")
        print(f"wrote {args.json}")
    if failed:
        print("\nFAILED: unsound answers or meaning mismatches above", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
