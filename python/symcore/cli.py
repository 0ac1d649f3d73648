"""The ``symcore`` command line (also ``python -m symcore``): argument parsing and the commands.

Who uses it: newcomers (``symcore`` alone traces the whole model zoo and prints what it found) and
scripts (``symcore trace gpt2:xl --dynamic batch,seq --out runs/ --format json``; exit codes below).

Commands:

* ``symcore trace [MODEL[:preset] ...]``: trace models of the zoo (all of them, each at its
  default preset, when none is named) in parallel; print a summary per model (nodes, symbols,
  guards, output shapes, FLOPs and memory formulas, time) and a table; with ``--out DIR`` write the
  readable graph, JSON, DOT and (``--format svg``) SVG of each. ``symcore`` with no command at all
  is ``symcore trace``.
* ``symcore list``: the models, their presets, dims and published parameter counts.
* ``symcore plot MODEL ... --dim seq --metric flops``: FLOPs or memory against one dim, as a PNG
  (needs ``pip install 'symcore[plot]'``).
* ``symcore demo``: a short tour of symbolic arithmetic and guards.

Exit codes (:data:`EXIT_CODES`): 0 every job succeeded; 1 some job failed (the others' results are
still printed and written); 2 usage error (bad option, unknown model, preset or dim); 3 cannot write
the output (``--out``); 4 an optional dependency is missing (matplotlib for ``plot``, Graphviz's
``dot`` for ``--format svg``); 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from typing import Any, Final, TextIO

__all__ = [
    "EXIT_CODES",
    "EXIT_FAILED",
    "EXIT_INTERRUPTED",
    "EXIT_MISSING_DEPENDENCY",
    "EXIT_OK",
    "EXIT_OUTPUT",
    "EXIT_USAGE",
    "main",
]

EXIT_OK: Final = 0
EXIT_FAILED: Final = 1
EXIT_USAGE: Final = 2
EXIT_OUTPUT: Final = 3
EXIT_MISSING_DEPENDENCY: Final = 4
EXIT_INTERRUPTED: Final = 130

EXIT_CODES: Final = {
    EXIT_OK: "ok: every job succeeded",
    EXIT_FAILED: "some job failed (the others' results are still reported)",
    EXIT_USAGE: "usage error: bad option, unknown model, preset or dim",
    EXIT_OUTPUT: "cannot write the output (--out)",
    EXIT_MISSING_DEPENDENCY: "an optional dependency is missing (matplotlib, Graphviz)",
    EXIT_INTERRUPTED: "interrupted (Ctrl-C)",
}
"""What each exit code means; scripts can rely on them."""

FORMATS: Final = ("text", "json", "dot", "svg")
DEFAULT_FORMATS: Final = ("text", "json", "dot")
METRICS: Final = {"flops": "FLOPs", "activation": "activation bytes", "peak": "peak live bytes", "params": "parameters"}
_METRIC_FIELD: Final = {"flops": "flops", "activation": "activation_bytes", "peak": "peak_bytes", "params": "params"}

GRAPHVIZ_HINT: Final = "install Graphviz for SVG pictures: `apt install graphviz` (or `brew install graphviz`)"
MATPLOTLIB_HINT: Final = "`symcore plot` needs matplotlib: pip install 'symcore[plot]'"
# Fast layout settings: dot's default network-simplex and crossing minimisation take minutes on a
# few hundred nodes; these give a readable top-down picture in well under a second.
_DOT_FAST: Final = ("-Gsplines=line", "-Gnslimit=1", "-Gnslimit1=1", "-Gmclimit=0.1", "-Gremincross=false")


class UsageError(Exception):
    """A bad command line: printed as ``symcore: error: ...`` with exit code 2."""


class OutputError(Exception):
    """The output cannot be written: exit code 3."""


class MissingDependencyError(Exception):
    """An optional dependency is missing: exit code 4."""


# --------------------------------------------------------------------------------------------------
# Parsing
# --------------------------------------------------------------------------------------------------


def _exit_code_epilog() -> str:
    return "exit codes:\n" + "\n".join(f"  {code:<4} {text}" for code, text in EXIT_CODES.items())


def build_parser() -> argparse.ArgumentParser:
    """The ``symcore`` argument parser."""
    parser = argparse.ArgumentParser(
        prog="symcore",
        description="Symbolic shapes on a Rust expression engine. With no command: trace the whole model zoo.",
        epilog=_exit_code_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", metavar="{trace,list,plot,demo}")

    trace = sub.add_parser(
        "trace",
        help="trace models of the zoo (all, by default) and print graphs, guards, shapes and cost formulas",
        description="Trace models with symbolic dims; print a summary per model and a table.",
        epilog=_exit_code_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    trace.add_argument("models", nargs="*", metavar="MODEL[:preset]", help="models to trace (default: the whole zoo)")
    _add_trace_options(trace)
    trace.add_argument("--out", metavar="DIR", help="write each model's files here")
    trace.add_argument(
        "--format",
        default=None,
        metavar="LIST",
        help=f"files to write with --out, comma-separated from {','.join(FORMATS)} "
        f"(default {','.join(DEFAULT_FORMATS)}; svg needs Graphviz)",
    )
    trace.add_argument("--show-graph", action="store_true", help="also print each full graph")
    trace.add_argument("--json", action="store_true", help="print the results as JSON (for machines) instead")

    sub.add_parser("list", help="the models, presets, dims and published parameter counts").add_argument(
        "--json", action="store_true", help="as JSON"
    )

    plot = sub.add_parser(
        "plot",
        help="draw FLOPs or memory against one dim for a set of models (PNG; needs matplotlib)",
        description="Evaluate each model's cost formula over a range of one dim (others at their hints).",
        epilog=_exit_code_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    plot.add_argument("models", nargs="*", metavar="MODEL[:preset]", help="models (default: every model with --dim)")
    plot.add_argument("--dim", default="seq", help="the dim on the x axis (default: seq)")
    plot.add_argument("--metric", default="flops", choices=sorted(METRICS), help="what to plot (default: flops)")
    plot.add_argument(
        "--values", metavar="LIST", help="dim values: comma-separated, or START:STOP[:STEP] (default: hint/4 .. hint*8)"
    )
    plot.add_argument("--out", metavar="FILE", default=None, help="the PNG to write (default: symcore-METRIC-DIM.png)")
    plot.add_argument("--jobs", type=_positive_int, default=None, metavar="N", help="parallel traces (default: cores)")
    plot.add_argument("--no-progress", action="store_true", help="no progress bar")

    sub.add_parser("demo", help="a short tour of symbolic arithmetic and guards")
    return parser


def _add_trace_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--dynamic",
        default=None,
        metavar="DIMS",
        help="dims to make symbolic, comma-separated (default: all of each model's dims; 'none': static)",
    )
    p.add_argument(
        "--hint",
        action="append",
        default=[],
        metavar="DIM=N",
        help="example size of a dim (repeat or comma-separate: --hint batch=4,seq=512)",
    )
    p.add_argument(
        "--jobs", "-j", type=_positive_int, default=None, metavar="N", help="parallel traces (default: cores)"
    )
    p.add_argument("--no-progress", action="store_true", help="no progress bar (it is off anyway when not a terminal)")


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


# --------------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------------


_COMMANDS: Final = ("trace", "list", "plot", "demo")


def _is_model_spec(text: str) -> bool:
    from symcore import models

    try:
        models.parse_model_spec(text)
    except (KeyError, ValueError):
        return False
    return True


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the command line; returns the process exit code (see :data:`EXIT_CODES`)."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    # `symcore` alone, or `symcore --jobs 2`, is `symcore trace ...`.
    if not args_list or (args_list[0].startswith("-") and args_list[0] not in ("-h", "--help")):
        args_list.insert(0, "trace")
    elif args_list[0] not in _COMMANDS and _is_model_spec(args_list[0]):
        args_list.insert(0, "trace")  # `symcore gpt2:xl` is `symcore trace gpt2:xl`
    parser = build_parser()
    args = parser.parse_args(args_list)
    out = sys.stdout
    try:
        if args.command == "demo":
            from symcore.demo import run

            run(out)
            code = EXIT_OK
        elif args.command == "list":
            code = cmd_list(args, out)
        elif args.command == "plot":
            code = cmd_plot(args, out)
        else:
            code = cmd_trace(args, out)
        out.flush()
        return code
    except UsageError as e:
        parser.print_usage(sys.stderr)
        print(f"symcore: error: {e}", file=sys.stderr)
        return EXIT_USAGE
    except OutputError as e:
        print(f"symcore: error: {e}", file=sys.stderr)
        return EXIT_OUTPUT
    except MissingDependencyError as e:
        print(f"symcore: error: {e}", file=sys.stderr)
        return EXIT_MISSING_DEPENDENCY
    except BrokenPipeError:  # `symcore | head`: the reader left; that is not an error
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except KeyboardInterrupt:
        print("\nsymcore: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


# --------------------------------------------------------------------------------------------------
# Resolving models, dims and hints
# --------------------------------------------------------------------------------------------------


def _resolve_models(specs: Sequence[str]) -> list[tuple[Any, str]]:
    """``(entry, preset)`` per spec; the whole zoo at default presets when ``specs`` is empty."""
    from symcore import models

    if not specs:
        return [models.parse_model_spec(name) for name in models.list_models()]
    out = []
    for spec in specs:
        try:
            out.append(models.parse_model_spec(spec))
        except (models.UnknownModelError, models.UnknownPresetError) as e:
            raise UsageError(str(e)) from None
    return out


def _split(values: Sequence[str] | str | None) -> list[str]:
    if values is None:
        return []
    items = [values] if isinstance(values, str) else list(values)
    return [part.strip() for item in items for part in item.split(",") if part.strip()]


def _resolve_dynamic(text: str | None, chosen: Sequence[tuple[Any, str]]) -> list[bool | tuple[str, ...]]:
    """Per model: True (all dims), False (``none``), or the named dims the model has."""
    if text is None:
        return [True] * len(chosen)
    names = _split(text)
    if names in (["none"], ["static"]) or not names:
        return [False] * len(chosen)
    if names in (["all"],):
        return [True] * len(chosen)
    _check_dim_names(names, chosen, "--dynamic")
    return [tuple(n for n in names if n in entry.dims) for entry, _ in chosen]


def _resolve_hints(items: Sequence[str], chosen: Sequence[tuple[Any, str]]) -> list[dict[str, int]]:
    """Per model: the ``--hint`` sizes of the dims it has."""
    hints: dict[str, int] = {}
    for item in _split(items):
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not re.fullmatch(r"\d+", value.strip()):
            raise UsageError(f"--hint expects DIM=N with N a non-negative integer, got {item!r}")
        hints[name] = int(value)
    _check_dim_names(list(hints), chosen, "--hint")
    return [{k: v for k, v in hints.items() if k in entry.dims} for entry, _ in chosen]


def _check_dim_names(names: Sequence[str], chosen: Sequence[tuple[Any, str]], option: str) -> None:
    known: dict[str, list[str]] = {}
    for entry, _ in chosen:
        for dim in entry.dims:
            known.setdefault(dim, []).append(entry.name)
    unknown = [n for n in names if n not in known]
    if unknown:
        listing = "; ".join(f"{entry.name}: {', '.join(entry.dims)}" for entry, _ in chosen)
        raise UsageError(f"{option}: no model here has a dim {', '.join(repr(n) for n in unknown)} (dims: {listing})")


def _prepare_out(path: str) -> str:
    """Create ``path`` (a directory) and check it is writable."""
    try:
        os.makedirs(path, exist_ok=True)
        probe = os.path.join(path, f".symcore-write-test-{os.getpid()}")
        with open(probe, "w") as f:
            f.write("")
        os.remove(probe)
    except OSError as e:
        raise OutputError(f"cannot write to --out {path!r}: {e.strerror or e}") from None
    return path


def _resolve_formats(text: str | None, out_dir: str | None) -> tuple[list[str], bool]:
    """The formats to write and whether SVG was asked for explicitly."""
    if text is None:
        return list(DEFAULT_FORMATS), False
    if out_dir is None:
        raise UsageError("--format chooses the files written with --out DIR; give --out too")
    formats = _split(text)
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        raise UsageError(
            f"--format: unknown {', '.join(repr(b) for b in bad) or 'empty list'} (choose from {', '.join(FORMATS)})"
        )
    return formats, "svg" in formats


# --------------------------------------------------------------------------------------------------
# trace
# --------------------------------------------------------------------------------------------------


def _jobs_for(args: argparse.Namespace) -> tuple[list[Any], list[tuple[Any, str]]]:
    from symcore.batch import TraceJob

    chosen = _resolve_models(args.models)
    dynamics = _resolve_dynamic(args.dynamic, chosen)
    hints = _resolve_hints(args.hint, chosen)
    jobs = [
        TraceJob(f"{entry.name}:{preset}", dynamic=dyn, hints=h or None)
        for (entry, preset), dyn, h in zip(chosen, dynamics, hints)
    ]
    return jobs, chosen


def cmd_trace(args: argparse.Namespace, out: TextIO) -> int:
    """``symcore trace``: trace, summarise, write files; returns the exit code."""
    from symcore.batch import trace_many

    jobs, _ = _jobs_for(args)
    formats, svg_asked = _resolve_formats(args.format, args.out)
    out_dir = _prepare_out(args.out) if args.out is not None else None
    workers = args.jobs if args.jobs is not None else (os.cpu_count() or 1)
    start = time.perf_counter()
    results = trace_many(jobs, progress=not args.no_progress, max_workers=workers)
    wall = time.perf_counter() - start

    missing_dot = False
    if out_dir is not None:
        missing_dot = _write_outputs(results, out_dir, formats)

    if args.json:
        docs = []
        for r in results:
            d = r.to_dict()
            if not args.show_graph:
                d.pop("graph", None)
            docs.append(d)
        json.dump({"results": docs, "wall_seconds": round(wall, 3), "jobs": workers}, out, indent=2)
        out.write("\n")
    else:
        for r in results:
            _print_summary(r, out, show_graph=args.show_graph)
        _print_table(results, out)
        failed = sum(not r.ok for r in results)
        out.write(
            f"\n{len(results)} traced, {failed} failed in {wall:.1f} s "
            f"({min(workers, len(results))} job{'s' if min(workers, len(results)) != 1 else ''})"
        )
        out.write(f"; files in {out_dir}\n" if out_dir else "; --out DIR writes graphs, JSON and DOT\n")
    for r in results:
        if not r.ok:
            assert r.error is not None
            print(f"symcore: {r.name} failed: {r.error}", file=sys.stderr)
    if missing_dot:
        print(f"symcore: no SVG written: Graphviz's `dot` was not found; {GRAPHVIZ_HINT}", file=sys.stderr)
    if any(not r.ok for r in results):
        return EXIT_FAILED
    if missing_dot and svg_asked:
        return EXIT_MISSING_DEPENDENCY
    return EXIT_OK


def _safe_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-") or "model"


def _write_outputs(results: Sequence[Any], out_dir: str, formats: Sequence[str]) -> bool:
    """Write each result's files; returns True when SVG was wanted but ``dot`` is missing."""
    dot_exe = shutil.which("dot") if "svg" in formats else None
    index = []
    try:
        for r in results:
            base = os.path.join(out_dir, _safe_name(r.name))
            files: list[str] = []
            if "text" in formats:
                _write(base + ".txt", render_text(r))
                files.append(base + ".txt")
            if "json" in formats:
                _write(base + ".json", json.dumps(r.to_dict(), indent=1) + "\n")
                files.append(base + ".json")
            if r.ok and ("dot" in formats or "svg" in formats):
                dot_src = r.graph().to_dot(r.name)
                if "dot" in formats or dot_exe is None:
                    _write(base + ".dot", dot_src)
                    files.append(base + ".dot")
                if dot_exe is not None:
                    if _render_svg(dot_exe, dot_src, base + ".svg"):
                        files.append(base + ".svg")
            index.append({"name": r.name, "ok": r.ok, "files": [os.path.basename(f) for f in files]})
        _write(os.path.join(out_dir, "index.json"), json.dumps({"results": index}, indent=1) + "\n")
    except OSError as e:
        raise OutputError(
            f"cannot write to --out {out_dir!r}: {e.strerror or e} ({getattr(e, 'filename', '')})"
        ) from None
    return "svg" in formats and dot_exe is None


