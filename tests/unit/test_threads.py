"""Two or more threads using symcore at once get correct answers (DESIGN: thread-safe)."""

import threading

import symcore


def _work(env: symcore.ShapeEnv, names: list[str], seed: int, out: dict, key: int) -> None:
    syms = [env.symint(f"{n}_{key}", hint=seed + i + 1) for i, n in enumerate(names)]
    hints = [seed + i + 1 for i in range(len(names))]
    acc, ref = syms[0], hints[0]
    for i in range(2000):
        s, h = syms[i % len(syms)], hints[i % len(hints)]
        acc = (acc * 3 + s + i) // 2 % 1000003
        ref = (ref * 3 + h + i) // 2 % 1000003
        if i % 97 == 0:
            # bool() reaches the ShapeEnv's guard hook from this thread.
            assert bool(acc >= 0) == (ref >= 0)
    out[key] = (acc.hint, ref)


def test_threads_sharing_one_environment_get_correct_answers():
    env = symcore.ShapeEnv()
    out: dict = {}
    threads = [threading.Thread(target=_work, args=(env, ["a", "b", "c"], 10 * k, out, k)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a thread deadlocked"
    assert len(out) == 4
    for got, expected in out.values():
        assert got == expected


def test_threads_with_separate_environments_get_correct_answers():
    out: dict = {}
    threads = [threading.Thread(target=_work, args=(symcore.ShapeEnv(), ["x", "y"], 7 * k, out, k)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a thread deadlocked"
    assert [out[k][0] for k in range(4)] == [out[k][1] for k in range(4)]


def _guarding(env: symcore.ShapeEnv, key: int, out: dict) -> None:
    s = env.symint(f"g{key}", hint=100 + key, min=0)
    recorded = 0
    for k in range(1, 60):
        # Each is a fresh fact about this thread's symbol: a guard every time.
        assert bool(s > k) is True
        assert bool(s % (k + 1) == (100 + key) % (k + 1)) is True
        recorded += 2
    out[key] = recorded


def test_threads_recording_guards_in_one_environment_keep_every_guard():
    env = symcore.ShapeEnv()
    out: dict = {}
    threads = [threading.Thread(target=_guarding, args=(env, k, out)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a thread deadlocked"
    assert len(out) == 4
    check = env.guard_fn()
    hints = {name: h for name, (h, _, _) in env.symbols.items()}
    assert check(hints)
    for k in range(4):
        bad = dict(hints, **{f"g{k}": hints[f"g{k}"] + 1})
        assert not check(bad)
    # every guard is where it belongs: about one symbol, true at the hints
    for g in env.guards:
        assert len(g.expr.free_symbols) == 1 and env.evaluate(g.expr, hints) is True


def _tracing(key: int, out: dict) -> None:
    import symcore.nn as nn

    model = nn.Sequential(nn.Linear(16, 32), nn.ReLU(), nn.Linear(32, 8 + key))
    gm = symcore.trace(model, symcore.empty(4 + key, 16), dynamic=True)
    out[key] = (gm((3, 16)).shape, gm((50, 16)).shape)


def test_threads_tracing_at_once_get_their_own_graphs():
    out: dict = {}
    threads = [threading.Thread(target=_tracing, args=(k, out)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a thread deadlocked"
    for k in range(4):
        assert out[k] == ((3, 8 + k), (50, 8 + k))
