"""Micro-benchmark: symbolic integer arithmetic in symcore vs plain ints, symengine and sympy.

Run ``python benchmarks/bench_arith.py`` (``--quick`` for a CI smoke run, ``--json PATH`` to also
write the results). Prints the machine facts, one table of nanoseconds per operation measured in
this run, and a PASS/MISS line per performance target. Misses are reported, never fatal.

Method: every cell times the same bare statement (``"a + b"``, ...) over locals bound in the timer's
setup, so the timeit loop overhead (printed in the header, included in every cell) is the same in
every column. Each cell is calibrated like ``timeit.Timer.autorange`` and then timed with
``repeat(repeat=R, number=n)``; the cell is the minimum per-operation time over the repeats, the
robust statistic on a shared, noisy machine.

What each library is asked to do (the statement is identical across columns; only the bindings of
``a``, ``b`` and ``C`` differ):

* ``a``, ``b``: ints 5 and 7; symcore symbols ``s0``/``s1`` (hints 5 and 7); sympy
  ``Symbol("s0", integer=True)``/``Symbol("s1", integer=True)``; symengine ``Symbol("s0")``/
  ``Symbol("s1")`` (symengine has no integer assumption).
* ``C``: ``int``, ``symcore.SymInt``, ``sympy.Integer``, ``symengine.Integer``; ``c3``/``c4`` are
  ``C(3)``/``C(4)`` made in the setup, so constant folding is ``c3 + c4`` everywhere (locals, so
  the bytecode compiler cannot fold the int column away). Making a constant, ``C(3)``, is its own
  informational row (not judged against the targets: it measures constructor calls, not folding).
* ``//`` on sympy symbols builds ``floor(x/n)`` and ``%`` builds ``Mod(x, n)``, so the chain
  ``((a * b + 3) // 2) % 8`` is ``Mod(floor((s0*s1 + 3)/2), 8)``. symengine has no ``Mod``; on
  symbols its ``//`` builds ``floor(x/n)`` and its ``%`` builds ``x - n*floor(x/n)``, so the chain
  is ``floor(u) - 8*floor(floor(u)/8)`` with ``u = (s0*s1 + 3)/2``.
* ``a < b`` is the operator; on sympy and symengine it builds the same ``StrictLessThan`` as
  ``sympy.Lt(s0, s1)`` / ``symengine.Lt(s0, s1)``, without timing a module attribute lookup and a
  call that the other columns do not pay.
* The build row times ``build(a, b)``, one call building 10,000 expressions ``a * i + b``, and
  reports ns per expression. Each call uses a fresh range of ``i`` so the expressions are new to
  every library on every call (symcore interns nodes and sympy caches constructors; rebuilding the
  same 10,000 would time cache hits).
"""

from __future__ import annotations

import argparse
import datetime
import itertools
import json
import math
import os
import platform
import sys
import timeit
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import symengine
import sympy

import symcore

BUILD_SIZE = 10_000
HINTS = {"s0": 5, "s1": 7}

LIBRARIES = ("int", "symcore", "symengine", "sympy")


@dataclass(frozen=True)
class Op:
    """One benchmarked operation: a bare statement over the locals ``a``, ``b``, ``C``, ``build``."""

    name: str
    stmt: str
    per_call: int = 1  # operations performed by one execution of ``stmt``
    target: bool = True  # judged against the speed targets (informational rows are not)


OPS = (
    Op("sym+sym", "a + b"),
    Op("sym*sym", "a * b"),
    Op("sym//const", "a // 3"),
    Op("sym%const", "a % 3"),
    Op("sym+const", "a + 3"),
    Op("const+const folding", "c3 + c4"),
    Op("chain ((a*b+3)//2)%8", "((a * b + 3) // 2) % 8"),
    Op("compare a < b", "a < b"),
    Op(f"build {BUILD_SIZE:,} (per expr)", "build(a, b)", per_call=BUILD_SIZE),
    Op("make a constant C(3)", "C(3)", target=False),
)

