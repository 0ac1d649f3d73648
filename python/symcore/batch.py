"""Batch tracing: trace many models (or functions) in parallel into picklable results.

Who uses it: model analysts and the ``symcore trace`` command. A :class:`TraceJob` names a model of
the zoo (``"gpt2:small"``) with the dims to make dynamic and their example sizes, or carries a
picklable callable returning ``(fn, inputs, dynamic)`` for :func:`symcore.trace`.
:func:`trace_many` runs the jobs on an executor and returns one :class:`TraceResult` per job, in
order: plain data (strings, ints, dicts) that pickles across processes and machines — the graph as
JSON and as a listing, the guards with their source lines, every node's symbolic shape, and the
FLOPs / memory / parameter formulas of :mod:`symcore.analysis`. A job that fails gives a result
with its error; it never loses the other jobs' results::

    >>> from symcore.batch import TraceJob, trace_many
    >>> jobs = [TraceJob("gpt2:small", dynamic=["seq"], hints={"batch": 8}), TraceJob("resnet:50")]
    >>> gpt2, resnet = trace_many(jobs, progress=False)
    >>> gpt2.outputs, gpt2.flops
    ((('out', '[8, seq, 50257] float32'),), '294912*seq**2 + 1977778176*seq')
    >>> resnet.minimal_guards, resnet.at_hints["params"]
    (('height >= 1', 'width >= 1'), 25557032)
    >>> resnet.evaluate({"batch": 32})["flops"] > resnet.at_hints["flops"]
    True

Executors:

* Default: a process pool over the machine's cores (``max_workers`` to change; ``max_workers=1``
  runs in this process).
* Any :class:`concurrent.futures.Executor` works: ``trace_many(jobs, executor=pool)``.
* A Dask cluster (``pip install 'symcore[dask]'``): pass the executor of a ``distributed.Client``.
  For a local cluster, ``Client(LocalCluster(n_workers=4)).get_executor()``; for a remote one, start
  ``dask scheduler`` on a host and ``dask worker tcp://HOST:8786`` on each machine (each with symcore
  installed, same version), then::

      from distributed import Client
      with Client("tcp://HOST:8786") as client:
          results = trace_many(jobs, executor=client.get_executor())

  Results come back by pickle; a job built from a callable needs it importable on the workers (or
  registered with ``cloudpickle.register_pickle_by_value``).
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import json
import multiprocessing
import os
import shutil
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, TextIO, Union

from symcore.analysis import CostReport, analyze, describe_value, node_values
from symcore.graph import Graph, Node
from symcore.shape_env import ShapeEnv
from symcore.tensor.tracing import TracedModule, trace

__all__ = [
    "ErrorInfo",
    "GuardInfo",
    "Progress",
    "TraceJob",
    "TraceResult",
    "model_job_inputs",
    "run_job",
    "trace_many",
]

JobFactory = Callable[[], tuple[Callable[..., Any], Sequence[Any], Any]]
"""A picklable callable returning ``(fn, inputs, dynamic)``, traced as ``trace(fn, *inputs, dynamic=dynamic)``."""

Dynamic = Union[bool, Sequence[str]]


@dataclass(frozen=True)
class TraceJob:
    """One trace to run.

    Either ``model`` (a zoo spec, ``"gpt2"`` or ``"gpt2:small"``) with ``dynamic`` (True for
    every dim of the model, or the dim names to make symbolic; the others stay at their hints) and
    ``hints`` (example sizes by dim name), or ``factory``: a picklable callable returning
    ``(fn, inputs, dynamic)`` for :func:`symcore.trace`.

    Attributes:
        model: The zoo spec, or None with ``factory``.
        dynamic: Dims to make symbolic (model jobs).
        hints: ``dim -> example size`` (model jobs); unnamed dims use the model's defaults.
        factory: The generic form's callable.
        name: A label for progress and reports (default: the spec or the factory's name).
    """

    model: str | None = None
    dynamic: Dynamic = True
    hints: Mapping[str, int] | None = None
    factory: JobFactory | None = None
    name: str | None = None

    def __post_init__(self) -> None:
        """Checks that exactly one of ``model`` and ``factory`` is given."""
        if (self.model is None) == (self.factory is None):
            raise ValueError("a TraceJob needs exactly one of model= (a zoo spec like 'gpt2:small') and factory=")
        if not isinstance(self.dynamic, bool):
            object.__setattr__(self, "dynamic", tuple(self.dynamic))

    @property
    def label(self) -> str:
        """The job's name for humans."""
        if self.name:
            return self.name
        if self.model is not None:
            return self.model
        return getattr(self.factory, "__qualname__", None) or repr(self.factory)


@dataclass(frozen=True)
class GuardInfo:
    """A guard as plain data: the expression's printed form and where it was recorded."""

    expr: str
    origin: str | None = None

    def __str__(self) -> str:
        return self.expr if self.origin is None else f"{self.expr}  ({_short_origin(self.origin)})"


@dataclass(frozen=True)
class ErrorInfo:
    """Why a job failed: the exception's type name, message and formatted traceback."""

    type: str
    message: str
    traceback: str

    def __str__(self) -> str:
        return f"{self.type}: {self.message}"


@dataclass(frozen=True)
class TraceResult:
    """What one job produced, as plain picklable data (no SymInts, no graph objects).

    Results compare equal when everything but the timings and the worker's pid is equal.

    Attributes:
        name: The job's label.
        model: The model's zoo name (None for factory jobs).
        preset: The preset traced (None for factory jobs).
        error: Why the job failed, or None; the other fields are empty then.
        graph_json: The graph as :meth:`Graph.to_json` text (read it back with :meth:`graph`).
        graph_text: The graph's readable listing (``print(graph)``).
        num_nodes: Nodes in the graph.
        num_ops: ``call_function`` nodes that are tensor ops (not shape arithmetic).
        symbols: ``name -> hint`` for every symbol of the trace.
        guards: Every guard recorded, in order, with its source line.
        minimal_guards: The guards the trace needs, minimal (``ShapeEnv.produce_guards``).
        inputs: ``(name, description)`` of each input (``[batch, seq] int64``).
        outputs: ``(path, description)`` of each output tensor or value (``out[0]``).
        node_shapes: ``node name -> description`` of every node's symbolic value.
        flops: Total FLOPs (symcore printed form; :meth:`ShapeEnv.parse` reads it back).
        activation_bytes: Bytes of every intermediate.
        peak_bytes: Peak live bytes along the graph.
        params: Parameter count.
        flops_by_kind: ``kind -> FLOPs`` (matmul, conv, attention, elementwise, ...).
        at_hints: The four totals evaluated at the hints.
        trace_seconds: Time to trace.
        analysis_seconds: Time to compute shapes and formulas.
        worker: The pid of the process that ran the job.
    """

    name: str
    model: str | None = None
    preset: str | None = None
    error: ErrorInfo | None = None
    graph_json: str = ""
    graph_text: str = ""
    num_nodes: int = 0
    num_ops: int = 0
    symbols: dict[str, int | None] = field(default_factory=dict)
    guards: tuple[GuardInfo, ...] = ()
    minimal_guards: tuple[str, ...] = ()
    inputs: tuple[tuple[str, str], ...] = ()
    outputs: tuple[tuple[str, str], ...] = ()
    node_shapes: dict[str, str] = field(default_factory=dict)
    flops: str = ""
    activation_bytes: str = ""
    peak_bytes: str = ""
    params: str = ""
    flops_by_kind: dict[str, str] = field(default_factory=dict)
    at_hints: dict[str, int] = field(default_factory=dict)
    trace_seconds: float = field(default=0.0, compare=False)
    analysis_seconds: float = field(default=0.0, compare=False)
    worker: int = field(default=0, compare=False)

    @property
    def ok(self) -> bool:
        """True when the job succeeded."""
        return self.error is None

    @property
    def seconds(self) -> float:
        """Trace and analysis time together."""
        return self.trace_seconds + self.analysis_seconds

    def graph(self) -> Graph:
        """The traced graph, rebuilt from :attr:`graph_json` (validated; nothing is executed).

        Raises:
            ValueError: the job failed, so there is no graph.
        """
        if not self.ok:
            raise ValueError(f"job {self.name!r} failed ({self.error}); it has no graph")
        return Graph.from_json(self.graph_json)

    def formulas(self) -> dict[str, str]:
        """``flops``, ``activation_bytes``, ``peak_bytes`` and ``params`` in symcore's printed form."""
        return {
            "flops": self.flops,
            "activation_bytes": self.activation_bytes,
            "peak_bytes": self.peak_bytes,
            "params": self.params,
        }

    def evaluate(self, binding: Mapping[str, int] | None = None) -> dict[str, int]:
        """The four totals as ints; symbols missing from ``binding`` take their hints.

        Raises:
            ValueError: the job failed.
            UnboundSymbolError: a symbol without a hint and not in ``binding``.
        """
        if not self.ok:
            raise ValueError(f"job {self.name!r} failed ({self.error}); it has no formulas")
        env = ShapeEnv()
        for name, hint in self.symbols.items():
            env.symint(name, hint=hint)
        full = {n: h for n, h in self.symbols.items() if h is not None}
        full.update(binding or {})
        return {k: int(env.evaluate(env.parse(v), full)) for k, v in self.formulas().items()}

    def to_dict(self) -> dict[str, Any]:
        """The result as JSON-ready data (the graph as a nested document, not a string)."""
        data = asdict(self)
        data["graph"] = json.loads(self.graph_json) if self.graph_json else None
        del data["graph_json"]
        data["ok"] = self.ok
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TraceResult:
        """Reads :meth:`to_dict` output back."""
        d = dict(data)
        d.pop("ok", None)
        graph = d.pop("graph", None)
        d["graph_json"] = json.dumps(graph) if graph is not None else ""
        d["error"] = ErrorInfo(**d["error"]) if d.get("error") else None
        d["guards"] = tuple(GuardInfo(**g) for g in d.get("guards", ()))
        d["minimal_guards"] = tuple(d.get("minimal_guards", ()))
        d["inputs"] = tuple(tuple(p) for p in d.get("inputs", ()))
        d["outputs"] = tuple(tuple(p) for p in d.get("outputs", ()))
        return cls(**d)


def _short_origin(origin: str) -> str:
    """``/a/b/gpt2.py:88 in forward`` -> ``gpt2.py:88 in forward``."""
    return origin.rsplit("/", 1)[-1].rsplit(os.sep, 1)[-1]


# --------------------------------------------------------------------------------------------------
# Running one job
# --------------------------------------------------------------------------------------------------


def model_job_inputs(job: TraceJob) -> tuple[str, str, TracedModule, tuple[Any, ...]]:
    """Trace a model job: ``(model name, preset, traced module, example inputs)``.

    Raises:
        KeyError, ValueError: an unknown model, preset or dim (``symcore.models`` errors).
    """
    from symcore import models

    assert job.model is not None
    entry, preset = models.parse_model_spec(job.model)
    dynamic: bool | Sequence[str] = job.dynamic
    traced = models.trace_model(entry.name, preset, dynamic=dynamic, hints=dict(job.hints or {}))
    hints = {**entry.dims, **dict(job.hints or {})}
    inputs = tuple(entry.inputs(entry.presets[preset], hints))
    return entry.name, preset, traced, inputs


def _flatten(value: Any, path: str) -> list[tuple[str, str]]:
    if isinstance(value, (tuple, list)):
        out: list[tuple[str, str]] = []
        for i, v in enumerate(value):
            out.extend(_flatten(v, f"{path}[{i}]"))
        return out
    if isinstance(value, dict):
        out = []
        for k, v in value.items():
            out.extend(_flatten(v, f"{path}[{k!r}]"))
        return out
    return [(path, describe_value(value))]


def _is_shape_op(node: Node) -> bool:
    from symcore.graph import target_name

    try:
        name = target_name(node.target)  # type: ignore[arg-type]
    except KeyError:
        return False
    return not (name.startswith("operator.") or name.startswith("symcore.sym_") or ".sym_" in name)


def run_job(job: TraceJob) -> TraceResult:
    """Run one job in this process; never raises for a failing trace (the result holds the error).

    This is what executors run: a top-level function, so it pickles by reference.
    """
    pid = os.getpid()
    model: str | None = None
    preset: str | None = None
    start = time.perf_counter()
    trace_seconds = 0.0
    try:
        if job.factory is not None:
            fn, inputs, dynamic = job.factory()
            inputs = tuple(inputs)
            traced = trace(fn, *inputs, dynamic=dynamic)
        else:
            model, preset, traced, inputs = model_job_inputs(job)
        trace_seconds = time.perf_counter() - start
        mid = time.perf_counter()
        result = _summarise(job, model, preset, traced, inputs)
        analysis_seconds = time.perf_counter() - mid
        return dataclasses.replace(result, trace_seconds=trace_seconds, analysis_seconds=analysis_seconds, worker=pid)
    except Exception as e:  # one failing job must not lose the others: report it instead
        elapsed = time.perf_counter() - start
        return TraceResult(
            name=job.label,
            model=model,
            preset=preset,
            error=ErrorInfo(type(e).__name__, str(e), traceback.format_exc()),
            trace_seconds=trace_seconds or elapsed,
            analysis_seconds=elapsed - trace_seconds if trace_seconds else 0.0,
            worker=pid,
        )


def _summarise(
    job: TraceJob, model: str | None, preset: str | None, traced: TracedModule, inputs: tuple[Any, ...]
) -> TraceResult:
    env = traced.shape_env
    graph = traced.graph
    report = analyze(traced, *inputs)
    values, _ = node_values(traced, *inputs)
    placeholders = [n for n in graph.nodes if n.op == "placeholder"]
    output = next((n for n in graph.nodes if n.op == "output"), None)
    return TraceResult(
        name=job.label,
        model=model,
        preset=preset,
        graph_json=graph.to_json(),
        graph_text=str(graph),
        num_nodes=len(graph.nodes),
        num_ops=sum(1 for n in graph.nodes if n.op == "call_function" and _is_shape_op(n)),
        symbols={name: hint for name, (hint, _, _) in env.symbols.items()},
        guards=tuple(GuardInfo(str(g.expr), g.origin) for g in env.guards),
        minimal_guards=tuple(env.produce_guards()),
        inputs=tuple((str(n.target), describe_value(values.get(n))) for n in placeholders),
        outputs=tuple(_flatten(values.get(output), "out")) if output is not None else (),
        node_shapes={n.name: describe_value(values.get(n)) for n in graph.nodes if n.op != "output"},
        flops=str(report.flops),
        activation_bytes=str(report.activation_bytes),
        peak_bytes=str(report.peak_bytes),
        params=str(report.params),
        flops_by_kind={k: str(v) for k, v in report.flops_by_kind.items()},
        at_hints=_at_hints(report),
    )


def _at_hints(report: CostReport) -> dict[str, int]:
    """The totals at the hints; a total over a symbol without a hint (an unbacked one) is left out."""
    env = report.shape_env
    full = {name: hint for name, (hint, _, _) in env.symbols.items() if hint is not None}
    out: dict[str, int] = {}
    for key in report.formulas():
        value = getattr(report, key)
        if value.free_symbols <= full.keys():
            out[key] = int(env.evaluate(value, full))
    return out


# --------------------------------------------------------------------------------------------------
# Progress
# --------------------------------------------------------------------------------------------------


class Progress:
    """A one-line progress bar on a terminal: count/total, rate, ETA and the current job.

    Draws only when ``enabled`` and the stream is a TTY; redraws at most ten times a second with
    ``\\r``, fitted to the terminal's width; :meth:`close` clears the line.
    """

    def __init__(self, total: int, *, enabled: bool = True, stream: TextIO | None = None) -> None:
        """A bar for ``total`` steps, writing to ``stream`` (stderr by default)."""
        self.stream = stream if stream is not None else sys.stderr
        self.total = total
        self.done = 0
        self.label = ""
        self.enabled = enabled and _isatty(self.stream)
        self._start = time.perf_counter()
        self._last_draw = 0.0
        self._drawn = False

    def update(self, done: int | None = None, label: str | None = None, *, force: bool = False) -> None:
        """Set the count (and the current job's label) and redraw if due."""
        if done is not None:
            self.done = done
        if label is not None:
            self.label = label
        if not self.enabled:
            return
        now = time.perf_counter()
        if not force and now - self._last_draw < 0.1 and self.done < self.total:
            return
        self._last_draw = now
        self.stream.write("\r" + self.render(now - self._start) + "\x1b[K")
        self.stream.flush()
        self._drawn = True

    def render(self, elapsed: float, width: int | None = None) -> str:
        """The bar's text after ``elapsed`` seconds, at most ``width`` characters."""
        if width is None:
            width = shutil.get_terminal_size((80, 24)).columns - 1
        rate = self.done / elapsed if elapsed > 0 else 0.0
        if self.done >= self.total:
            eta = f"in {_duration(elapsed)}"
        elif rate > 0:
            eta = f"ETA {_duration((self.total - self.done) / rate)}"
        else:
            eta = "ETA ?"
        stats = f" {self.done}/{self.total} {rate:.1f}/s {eta} {self.label}"
        bar_width = max(0, min(30, width - len(stats) - 2))
        filled = bar_width * self.done // self.total if self.total else bar_width
        bar = f"[{'#' * filled}{'.' * (bar_width - filled)}]" if bar_width >= 5 else ""
        return (bar + stats)[:width]

    def close(self) -> None:
        """Clear the bar's line."""
        if self._drawn:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self._drawn = False


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.0f}s"
    if seconds < 3600:
        return f"{seconds // 60:.0f}m{seconds % 60:02.0f}s"
    return f"{seconds // 3600:.0f}h{seconds % 3600 // 60:02.0f}m"


