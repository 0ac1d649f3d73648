"""Hostile inputs, tried for real: prints a Markdown table of what symcore does with each.

Every case runs in its own fresh interpreter (``python scripts/hostile.py --case NAME``), so a
crash (a Rust abort, a segfault, a stack overflow) shows up as a row instead of killing the run.
A row's outcome is ``ok`` (a correct answer was checked), the exception class and message, or
``CRASH``/``TIMEOUT``. Nothing here is expected to crash.

    python scripts/hostile.py              # the whole table (about a minute)
    python scripts/hostile.py --case NAME  # one case, printing its result line
"""

from __future__ import annotations

import json
import math
import pickle
import subprocess
import sys
import time
from functools import partial
from typing import Any, Callable

import symcore

CASES: dict[str, tuple[str, Callable[[], str]]] = {}


def case(name: str, what: str) -> Callable[[Callable[[], str]], Callable[[], str]]:
    def register(fn: Callable[[], str]) -> Callable[[], str]:
        CASES[name] = (what, fn)
        return fn

    return register


def expect_raise(fn: Callable[[], Any], *types: type[BaseException]) -> str:
    try:
        fn()
    except types as e:
        return f"{type(e).__name__}: {str(e)[:90]}"
    return "accepted (no error)"


# --- deep nesting -------------------------------------------------------------------------------


@case("deep_chain", "100,000-deep chain `x = abs(x + s0) // 3`: hint, evaluate, str, parse back")
def deep_chain() -> str:
    env = symcore.ShapeEnv()
    s0 = env.symint("s0", 5)
    x, plain = s0, 5
    for _ in range(100_000):
        x = abs(x + s0) // 3
        plain = abs(plain + 5) // 3
    assert x.hint == plain
    v, p = env.evaluate(x, {"s0": -7}), -7
    for _ in range(100_000):
        p = abs(p - 7) // 3
    assert v == p
    text = str(x)
    back = env.parse(text)
    assert back.key()[:3] == x.key()[:3]
    return f"ok (printed form {len(text):,} chars, parses back to the same id)"


@case("deep_parens", "`(` * 1,000,000 + `s0` + `)` * 1,000,000 parsed")
def deep_parens() -> str:
    env = symcore.ShapeEnv()
    env.symint("s0", 1)
    x = env.parse("(" * 1_000_000 + "s0" + ")" * 1_000_000)
    assert str(x) == "s0"
    return "ok"


@case("deep_unary", "`-` * 1,000,000 + `s0` and `not ` * 100,000 + `s0 > 1`")
def deep_unary() -> str:
    env = symcore.ShapeEnv()
    env.symint("s0", 1)
    assert str(env.parse("-" * 1_000_000 + "s0")) == "s0"
    assert str(env.parse("not " * 100_000 + "s0 > 1")) == str(env.parse("s0 > 1"))
    return "ok"


@case("deep_unclosed", "`(` * 1,000,000 (unclosed)")
def deep_unclosed() -> str:
    env = symcore.ShapeEnv()
    return expect_raise(lambda: env.parse("(" * 1_000_000), ValueError)


@case("deep_trace", "trace_symbolic of a 20,000-operation chain, then run the module")
def deep_trace() -> str:
    def f(n: Any) -> Any:
        x = n
        for i in range(20_000):
            x = (x * 3 + i) % 1_000_003
        return x

    gm = symcore.trace_symbolic(f, 5)
    assert gm(7) == f(7)
    return f"ok ({len(gm.graph.nodes):,} nodes)"


# --- huge constants -----------------------------------------------------------------------------