# Rows whose symbolic op must stay within BINARY_OP_INT_FACTOR x plain-int ``a + b``: every
# binary operation with a symbolic operand.
BINARY_OPS = ("sym+sym", "sym*sym", "sym//const", "sym%const", "sym+const")
SYMPY_SPEEDUP_TARGET = 20.0
SYMENGINE_SPEEDUP_TARGET = 1.0
BINARY_OP_INT_FACTOR = 5.0

# Setup run inside timeit's inner function: it makes every name in the statements a local.
SETUP = "a = _a; b = _b; C = _C; c3 = _c3; c4 = _c4; build = _build"


def _make_build() -> Callable[[Any, Any], list[Any]]:
    """``build(a, b)``: 10,000 expressions ``a * i + b``, over a fresh range of ``i`` each call."""
    calls = itertools.count()

    def build(a: Any, b: Any) -> list[Any]:
        start = next(calls) * BUILD_SIZE
        return [a * i + b for i in range(start, start + BUILD_SIZE)]

    return build


@dataclass
class Library:
    """The bindings one column's statements run with, and how to read a result back as a number."""

    name: str
    a: Any
    b: Any
    const: Callable[[int], Any]
    value: Callable[[Any], Any]  # a result -> its Python value at s0=5, s1=7

    def namespace(self) -> dict[str, Any]:
        return {
            "_a": self.a,
            "_b": self.b,
            "_C": self.const,
            "_c3": self.const(3),
            "_c4": self.const(4),
            "_build": _make_build(),
        }


def make_libraries() -> dict[str, Library]:
    env = symcore.ShapeEnv()
    sc0, sc1 = env.symint("s0", hint=HINTS["s0"]), env.symint("s1", hint=HINTS["s1"])
    sp0, sp1 = sympy.Symbol("s0", integer=True), sympy.Symbol("s1", integer=True)
    se0, se1 = symengine.Symbol("s0"), symengine.Symbol("s1")
    sp_binding = {sp0: HINTS["s0"], sp1: HINTS["s1"]}
    se_binding = {se0: HINTS["s0"], se1: HINTS["s1"]}
    libs = [
        Library("int", HINTS["s0"], HINTS["s1"], int, lambda r: r),
        # ``.hint`` rather than bool()/int(): those would record guards in the ShapeEnv.
        Library("symcore", sc0, sc1, symcore.SymInt, lambda r: r.hint),
        Library("symengine", se0, se1, symengine.Integer, lambda r: r.subs(se_binding)),
        Library("sympy", sp0, sp1, sympy.Integer, lambda r: r.subs(sp_binding)),
    ]
    return {lib.name: lib for lib in libs}


@dataclass
class Cell:
    """One measurement: ns per operation, or the error the operation raised."""

    ns: float | None = None
    error: str | None = None


@dataclass
class Row:
    op: Op
    cells: dict[str, Cell] = field(default_factory=dict)

    def ns(self, lib: str) -> float | None:
        cell = self.cells.get(lib)
        return cell.ns if cell is not None else None


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__module__}.{type(exc).__qualname__}: {exc}".strip()


def _calibrate(timer: timeit.Timer, target_s: float) -> int:
    """Like ``Timer.autorange``: the smallest 1, 2, 5, 10, 20, ... loop count taking >= target_s."""
    scale = 1
    while True:
        for multiplier in (1, 2, 5):
            number = multiplier * scale
            if timer.timeit(number) >= target_s:
                return number
        scale *= 10


def measure(lib: Library, op: Op, repeat: int, target_s: float) -> Cell:
    namespace = lib.namespace()
    try:
        # One untimed run first: surfaces errors (a pyo3 PanicException is a BaseException).
        exec(f"{SETUP}\n{op.stmt}", dict(namespace))
        timer = timeit.Timer(op.stmt, setup=SETUP, globals=namespace)
        number = _calibrate(timer, target_s)
        best = min(timer.repeat(repeat=repeat, number=number))
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:
        return Cell(error=_describe(exc))
    return Cell(ns=best / number / op.per_call * 1e9)


