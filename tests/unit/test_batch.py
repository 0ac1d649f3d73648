"""symcore.batch: TraceJob, run_job, trace_many (process pool, inline, any executor), TraceResult as
plain picklable data, and the progress bar."""

import concurrent.futures
import io
import os
import pickle

import pytest

from symcore import nn
from symcore.batch import Progress, TraceJob, TraceResult, run_job, trace_many

# -- job factories: top-level so that they pickle by reference into worker processes -----------------


def mlp_job():
    model = nn.Sequential(nn.Linear(16, 32), nn.ReLU(), nn.Linear(32, 4))
    return model, [(2, 10, 16)], {"input": {0: "batch", 1: "seq"}}


def guarded_job():
    def f(x):
        if x.shape[1] % 8 == 0:
            return x.view(x.shape[0], x.shape[1] // 8, 8).sum(dim=2)
        return x

    return f, [(3, 64)], {"x": {0: "batch", 1: "seq"}}


def failing_job():
    raise RuntimeError("this model cannot be built")


def crashing_job():
    os._exit(3)  # the worker process dies without a Python exception


def test_run_job_returns_plain_data_with_graph_guards_shapes_and_formulas():
    r = run_job(TraceJob(factory=guarded_job, name="guarded"))
    assert r.ok and r.name == "guarded" and r.model is None
    assert r.symbols == {"batch": 3, "seq": 64}
    assert r.minimal_guards == ("seq % 8 == 0",)
    assert r.guards[0].origin is not None and "test_batch.py" in r.guards[0].origin
    assert r.outputs == (("out", "[batch, seq // 8] float32"),)
    assert r.inputs == (("x", "[batch, seq] float32"),)
    assert r.node_shapes["view"] == "[batch, seq // 8, 8] float32"
    assert r.flops == "batch*seq" and r.at_hints["flops"] == 3 * 64
    assert r.graph_text == str(r.graph())  # the JSON rebuilds the same graph
    assert r.num_ops == 2 and r.num_nodes == len(r.graph().nodes)
    assert r.trace_seconds > 0 and r.worker == os.getpid()


def test_results_pickle_and_round_trip_through_json_dicts():
    r = run_job(TraceJob(factory=mlp_job))
    assert pickle.loads(pickle.dumps(r)) == r
    assert TraceResult.from_dict(r.to_dict()) == r
    assert r.evaluate({"batch": 5, "seq": 7})["flops"] == 5 * 7 * (2 * 16 * 32 + 32 + 32 + 2 * 32 * 4 + 4)


def test_results_compare_without_timings():
    a = run_job(TraceJob(factory=mlp_job))
    b = run_job(TraceJob(factory=mlp_job))
    assert a.trace_seconds != b.trace_seconds or a.analysis_seconds != b.analysis_seconds or a == b
    assert a == b


def test_a_model_job_uses_the_zoo():
    r = run_job(TraceJob("gpt2:small", dynamic=("seq",), hints={"batch": 4}))
    assert r.ok, r.error
    assert (r.model, r.preset) == ("gpt2", "small")
    assert r.symbols == {"seq": 128}
    assert r.outputs == (("out", "[4, seq, 50257] float32"),)
    assert r.at_hints["params"] == 124_439_808


@pytest.mark.parametrize(
    ("spec", "error"),
    [("nosuchmodel", "UnknownModelError"), ("gpt2:huge", "UnknownPresetError")],
)
def test_bad_specs_become_error_results(spec, error):
    r = run_job(TraceJob(spec))
    assert not r.ok and r.error.type == error
    assert spec.split(":")[-1] in r.error.message
    with pytest.raises(ValueError, match="no graph"):
        r.graph()


def test_one_failing_job_never_loses_the_others():
    jobs = [TraceJob(factory=mlp_job), TraceJob(factory=failing_job), "gpt2", TraceJob(factory=guarded_job)]
    results = trace_many(jobs, progress=False, max_workers=2)
    assert [r.ok for r in results] == [True, False, True, True]
    assert results[1].error.type == "RuntimeError"
    assert "this model cannot be built" in results[1].error.traceback
    assert results[2].model == "gpt2" and results[3].minimal_guards == ("seq % 8 == 0",)
    # The default executor is a pool of other processes.
    assert all(r.worker != os.getpid() for r in results)


def test_a_worker_that_dies_fails_only_its_job():
    jobs = [TraceJob(factory=mlp_job), TraceJob(factory=crashing_job, name="crash"), TraceJob(factory=guarded_job)]
    results = trace_many(jobs, progress=False, max_workers=2)
    assert [r.ok for r in results] == [True, False, True]
    assert results[1].name == "crash" and "BrokenProcessPool" in results[1].error.type


def test_local_runs_and_any_executor_give_equal_results():
    jobs = [TraceJob(factory=mlp_job), TraceJob(factory=guarded_job), TraceJob("resnet", dynamic=["batch"])]
    inline = trace_many(jobs, progress=False, max_workers=1)
    assert all(r.worker == os.getpid() for r in inline)
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        threaded = trace_many(jobs, executor=pool, progress=False)
    pooled = trace_many(jobs, progress=False, max_workers=2)
    assert inline == threaded == pooled


def test_on_result_is_called_for_every_job():
    seen = []
    trace_many([TraceJob(factory=mlp_job)] * 3, progress=False, max_workers=1, on_result=lambda i, r: seen.append(i))
    assert sorted(seen) == [0, 1, 2]


def test_a_job_needs_exactly_one_of_model_and_factory():
    with pytest.raises(ValueError, match="exactly one"):
        TraceJob()
    with pytest.raises(ValueError, match="exactly one"):
        TraceJob("gpt2", factory=mlp_job)
    with pytest.raises(TypeError):
        trace_many([42], progress=False)


class FakeTTY(io.StringIO):
    def isatty(self):
        return True


def test_progress_bar_draws_one_updated_line_on_a_terminal():
    stream = FakeTTY()
    bar = Progress(4, stream=stream)
    bar.update(0, "tracing gpt2", force=True)
    bar.update(2, "done bert", force=True)
    text = stream.getvalue()
    assert text.startswith("\r") and "\n" not in text
    assert "2/4" in text and "/s" in text and "ETA" in text and "done bert" in text
    bar.close()
    assert stream.getvalue().endswith("\r\x1b[K")
    line = Progress(10, stream=stream).render(2.0, width=40)
    assert len(line) <= 40


def test_progress_bar_is_off_when_not_a_terminal_or_not_wanted():
    plain = io.StringIO()
    bar = Progress(3, stream=plain)
    bar.update(1, "x", force=True)
    bar.close()
    assert plain.getvalue() == ""
    tty = FakeTTY()
    bar = Progress(3, enabled=False, stream=tty)
    bar.update(1, "x", force=True)
    assert tty.getvalue() == ""


def test_trace_many_draws_progress_on_a_terminal_stderr(monkeypatch):
    stream = FakeTTY()
    monkeypatch.setattr("sys.stderr", stream)
    trace_many([TraceJob(factory=mlp_job)] * 2, max_workers=1)
    assert "2/2" in stream.getvalue() and "mlp_job" in stream.getvalue()
    stream2 = FakeTTY()
    monkeypatch.setattr("sys.stderr", stream2)
    trace_many([TraceJob(factory=mlp_job)], max_workers=1, progress=False)
    assert stream2.getvalue() == ""
