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