def loop_overhead_ns(repeat: int, target_s: float) -> float:
    timer = timeit.Timer("pass")
    number = _calibrate(timer, target_s)
    return min(timer.repeat(repeat=repeat, number=number)) / number * 1e9


def sanity_check(libs: dict[str, Library]) -> list[str]:
    """Every library's result must evaluate to the plain-int result; returns the disagreements."""
    problems = []
    for op in OPS:
        if op.per_call != 1:
            continue
        results: dict[str, Any] = {}
        for lib in libs.values():
            namespace = {"a": lib.a, "b": lib.b, "C": lib.const, "c3": lib.const(3), "c4": lib.const(4)}
            try:
                results[lib.name] = lib.value(eval(op.stmt, namespace))
            except (KeyboardInterrupt, SystemExit):
                raise
            except BaseException as exc:
                problems.append(f"{op.name} [{lib.name}]: {_describe(exc)}")
        expected = results.get("int")
        for name, got in results.items():
            if name != "int" and got != expected:
                problems.append(f"{op.name} [{name}]: evaluates to {got!r}, plain ints give {expected!r}")
    return problems


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key.strip() in ("model name", "Hardware", "Processor"):
                    return value.strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _version(dist: str, module: Any) -> str:
    try:
        return version(dist)
    except PackageNotFoundError:
        return str(getattr(module, "__version__", "unknown"))


def machine_facts() -> dict[str, Any]:
    affinity = getattr(os, "sched_getaffinity", None)
    return {
        "timestamp": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "platform": platform.platform(),
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "cores_usable": len(affinity(0)) if affinity is not None else os.cpu_count(),
        "symcore": _version("symcore", symcore),
        "symengine": _version("symengine", symengine),
        "sympy": _version("sympy", sympy),
    }


def _ratio(num: float | None, den: float | None) -> float | None:
    if num is None or den is None or den <= 0:
        return None
    return num / den


RATIOS: tuple[tuple[str, str, str], ...] = (
    ("sympy/symcore", "sympy", "symcore"),
    ("symengine/symcore", "symengine", "symcore"),
    ("symcore/int", "symcore", "int"),
)


def _fmt_ns(cell: Cell | None) -> str:
    if cell is None or cell.ns is None:
        return "ERROR"
    return f"{cell.ns:,.0f}" if cell.ns >= 100 else f"{cell.ns:.1f}"


def _fmt_ratio(ratio: float | None) -> str:
    return "-" if ratio is None else f"{ratio:,.1f}x" if ratio < 100 else f"{ratio:,.0f}x"


def render_table(rows: list[Row]) -> str:
    header = ["operation", *(f"{lib} ns" for lib in LIBRARIES), *(name for name, _, _ in RATIOS)]
    body = [
        [
            row.op.name,
            *(_fmt_ns(row.cells.get(lib)) for lib in LIBRARIES),
            *(_fmt_ratio(_ratio(row.ns(num), row.ns(den))) for _, num, den in RATIOS),
        ]
        for row in rows
    ]
    widths = [max(len(line[i]) for line in [header, *body]) for i in range(len(header))]

    def fmt(line: list[str]) -> str:
        return "  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(line, widths)))

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([fmt(header), rule, *(fmt(line) for line in body)])


@dataclass(frozen=True)
class Target:
    row: str
    description: str
    value: float | None
    limit: float
    passed: bool


