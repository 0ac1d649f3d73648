"""Memory is owned: an environment's expressions (and the cached result objects that point back
at it) are freed when nothing references them, so many traces in one process stay flat."""

import gc
import weakref

import symcore


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 / 2**20


def _trace_once() -> weakref.ref:
    env = symcore.ShapeEnv()
    a = env.symint("a", 3)
    b = env.symint("b", 5)
    xs = [a * i + b for i in range(20_000)]
    assert bool(xs[5] > 3)
    assert len(env) > 40_000
    return weakref.ref(env)


def test_environments_are_freed():
    ref = _trace_once()
    gc.collect()
    assert ref() is None
    for _ in range(3):  # warm up allocator pools
        _trace_once()
    before = _rss_mb()
    for _ in range(30):
        _trace_once()
    grown = _rss_mb() - before
    # One environment of this size takes ~10 MB; keeping 30 of them would grow by ~300 MB.
    assert grown < 60, f"RSS grew by {grown:.0f} MB over 30 freed environments"


def test_values_outliving_their_environment_still_work():
    env = symcore.ShapeEnv()
    n = env.symint("n", 6)
    x = (n + 1) * 2
    del env
    gc.collect()
    assert x.hint == 14
    assert str(x) == "2*n + 2"
    assert (x // 2).hint == 7