# --------------------------------------------------------------------------------------------------
# trace_many
# --------------------------------------------------------------------------------------------------


def _as_job(job: TraceJob | str) -> TraceJob:
    if isinstance(job, TraceJob):
        return job
    if isinstance(job, str):
        return TraceJob(job)
    raise TypeError(f"a job must be a TraceJob or a model spec string, got {type(job).__name__}")


def _crashed(job: TraceJob, e: BaseException) -> TraceResult:
    text = "".join(traceback.format_exception(type(e), e, e.__traceback__))
    return TraceResult(name=job.label, error=ErrorInfo(type(e).__name__, str(e) or repr(e), text))


def _default_pool(workers: int) -> concurrent.futures.ProcessPoolExecutor:
    """A process pool. ``fork`` where it is safe — a POSIX process with one thread, so no lock
    can be held by a thread that the child would not have — because it starts in milliseconds
    and does not re-run the caller's ``__main__`` (a script without an ``if __name__ ==
    "__main__"`` guard, or code piped to ``python -``, works). ``spawn`` otherwise."""
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1 else "spawn"
    return concurrent.futures.ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context(method))


def _run_isolated(job: TraceJob) -> TraceResult:
    """Run one job in a fresh single-worker pool (after a pool broke, to find the job that breaks it)."""
    with _default_pool(1) as pool:
        try:
            return pool.submit(run_job, job).result()
        except Exception as e:
            return _crashed(job, e)