def evaluate_targets(rows: list[Row]) -> list[Target]:
    int_add = next(row.ns("int") for row in rows if row.op.name == "sym+sym")
    targets = []
    for row in rows:
        name = row.op.name
        if not row.op.target:
            continue
        sympy_speedup = _ratio(row.ns("sympy"), row.ns("symcore"))
        symengine_speedup = _ratio(row.ns("symengine"), row.ns("symcore"))
        targets.append(
            Target(
                name,
                f"sympy/symcore >= {SYMPY_SPEEDUP_TARGET:g}x",
                sympy_speedup,
                SYMPY_SPEEDUP_TARGET,
                sympy_speedup is not None and sympy_speedup >= SYMPY_SPEEDUP_TARGET,
            )
        )
        targets.append(
            Target(
                name,
                f"symengine/symcore >= {SYMENGINE_SPEEDUP_TARGET:g}x (not slower than symengine)",
                symengine_speedup,
                SYMENGINE_SPEEDUP_TARGET,
                symengine_speedup is not None and symengine_speedup >= SYMENGINE_SPEEDUP_TARGET,
            )
        )
        if name in BINARY_OPS:
            vs_int_add = _ratio(row.ns("symcore"), int_add)
            targets.append(
                Target(
                    name,
                    f"symcore / plain-int a + b <= {BINARY_OP_INT_FACTOR:g}x",
                    vs_int_add,
                    BINARY_OP_INT_FACTOR,
                    vs_int_add is not None and vs_int_add <= BINARY_OP_INT_FACTOR,
                )
            )
    return targets


def render_targets(targets: list[Target]) -> str:
    width = max(len(t.row) for t in targets)
    lines = [
        f"  {'PASS' if t.passed else 'MISS'}  {t.row.ljust(width)}  {t.description}: got {_fmt_ratio(t.value)}"
        for t in targets
    ]
    passed = sum(t.passed for t in targets)
    return "\n".join([f"targets ({passed}/{len(targets)} pass):", *lines])


def to_json(
    facts: dict[str, Any],
    config: dict[str, Any],
    rows: list[Row],
    targets: list[Target],
    problems: list[str],
) -> dict[str, Any]:
    def clean(x: float | None) -> float | None:
        return x if x is not None and math.isfinite(x) else None

    return {
        "machine": facts,
        "config": config,
        "results": [
            {
                "op": row.op.name,
                "stmt": row.op.stmt,
                "ns_per_op": {lib: clean(row.ns(lib)) for lib in LIBRARIES},
                "errors": {lib: cell.error for lib, cell in row.cells.items() if cell.error is not None},
                "ratios": {name: clean(_ratio(row.ns(num), row.ns(den))) for name, num, den in RATIOS},
            }
            for row in rows
        ],
        "targets": [
            {"row": t.row, "target": t.description, "value": clean(t.value), "limit": t.limit, "pass": t.passed}
            for t in targets
        ],
        "sanity_problems": problems,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON to PATH")
    parser.add_argument("--quick", action="store_true", help="fewer, shorter repeats (CI smoke run)")
    args = parser.parse_args(argv)

    repeat, target_s = (2, 0.02) if args.quick else (5, 0.2)
    facts = machine_facts()
    config = {"repeat": repeat, "calibration_target_s": target_s, "statistic": "min", "quick": args.quick}

    print("symcore arithmetic benchmark")
    for key, value in facts.items():
        print(f"  {key + ':':<14}{value}")
    overhead = loop_overhead_ns(repeat, target_s)
    config["loop_overhead_ns"] = overhead
    print(f"  {'method:':<14}min of {repeat} repeats after ~{target_s:g}s calibration, ns per operation")
    print(f"  {'loop cost:':<14}{overhead:.1f} ns per timeit iteration (included in every cell)")
    print()

    libs = make_libraries()
    problems = sanity_check(libs)

    rows = []
    for op in OPS:
        row = Row(op)
        for name in LIBRARIES:
            row.cells[name] = measure(libs[name], op, repeat, target_s)
        rows.append(row)

    print(render_table(rows))
    errors = [f"{row.op.name} [{lib}]: {cell.error}" for row in rows for lib, cell in row.cells.items() if cell.error]
    if errors:
        print("\nerrors:")
        print("\n".join(f"  {e}" for e in errors))
    if problems:
        print("\nsanity check (results evaluated at s0=5, s1=7 vs plain ints):")
        print("\n".join(f"  {p}" for p in problems))
    print()
    targets = evaluate_targets(rows)
    print(render_targets(targets))

    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(to_json(facts, config, rows, targets, problems), f, indent=2)
            f.write("\n")
        print(f"\nwrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