@case("huge_exact", "10**4000-sized hints and constants: + * // % evaluate exactly")
def huge_exact() -> str:
    big = 10**4000
    env = symcore.ShapeEnv()
    s = env.symint("s", big)
    assert env.evaluate(s * s - 7, {"s": big}) == big * big - 7
    assert env.evaluate(s // 3 + s % 7, {"s": big + 1}) == (big + 1) // 3 + (big + 1) % 7
    return "ok"


@case("huge_pow", "`SymInt(2) ** 2**23` (past the 2**22-bit cap)")
def huge_pow() -> str:
    return expect_raise(lambda: symcore.SymInt(2) ** (2**23), MemoryError)


@case("huge_shift_eval", "evaluate `s0 << s1` at s1 = 2**40")
def huge_shift_eval() -> str:
    env = symcore.ShapeEnv()
    s0, s1 = env.symint("s0", 1), env.symint("s1", 2)
    return expect_raise(lambda: env.evaluate(s0 << s1, {"s0": 1, "s1": 2**40}), MemoryError)


@case("huge_literal", "parse a 1,200,000-digit literal, print and parse it again")
def huge_literal() -> str:
    env = symcore.ShapeEnv()
    env.symint("s0", 1)
    start = time.monotonic()
    x = env.parse("7" * 1_200_000 + " * s0")
    text = str(x)
    env.parse(text)
    return f"ok ({time.monotonic() - start:.1f}s: decimal conversion is quadratic)"


@case("huge_literal_over_cap", "parse a 2,000,000-digit literal (over the bit cap)")
def huge_literal_over_cap() -> str:
    env = symcore.ShapeEnv()
    return expect_raise(lambda: env.parse("9" * 2_000_000), ValueError, MemoryError)


@case("huge_power_text", "parse `76*8510**298*8510**298510` (found by the parse fuzzer)")
def huge_power_text() -> str:
    env = symcore.ShapeEnv()
    start = time.monotonic()
    x = env.parse("76*8510**298*8510**298510")
    text = str(x)
    env.parse(text)
    return f"ok ({time.monotonic() - start:.1f}s for parse + 1.17M-char print + re-parse)"


# --- big sums -----------------------------------------------------------------------------------


@case("sum_1e6_parse", "parse a 10**6-term sum over 1,415 symbols (10**6 distinct monomials `s_i*s_j`)")
def sum_1e6_parse() -> str:
    env = symcore.ShapeEnv()
    n = 1415
    for i in range(n):
        env.symint(f"s{i}", 1)
    terms = []
    for i in range(n):
        for j in range(i, n):
            terms.append(f"s{i}*s{j}")
            if len(terms) == 1_000_000:
                break
        if len(terms) == 1_000_000:
            break
    start = time.monotonic()
    x = env.parse(" + ".join(terms))
    t_parse = time.monotonic() - start
    assert x.hint == 1_000_000
    start = time.monotonic()
    assert env.evaluate(x, {f"s{i}": 1 for i in range(n)}) == 1_000_000
    t_eval = time.monotonic() - start
    return f"ok (parse {t_parse:.1f}s, evaluate {t_eval:.1f}s)"


@case("sum_1e6_fold", "10**6 terms `s0*k` parsed (folds to one monomial)")
def sum_1e6_fold() -> str:
    env = symcore.ShapeEnv()
    env.symint("s0", 1)
    start = time.monotonic()
    x = env.parse(" + ".join(f"s0*{k}" for k in range(1_000_000)))
    assert str(x) == f"{sum(range(1_000_000))}*s0"
    return f"ok ({time.monotonic() - start:.1f}s)"


@case("sum_python_loop", "Python loop `x = x + s_i` over 20,000 distinct symbols")
def sum_python_loop() -> str:
    env = symcore.ShapeEnv()
    syms = [env.symint(f"s{i}", i) for i in range(20_000)]
    start = time.monotonic()
    x = syms[0]
    for s in syms[1:]:
        x = x + s
    assert x.hint == sum(range(20_000))
    return f"ok ({time.monotonic() - start:.1f}s; each + copies the sum: quadratic)"


@case("product_of_sums", "`(s0 + ... + s19) ** 50` (expansion cap)")
def product_of_sums() -> str:
    env = symcore.ShapeEnv()
    syms = [env.symint(f"s{i}", i) for i in range(20)]
    start = time.monotonic()
    x = sum(syms[1:], syms[0]) ** 50
    assert x.hint == sum(range(20)) ** 50
    return f"ok ({time.monotonic() - start:.2f}s, kept unexpanded)"


# --- hostile names ------------------------------------------------------------------------------

HOSTILE_NAMES = [
    "",
    "__import__('os').system('id')",
    "a b",
    "for",
    "min",
    "é",
    "x\x00y",
    "1abc",
    "s0;s1",
    "x" * 1_000_000,
]


@case("hostile_symbol_names", f"symint() with {len(HOSTILE_NAMES) - 1} hostile names + a 10**6-char name")
def hostile_symbol_names() -> str:
    env = symcore.ShapeEnv()
    outcomes = []
    for name in HOSTILE_NAMES[:-1]:
        try:
            env.symint(name, 1)
            outcomes.append(f"accepted {name!r}")
        except ValueError as e:
            outcomes.append(type(e).__name__)
    long_name = HOSTILE_NAMES[-1]
    x = env.symint(long_name, 2)
    assert env.evaluate(x + 1, {long_name: 5}) == 6
    accepted = [o for o in outcomes if o.startswith("accepted")]
    kinds = sorted(set(outcomes) - set(accepted))
    return (
        f"{len(outcomes) - len(accepted)} refused ({', '.join(kinds)}); "
        f"{'; '.join(accepted) or 'none accepted'}; the long valid name works"
    )


@case("hostile_parameter_names", "trace_symbolic of a function whose parameters are `min`, `float`, `_s0_1`")
def hostile_parameter_names() -> str:
    ns: dict[str, Any] = {}
    exec("def f(min, float, _s0_1):\n    return min * float + _s0_1\n", ns)
    gm = symcore.trace_symbolic(ns["f"], 2, 3, 4)
    assert gm(5, 6, 7) == 37
    env: symcore.ShapeEnv = getattr(gm, "shape_env")  # noqa: B009 (set by trace_symbolic)
    assert env.guard_fn()(*[5, 6, 7][: len(env.symbols)])
    return f"ok (symbols {sorted(env.symbols)})"


@case("hostile_guard_text", "parse() of code-like text: `__import__('os')`, `s0.real`, `lambda: 1`")
def hostile_guard_text() -> str:
    env = symcore.ShapeEnv()
    env.symint("s0", 1)
    results = [expect_raise(partial(env.parse, t), ValueError) for t in ("__import__('os')", "s0.real", "lambda: 1")]
    return "; ".join(sorted({r.split(":")[0] for r in results})) + " for all three"


# --- malformed JSON graphs ----------------------------------------------------------------------


def _good_doc() -> dict[str, Any]:
    gm = symcore.trace_symbolic(lambda n, m: (n * m) // 2, 4, 6)
    return json.loads(gm.graph.to_json())  # type: ignore[no-any-return]


def _json_cases() -> list[tuple[str, str]]:
    good = _good_doc()
    evil_target = json.loads(json.dumps(good))
    evil_target["nodes"][2]["target"] = "os.system"
    evil_name = json.loads(json.dumps(good))
    evil_name["nodes"][0]["name"] = "n; import os"
    forward = json.loads(json.dumps(good))
    forward["nodes"][2]["args"] = [{"node": "floordiv"}, 2]
    dup = json.loads(json.dumps(good))
    dup["nodes"][1]["name"] = dup["nodes"][0]["name"]
    return [
        ("not JSON", "{nodes: ["),
        ("empty", ""),
        ("10**6 nested lists", "[" * 1_000_000 + "]" * 1_000_000),
        ("bare NaN", json.dumps(good).replace('"version": 1', '"version": NaN')),
        ("duplicate keys", '{"format": "symcore.graph", "format": "x", "version": 1, "nodes": []}'),
        ("unknown target os.system", json.dumps(evil_target)),
        ("node name with code", json.dumps(evil_name)),
        ("reference to a later node", json.dumps(forward)),
        ("duplicate node name", json.dumps(dup)),
        ("wrong version", json.dumps({**good, "version": 99})),
        ("nodes is a string", json.dumps({**good, "nodes": "x"})),
        ("100 MB document", '{"nodes": "' + "x" * 100_000_000 + '"}'),
    ]


@case("malformed_json_graphs", "Graph.from_json on 12 malformed documents")
def malformed_json_graphs() -> str:
    out = []
    for label, text in _json_cases():
        start = time.monotonic()
        r = expect_raise(partial(symcore.Graph.from_json, text), symcore.GraphError)
        out.append((label, r.split(":")[0], time.monotonic() - start))
    bad = [f"{label}: {r}" for label, r, _ in out if r != "GraphError"]
    slowest = max(out, key=lambda o: o[2])
    if bad:
        return "NOT REJECTED: " + "; ".join(bad)
    return f"GraphError for all {len(out)} (slowest: {slowest[0]}, {slowest[2]:.2f}s)"


@case("json_round_trip", "Graph.to_json -> from_json -> GraphModule on a traced graph")
def json_round_trip() -> str:
    gm = symcore.trace_symbolic(lambda n, m: (n * m) // 2 + (n > m), 4, 6)
    g2 = symcore.Graph.from_json(gm.graph.to_json())
    assert symcore.GraphModule(g2)(5, 7) == gm(5, 7)
    return "ok"


# --- pickles ------------------------------------------------------------------------------------


@case("pickle_public_types", "pickle.dumps of each public value type")
def pickle_public_types() -> str:
    env = symcore.ShapeEnv()
    n = env.symint("n", 3)
    gm = symcore.trace_symbolic(lambda a: a + 1, 3)
    objects = {
        "SymInt": n + 1,
        "SymBool": n > 1,
        "SymFloat": n / 2,
        "constant SymInt": symcore.SymInt(3),
        "ShapeEnv": env,
        "Guard": symcore.Guard(n > 1),
        "GuardFn": env.guard_fn(),
        "Decision": env.decide(n > 1),
        "ValidityRegion": env.validity_region(),
        "FakeTensor": symcore.empty(env.size(hint=4), 3),
        "dtype": symcore.float16,
        "Graph": gm.graph,
        "GraphModule": gm,
    }
    ok, refused = [], []
    for label, obj in objects.items():
        try:
            pickle.loads(pickle.dumps(obj))
            ok.append(label)
        except Exception as e:
            refused.append(f"{label} ({type(e).__name__})")
    return f"round trip: {', '.join(ok) or 'none'}; refused: {', '.join(refused) or 'none'}"


@case("pickle_hostile_payload", "pickle.loads of a payload naming symcore._core.SymInt with bad state")
def pickle_hostile_payload() -> str:
    payload = b"csymcore._core\nSymInt\n(I3\ntR(I1\nI2\ntb."
    return expect_raise(lambda: pickle.loads(payload), Exception)


# --- runner -------------------------------------------------------------------------------------


def run_case(name: str) -> None:
    _, fn = CASES[name]
    start = time.monotonic()
    try:
        result = fn()
    except Exception as e:  # reported as a row, not a crash
        result = f"UNEXPECTED {type(e).__name__}: {str(e)[:120]}"
    print(json.dumps({"result": result, "seconds": round(time.monotonic() - start, 2)}))


def main() -> int:
    if len(sys.argv) == 3 and sys.argv[1] == "--case":
        run_case(sys.argv[2])
        return 0
    print("| input | what symcore does | time |")
    print("|---|---|---|")
    failures = 0
    for name, (what, _) in CASES.items():
        try:
            proc = subprocess.run(
                [sys.executable, __file__, "--case", name], capture_output=True, text=True, timeout=300, check=False
            )
            if proc.returncode != 0:
                result, seconds = f"CRASH (exit {proc.returncode}): {proc.stderr.strip()[-150:]}", math.nan
            else:
                row = json.loads(proc.stdout.strip().splitlines()[-1])
                result, seconds = row["result"], row["seconds"]
        except subprocess.TimeoutExpired:
            result, seconds = "TIMEOUT (300 s)", math.nan
        if result.startswith(("CRASH", "TIMEOUT", "UNEXPECTED", "NOT REJECTED")):
            failures += 1
        print(f"| {what} | {result.replace('|', '/')} | {seconds:.1f}s |", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
