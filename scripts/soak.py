"""Soak test: trace in a loop and check that peak memory stops growing.

Runs symbolic arithmetic, guards, parse/print round trips, evaluation and ``trace_symbolic`` in
many fresh ShapeEnvs (each dropped before the next), and samples the process's peak resident set
(``VmHWM`` from /proc/self/status; ``resource.getrusage`` elsewhere). After a warm-up, the peak
must stay within a tolerance: everything an environment allocates is freed with it.

    python scripts/soak.py            # 1,000 environments, >= 100,000 symbolic operations
    python scripts/soak.py --short    # 150 environments, for CI (tests/crash/test_soak.py)

Prints one line per checkpoint and a final ``soak ok`` line; exits 1 if memory kept growing.
"""

from __future__ import annotations

import argparse
import gc
import operator
import random
import resource
import sys
import time
from typing import Any, Callable

import symcore

BINARY: list[Callable[[Any, Any], Any]] = [
    operator.add,
    operator.sub,
    operator.mul,
    operator.floordiv,
    operator.mod,
    symcore.sym_max,
    symcore.sym_min,
]
COMPARE: list[Callable[[Any, Any], Any]] = [operator.lt, operator.le, operator.eq, operator.ne, operator.gt]


def peak_rss_kb() -> int:
    """Peak resident set size of this process, in KiB."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak // 1024 if sys.platform == "darwin" else peak  # bytes on macOS, KiB on Linux


def current_rss_kb() -> int:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return peak_rss_kb()


def shape_fn(n: Any, m: Any, k: Any) -> Any:
    """A small shape function with branches (a conv, a reshape, a split)."""
    out = (n + 2 * 1 - k) // 2 + 1
    flat = out * m * k
    if n > m:
        parts = flat // (m + 1), flat % (m + 1)
    else:
        parts = symcore.sym_max(flat, n), symcore.sym_min(flat, m)
    total = 0
    for i in range(8):
        total = total + parts[i % 2] * (i + 1)
    return out, flat, parts, total


_KEPT: list[Any] = []
UNEXPECTED: list[str] = []


def one_environment(rng: random.Random, ops_per_env: int, leak: bool = False) -> int:
    """Works in one fresh environment; returns the number of symbolic operations done."""
    env = symcore.ShapeEnv()
    hints = [rng.randint(2, 64) for _ in range(3)]
    pool: list[Any] = [env.symint(f"s{i}", h, min=1) for i, h in enumerate(hints)]
    size = env.size(hint=rng.randint(2, 512))
    pool.append(size)
    binding = {f"s{i}": h for i, h in enumerate(hints)}
    if isinstance(size, symcore.SymInt) and size.hint is not None:
        binding[str(size)] = size.hint
    done = 0
    for step in range(ops_per_env):
        a, b = rng.choice(pool), rng.choice(pool)
        try:
            x = rng.choice(BINARY)(a, b if rng.random() < 0.8 else rng.randint(1, 9))
            done += 1
            if step % 10 == 0 and isinstance(x, symcore.SymInt):
                cond = rng.choice(COMPARE)(x, rng.randint(0, 100))
                done += 1
                if isinstance(cond, symcore.SymBool):
                    bool(cond)  # a guard
                env.evaluate(x, binding)
                env.parse(str(x))
        except ZeroDivisionError:  # a divisor that is 0 (at the hints): Python raises too
            continue
        except symcore.SymbolError as e:  # never expected from arithmetic or guards
            UNEXPECTED.append(f"{type(e).__name__}: {e}")
            return done  # the environment may be inconsistent now: drop it
        if len(pool) < 40:
            pool.append(x)
        else:
            pool[rng.randrange(4, len(pool))] = x
    gm = symcore.trace_symbolic(shape_fn, *hints)
    done += 25  # at least this many symbolic operations in shape_fn
    gm(*hints)
    env.produce_guards()
    env.guard_fn()
    str(gm.graph)
    gm.graph.to_json()
    if leak:
        _KEPT.append((env, pool, gm))
    return done


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--short", action="store_true", help="a quick run for CI")
    parser.add_argument("--envs", type=int, default=None, help="number of environments")
    parser.add_argument("--ops", type=int, default=110, help="symbolic operations per environment (+ a trace)")
    parser.add_argument("--tolerance-mb", type=float, default=4.0, help="allowed peak growth after warm-up")
    parser.add_argument("--leak", action="store_true", help="keep every environment alive (checks the check)")
    args = parser.parse_args(argv)
    envs = args.envs if args.envs is not None else (150 if args.short else 1000)
    warmup = max(envs // 5, 10)
    checkpoints = 5
    rng = random.Random(1234)
    start = time.monotonic()
    total_ops = 0
    baseline = None
    samples: list[tuple[int, int, int]] = []
    for i in range(1, envs + 1):
        total_ops += one_environment(rng, args.ops, args.leak)
        if i == warmup:
            gc.collect()
            baseline = peak_rss_kb()
            print(f"warm-up done after {i} environments: peak RSS {baseline / 1024:.1f} MiB", flush=True)
        if i > warmup and (i - warmup) % max((envs - warmup) // checkpoints, 1) == 0:
            gc.collect()
            samples.append((i, peak_rss_kb(), current_rss_kb()))
            print(
                f"{i:6d} environments, {total_ops:8d} operations: peak RSS {samples[-1][1] / 1024:.1f} MiB, "
                f"current {samples[-1][2] / 1024:.1f} MiB",
                flush=True,
            )
    assert baseline is not None
    gc.collect()
    final_peak = peak_rss_kb()
    growth_mb = (final_peak - baseline) / 1024
    elapsed = time.monotonic() - start
    print(
        f"{envs} environments, {total_ops} symbolic operations in {elapsed:.1f}s; peak RSS after warm-up "
        f"{baseline / 1024:.1f} MiB, at the end {final_peak / 1024:.1f} MiB (growth {growth_mb:+.1f} MiB, "
        f"tolerance {args.tolerance_mb} MiB)"
    )
    if growth_mb > args.tolerance_mb:
        print(f"soak FAILED: peak RSS grew by {growth_mb:.1f} MiB after warm-up", file=sys.stderr)
        return 1
    if UNEXPECTED:
        print(f"soak FAILED: {len(UNEXPECTED)} unexpected errors, first: {UNEXPECTED[0]}", file=sys.stderr)
        return 2
    print("soak ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