def _weight(job: TraceJob) -> int:
    """A guess at a job's cost for scheduling: the model's parameter count (0 when unknown)."""
    if job.model is None:
        return 0
    try:
        from symcore.models import parse_model_spec

        entry, preset = parse_model_spec(job.model)
    except (KeyError, ValueError):
        return 0
    return entry.published_params.get(preset, 0)


def trace_many(
    jobs: Iterable[TraceJob | str],
    executor: concurrent.futures.Executor | None = None,
    progress: bool = True,
    *,
    max_workers: int | None = None,
    on_result: Callable[[int, TraceResult], None] | None = None,
) -> list[TraceResult]:
    """Trace every job; one :class:`TraceResult` per job, in the jobs' order.

    Args:
        jobs: :class:`TraceJob` objects, or model specs (``"gpt2:small"``) for the defaults.
        executor: Where to run them: any ``concurrent.futures.Executor`` (a Dask client's
            ``get_executor()`` for a cluster). Default: a process pool of ``max_workers``
            processes (the number of cores), or this process when ``max_workers == 1`` or there
            is a single job. An executor passed in is not shut down.
        progress: Show a progress bar on stderr (only when stderr is a terminal).
        max_workers: Size of the default pool.
        on_result: Called as ``on_result(index, result)`` as each job finishes (any order).

    Returns:
        The results; failed jobs have :attr:`TraceResult.error` set (a worker that died, too).
    """
    job_list = [_as_job(j) for j in jobs]
    results: list[TraceResult | None] = [None] * len(job_list)
    bar = Progress(len(job_list), enabled=progress)

    def finish(i: int, result: TraceResult) -> None:
        results[i] = result
        done = sum(r is not None for r in results)
        bar.update(done, f"done {result.name}", force=done == len(job_list))
        if on_result is not None:
            on_result(i, result)

    workers = max_workers if max_workers is not None else (os.cpu_count() or 1)
    try:
        bar.update(0, force=True)
        if executor is None and (workers <= 1 or len(job_list) <= 1):
            for i, job in enumerate(job_list):
                bar.update(label=f"tracing {job.label}", force=True)
                finish(i, run_job(job))
        else:
            owned = executor is None
            pool = executor if executor is not None else _default_pool(min(workers, len(job_list)))
            broken = False
            try:
                # Largest first, so that one long job does not start last and leave a core idle.
                order = sorted(range(len(job_list)), key=lambda i: -_weight(job_list[i]))
                futures = {pool.submit(run_job, job_list[i]): i for i in order}
                for future in concurrent.futures.as_completed(futures):
                    i = futures[future]
                    try:
                        finish(i, future.result())
                    except concurrent.futures.process.BrokenProcessPool:
                        broken = True
                    except Exception as e:  # the executor lost the job (pickling, a dead worker, ...)
                        finish(i, _crashed(job_list[i], e))
            finally:
                if owned:
                    pool.shutdown(wait=True, cancel_futures=True)
            if broken:
                # A worker died (a crash, the OOM killer): rerun each unfinished job alone, so only
                # the job that kills its process is reported as failed.
                for i, job in enumerate(job_list):
                    if results[i] is None:
                        bar.update(label=f"retrying {job.label}", force=True)
                        finish(i, _run_isolated(job))
    finally:
        bar.close()
    return [r for r in results if r is not None]
