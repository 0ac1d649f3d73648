"""Batch tracing on a real Dask cluster: a LocalCluster of two worker processes, driven through
``client.get_executor()`` exactly as a remote ``Client("tcp://host:8786")`` would be."""

import os

from distributed import Client, LocalCluster

from symcore.batch import TraceJob, trace_many

JOBS = [
    TraceJob("gpt2"),
    TraceJob("bert:base", dynamic=["seq"]),
    TraceJob("resnet:18", dynamic=["batch", "height"], hints={"height": 192}),
    TraceJob("gpt2:no-such-preset"),  # fails on a worker; the others must survive it
    TraceJob("vit"),
]


def test_a_dask_cluster_gives_the_same_results_as_a_local_run():
    local = trace_many(JOBS, progress=False, max_workers=1)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with Client(cluster) as client:
            remote = trace_many(JOBS, executor=client.get_executor(), progress=False)
            workers = set(client.run(os.getpid).values())
    assert [r.ok for r in remote] == [True, True, True, False, True]
    assert remote == local
    assert remote[3].error.type == "UnknownPresetError"
    assert len(workers) == 2 and os.getpid() not in workers
    assert {r.worker for r in remote} <= workers  # every job ran on a cluster worker
