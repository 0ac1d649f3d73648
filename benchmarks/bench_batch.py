"""Batch tracing benchmark: the zoo traced serially and on two processes, and memory over a long batch.

Prints one table:

* the whole zoo (each model's default preset, traced and analysed) serially (``max_workers=1``, in
  this process) and with ``--jobs`` processes (the default process pool): wall time, traces per
  second, graph nodes per second, and the speed-up of the pool; then every preset of every model
  the same two ways (a batch big enough for the pool's start-up to pay off);
* resident memory of one process running a long batch of small-preset traces (results reduced to
  their size, so any growth is the tracer's, not the results'): RSS after 100, 500 and 1000 traces
  and the slope in KiB per trace (target: flat), plus the pickled size of a result (what a caller
  keeping every result pays per trace).

``--quick`` runs a smoke version in a few seconds (three models, 10/30/60 traces) for CI.

Usage: ``python benchmarks/bench_batch.py [--quick] [--jobs N]``
"""

from __future__ import annotations

import argparse
import gc
import os
import pickle
import platform
import resource
import sys
import time

from symcore.batch import TraceJob, run_job, trace_many
from symcore.models import get_model, list_models

SMALL = ["gpt2:small", "bert:base", "resnet:18", "vit:b16", "unet:base"]


def rss_mib() -> float:
    """Current resident set size in MiB (Linux /proc; else the peak from getrusage)."""
    try:
        with open("/proc/self/statm") as f:
            pages = int(f.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError):
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak / 2**20 if sys.platform == "darwin" else peak / 2**10


def peak_rss_mib() -> float:
    """Peak resident set size of this process in MiB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10


def bench_zoo(models: list[str], workers: int) -> tuple[float, int, int]:
    """Wall seconds, traces and nodes for the models on ``workers`` processes (1: this process)."""
    jobs = [TraceJob(m) for m in models]
    start = time.perf_counter()
    results = trace_many(jobs, progress=False, max_workers=workers)
    wall = time.perf_counter() - start
    failed = [r for r in results if not r.ok]
    if failed:
        raise SystemExit(f"bench_batch: {failed[0].name} failed: {failed[0].error}")
    return wall, len(results), sum(r.num_nodes for r in results)


def bench_memory(checkpoints: list[int], specs: list[str]) -> tuple[list[tuple[int, float]], float, int]:
    """RSS after each checkpoint of a long batch in this process; the slope (KiB/trace) between the
    first and last checkpoints; the mean pickled size of a result."""
    sizes: list[int] = []
    points: list[tuple[int, float]] = []
    done = 0
    for target in checkpoints:
        while done < target:
            result = run_job(TraceJob(specs[done % len(specs)]))
            if not result.ok:
                raise SystemExit(f"bench_batch: {result.name} failed: {result.error}")
            sizes.append(len(pickle.dumps(result)))
            del result
            done += 1
        gc.collect()
        points.append((done, rss_mib()))
    (n0, r0), (n1, r1) = points[0], points[-1]
    slope = (r1 - r0) * 1024 / (n1 - n0) if n1 > n0 else 0.0
    return points, slope, sum(sizes) // max(1, len(sizes))


def main() -> None:
    """Run and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a CI smoke run of a few seconds")
    parser.add_argument("--jobs", type=int, default=2, help="processes for the parallel run (default 2)")
    args = parser.parse_args()

    models = ["gpt2", "resnet", "bert"] if args.quick else list_models()
    checkpoints = [10, 30, 60] if args.quick else [100, 500, 1000]
    mem_specs = ["resnet:18", "gpt2:small"] if args.quick else SMALL

    run_job(TraceJob("resnet"))  # warm-up: imports and first-call caches
    points, slope, result_bytes = bench_memory(checkpoints, mem_specs)
    serial = bench_zoo(models, 1)
    parallel = bench_zoo(models, args.jobs)
    runs = [("zoo serial (1 process)", serial, serial), (f"zoo --jobs {args.jobs}", parallel, serial)]
    if not args.quick:  # every preset: enough work for the pool's start-up to pay off
        presets = [f"{m}:{p}" for m in list_models() for p in get_model(m).presets]
        every = bench_zoo(presets, 1)
        runs += [
            ("all presets serial", every, every),
            (f"all presets --jobs {args.jobs}", bench_zoo(presets, args.jobs), every),
        ]

    print(f"symcore batch tracing — {platform.python_implementation()} {platform.python_version()}, "
          f"{os.cpu_count()} cores{' (--quick)' if args.quick else ''}")  # fmt: skip
    print()
    rows = [("run", "traces", "nodes", "wall s", "traces/s", "nodes/s", "speed-up")]
    for label, (wall, traces, nodes), base in runs:
        rows.append(
            (
                label,
                str(traces),
                str(nodes),
                f"{wall:.2f}",
                f"{traces / wall:.2f}",
                f"{nodes / wall:,.0f}",
                f"{base[0] / wall:.2f}x",
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for k, row in enumerate(rows):
        print("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))))
        if k == 0:
            print("  ".join("-" * w for w in widths))
    print()
    print(f"memory: one process, {checkpoints[-1]} traces cycling {', '.join(mem_specs)} (results dropped)")
    for n, rss in points:
        print(f"  RSS after {n:>5} traces   {rss:8.1f} MiB")
    print(f"  slope {checkpoints[0]}..{checkpoints[-1]}        {slope:8.2f} KiB/trace   (target: flat, ~0)")
    print(f"  peak RSS               {peak_rss_mib():8.1f} MiB")
    print(f"  a kept result          {result_bytes / 1024:8.1f} KiB pickled (mean)")


if __name__ == "__main__":
    main()