def _write(path: str, text: str) -> None:
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def _render_svg(dot_exe: str, source: str, path: str) -> bool:
    try:
        proc = subprocess.run(
            [dot_exe, "-Tsvg", *_DOT_FAST, "-o", path],
            input=source,
            text=True,
            capture_output=True,
            timeout=300,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as e:
        print(f"symcore: dot failed for {path}: {e}", file=sys.stderr)
        return False
    if proc.returncode != 0:
        print(f"symcore: dot failed for {path}: {proc.stderr.strip()[:500]}", file=sys.stderr)
        return False
    return True


# --------------------------------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------------------------------


def _human(n: int, unit: str = "") -> str:
    """``64496861184`` -> ``64.5 G``."""
    value = float(n)
    for prefix in ("", "K", "M", "G", "T", "P", "E"):
        if abs(value) < 1000:
            text = f"{value:.0f}" if prefix == "" else f"{value:.3g}"
            return f"{text} {prefix}{unit}".rstrip()
        value /= 1000
    return f"{value:.3g} Z{unit}"


def _clip(text: str, width: int = 96) -> str:
    if len(text) <= width:
        return text
    return text[: width - 3] + f"... ({len(text)} chars: --json or --out for all)"


def _formula_line(label: str, formula: str, value: int | None, unit: str) -> str:
    at = _human(value, unit) if value is not None else "symbolic"
    return f"  {label:<9}{at:>11}  = {_clip(formula, 80)}\n"


def _print_summary(r: Any, out: TextIO, *, show_graph: bool) -> None:
    if not r.ok:
        out.write(f"{r.name}  FAILED after {r.seconds:.2f} s: {r.error}\n\n")
        return
    symbols = ", ".join(f"{k}={v}" if v is not None else k for k, v in r.symbols.items())
    if len(r.symbols) > 8:
        backed = [f"{k}={v}" for k, v in r.symbols.items() if v is not None]
        unbacked = [k for k, v in r.symbols.items() if v is None]
        symbols = ", ".join(backed) + f", {len(unbacked)} unbacked ({unbacked[0]}..{unbacked[-1]})"
    out.write(
        f"{r.name}  {r.num_nodes} nodes ({r.num_ops} tensor ops), {len(r.symbols)} symbols, "
        f"{len(r.minimal_guards)} guards, {r.seconds:.2f} s\n"
    )
    out.write(f"  symbols  {symbols or '(none: static)'}\n")
    for name, desc in r.inputs:
        out.write(f"  input    {name}: {desc}\n")
    for path, desc in r.outputs:
        out.write(f"  output   {path}: {desc}\n")
    if r.minimal_guards:
        origins = {g.expr: g for g in r.guards}
        for g in r.minimal_guards[:6]:
            info = origins.get(g)
            out.write(f"  guard    {info if info is not None else g}\n")
        if len(r.minimal_guards) > 6:
            out.write(f"  guard    ... {len(r.minimal_guards) - 6} more\n")
    else:
        out.write("  guards   none: valid for every size\n")
    out.write(_formula_line("FLOPs", r.flops, r.at_hints.get("flops"), "FLOP"))
    out.write(_formula_line("act.mem", r.activation_bytes, r.at_hints.get("activation_bytes"), "B"))
    out.write(_formula_line("peak", r.peak_bytes, r.at_hints.get("peak_bytes"), "B"))
    params = r.at_hints.get("params")
    out.write(f"  params   {params:,}\n" if params is not None else f"  params   {r.params}\n")
    if show_graph:
        out.write("\n" + r.graph_text + "\n")
    out.write("\n")


def _print_table(results: Sequence[Any], out: TextIO) -> None:
    rows = [("model", "nodes", "guards", "output shapes", "FLOPs@hints", "params", "time")]
    for r in results:
        if not r.ok:
            rows.append((r.name, "-", "-", f"FAILED: {r.error.type}", "-", "-", f"{r.seconds:.2f}s"))
            continue
        shapes = "; ".join(desc.rsplit(" ", 1)[0] for _, desc in r.outputs)
        flops = r.at_hints.get("flops")
        params = r.at_hints.get("params")
        rows.append(
            (
                r.name,
                str(r.num_nodes),
                str(len(r.minimal_guards)),
                _clip(shapes, 40),
                _human(flops) if flops is not None else "symbolic",
                _human(params) if params is not None else "symbolic",
                f"{r.seconds:.2f}s",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    right = {1, 2, 4, 5, 6}
    for k, row in enumerate(rows):
        cells = [c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths))]
        out.write("  ".join(cells).rstrip() + "\n")
        if k == 0:
            out.write("  ".join("-" * w for w in widths) + "\n")


def render_text(r: Any) -> str:
    """A result's readable report: summary, guards with origins, shape table, formulas, graph."""
    lines = [f"# {r.name}", ""]
    if not r.ok:
        lines += [f"FAILED: {r.error}", "", r.error.traceback]
        return "\n".join(lines) + "\n"
    lines.append(f"nodes: {r.num_nodes} ({r.num_ops} tensor ops); trace {r.trace_seconds:.3f} s, "
                 f"analysis {r.analysis_seconds:.3f} s")  # fmt: skip
    lines.append("symbols: " + (", ".join(f"{k} (hint {v})" for k, v in r.symbols.items()) or "none"))
    lines += ["", "## guards (minimal)"]
    lines += [f"  {g}" for g in r.minimal_guards] or ["  none"]
    lines += ["", "## guards recorded (with source lines)"]
    lines += [f"  {g}" for g in r.guards] or ["  none"]
    lines += ["", "## inputs and outputs"]
    lines += [f"  {name}: {desc}" for name, desc in r.inputs]
    lines += [f"  {path}: {desc}" for path, desc in r.outputs]
    lines += ["", "## cost formulas"]
    for key, formula in r.formulas().items():
        at = r.at_hints.get(key)
        lines.append(f"  {key} = {formula}" + (f"   [{at:,} at the hints]" if at is not None else ""))
    for kind, formula in r.flops_by_kind.items():
        lines.append(f"  flops[{kind}] = {formula}")
    lines += ["", "## symbolic shapes"]
    width = max((len(n) for n in r.node_shapes), default=0)
    lines += [f"  {name:<{width}}  {desc}" for name, desc in r.node_shapes.items()]
    lines += ["", "## graph", r.graph_text]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------------
# list
# --------------------------------------------------------------------------------------------------


def cmd_list(args: argparse.Namespace, out: TextIO) -> int:
    """``symcore list``: the zoo."""
    from symcore import models

    entries = [models.get_model(name) for name in models.list_models()]
    if args.json:
        doc = [
            {
                "name": e.name,
                "family": e.family,
                "presets": list(e.presets),
                "default_preset": e.default_preset,
                "dims": dict(e.dims),
                "published_params": dict(e.published_params),
                "description": e.description,
            }
            for e in entries
        ]
        json.dump(doc, out, indent=2)
        out.write("\n")
        return EXIT_OK
    for e in entries:
        presets = ", ".join(f"{p}*" if p == e.default_preset else p for p in e.presets)
        dims = ", ".join(f"{k}={v}" for k, v in e.dims.items())
        out.write(f"{e.name:<8} {e.family}: {e.description}\n")
        out.write(f"{'':<8} presets: {presets}   dims: {dims}\n")
        params = ", ".join(f"{p} {_human(n)}" for p, n in e.published_params.items())
        out.write(f"{'':<8} published params: {params}\n\n")
    out.write("* default preset. Trace one with `symcore trace MODEL[:preset] --dynamic DIMS`.\n")
    return EXIT_OK


# --------------------------------------------------------------------------------------------------
# plot
# --------------------------------------------------------------------------------------------------


def _plot_values(text: str | None, hint: int) -> list[int]:
    if text is None:
        values = [max(2, hint // 4), max(2, hint // 2), hint, hint * 2, hint * 4, hint * 8]
        return sorted(set(values))
    try:
        if ":" in text:
            parts = [int(p) for p in text.split(":")]
            if len(parts) not in (2, 3) or (len(parts) == 3 and parts[2] <= 0):
                raise ValueError
            start, stop = parts[0], parts[1]
            step = parts[2] if len(parts) == 3 else max(1, (stop - start) // 16)
            values = list(range(start, stop + 1, step))
        else:
            values = [int(v) for v in _split(text)]
    except ValueError:
        raise UsageError(f"--values expects N,N,... or START:STOP[:STEP], got {text!r}") from None
    if not values or any(v < 0 for v in values):
        raise UsageError(f"--values gives no non-negative sizes: {text!r}")
    return values


def cmd_plot(args: argparse.Namespace, out: TextIO) -> int:
    """``symcore plot``: a metric against one dim for a set of models, as a PNG."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise MissingDependencyError(MATPLOTLIB_HINT) from None
    from symcore.batch import TraceJob, trace_many

    chosen = _resolve_models(args.models)
    if args.models:
        _check_dim_names([args.dim], chosen, "--dim")
    chosen = [(e, p) for e, p in chosen if args.dim in e.dims]
    if not chosen:
        raise UsageError(f"--dim: no model of the zoo has a dim {args.dim!r}")
    path = args.out or f"symcore-{args.metric}-{args.dim}.png"
    parent = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(parent) or not os.access(parent, os.W_OK):
        raise OutputError(f"cannot write the plot to {path!r}: no writable directory {parent!r}")
    jobs = [TraceJob(f"{e.name}:{p}") for e, p in chosen]
    results = trace_many(jobs, progress=not args.no_progress, max_workers=args.jobs or (os.cpu_count() or 1))
    fig, ax = plt.subplots(figsize=(8, 5))
    key = _METRIC_FIELD[args.metric]
    plotted = 0
    failed = 0
    for (entry, _), r in zip(chosen, results):
        if not r.ok:
            failed += 1
            print(f"symcore: {r.name} failed: {r.error}", file=sys.stderr)
            continue
        xs = _plot_values(args.values, int(entry.dims[args.dim]))
        try:
            ys = [r.evaluate({args.dim: x})[key] for x in xs]
        except Exception as e:  # a formula over data-dependent (unbacked) sizes has no value
            out.write(f"{r.name}: skipped ({type(e).__name__}: {e})\n")
            continue
        ax.plot(xs, ys, marker="o", label=f"{r.name}: {_clip(getattr(r, key), 60)}")
        out.write(f"{r.name}: {key} = {getattr(r, key)}\n")
        plotted += 1
    ax.set_xlabel(args.dim)
    ax.set_ylabel(METRICS[args.metric])
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_title(f"{METRICS[args.metric]} against {args.dim} (other dims at their hints)")
    if plotted:
        ax.legend(fontsize="small")
    try:
        fig.savefig(path, dpi=110, bbox_inches="tight")
    except OSError as e:
        raise OutputError(f"cannot write the plot to {path!r}: {e.strerror or e}") from None
    finally:
        plt.close(fig)
    out.write(f"wrote {path} ({plotted} model{'s' if plotted != 1 else ''})\n")
    return EXIT_FAILED if failed else EXIT_OK
