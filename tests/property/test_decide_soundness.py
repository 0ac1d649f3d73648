"""Soundness of ShapeEnv's proofs, by brute force against plain Python ints.

Random expression trees are computed twice with the same Python operators: on plain ints (the
oracle) and on SymInts. Random facts are made true at the hints and added with ``env.check``.
Then every binding in the (small) declared ranges that satisfies all facts — judged by the
oracle — must agree with any True/False that ``decide`` claims for a random question, and
``guard_fn`` must agree with evaluating each guard.
"""

from __future__ import annotations

import itertools
from typing import Any

from hypothesis import given, note, settings
from hypothesis import strategies as st

from oracle import COMPARISONS, PLAIN_BINARY, compute_tree
from symcore import ContradictionError, ShapeEnv

NAMES = ("a", "b", "c")

_CMPS = tuple(COMPARISONS.values())


def trees(depth: int = 3) -> st.SearchStrategy[Any]:
    leaf = st.one_of(st.sampled_from(NAMES), st.integers(-3, 9))
    return st.recursive(
        leaf,
        lambda kids: st.tuples(st.sampled_from(sorted(PLAIN_BINARY)), kids, kids),
        max_leaves=6,
    )


def oracle(tree: Any, binding: dict[str, int]) -> int | None:
    try:
        return compute_tree(tree, binding, False)
    except ZeroDivisionError:
        return None


ranges = st.lists(st.tuples(st.integers(-2, 4), st.integers(0, 5)), min_size=3, max_size=3)
comparisons = st.tuples(trees(), st.sampled_from(range(len(_CMPS))), trees())


@settings(deadline=None)
@given(ranges, st.lists(comparisons, max_size=3), st.lists(comparisons, min_size=1, max_size=4), st.data())
def test_decisions_hold_at_every_admissible_binding(spans, facts, questions, data):
    env = ShapeEnv()
    hints = {}
    syms = {}
    for name, (lo, width) in zip(NAMES, spans):
        hints[name] = data.draw(st.integers(lo, lo + width), label=f"hint {name}")
        syms[name] = env.symint(name, hints[name], min=lo, max=lo + width)
    # Facts true at the hints (their negation when false there), asserted as checks.
    kept: list[tuple[Any, int, Any, bool]] = []
    for left, k, right in facts:
        lv, rv = oracle(left, hints), oracle(right, hints)
        if lv is None or rv is None:
            continue
        holds = _CMPS[k](lv, rv)
        cond = _CMPS[k](compute_tree(left, syms, True), compute_tree(right, syms, True))
        if isinstance(cond, bool):
            continue
        try:
            env.check(cond if holds else ~cond)
        except ContradictionError:  # pragma: no cover - would be a bug: it holds at the hints
            raise AssertionError(f"check of {cond} (={holds} at hints) contradicted") from None
        kept.append((left, k, right, holds))
    bindings = [dict(zip(NAMES, values)) for values in itertools.product(*(range(lo, lo + w + 1) for lo, w in spans))]

    def admissible(b: dict[str, int]) -> bool:
        for left, k, right, holds in kept:
            lv, rv = oracle(left, b), oracle(right, b)
            if lv is None or rv is None or _CMPS[k](lv, rv) != holds:
                return False
        return True

    good = [b for b in bindings if admissible(b)]
    assert hints in good
    for left, k, right in questions:
        try:
            q = _CMPS[k](compute_tree(left, syms, True), compute_tree(right, syms, True))
        except ZeroDivisionError:
            continue
        if isinstance(q, bool):
            continue
        truth = env.decide(q).truth
        note(f"{q}: {truth}")
        if truth is None:
            continue
        for b in good:
            lv, rv = oracle(left, b), oracle(right, b)
            if lv is not None and rv is not None:
                assert _CMPS[k](lv, rv) == truth, f"{q} claimed {truth}, false at {b}"


@settings(deadline=None)
@given(st.lists(st.tuples(trees(), st.sampled_from(range(len(_CMPS))), trees()), min_size=1, max_size=5), st.data())
def test_guard_fn_agrees_with_each_guard(conds, data):
    env = ShapeEnv()
    syms = {n: env.symint(n, data.draw(st.integers(1, 12)), min=0, max=15) for n in NAMES}
    for left, k, right in conds:
        try:
            bool(_CMPS[k](compute_tree(left, syms, True), compute_tree(right, syms, True)))
        except ZeroDivisionError:
            continue
    fn = env.guard_fn()
    # Guard texts are read back in a fresh environment: in `env` itself the guards are known
    # facts, so parsing `s % 2 == 0` there would give True.
    fresh = ShapeEnv()
    for n in NAMES:
        fresh.symint(n, 1)
    for _ in range(20):
        b = {n: data.draw(st.integers(0, 15)) for n in NAMES}
        # Where a guard's own computation raises, the traced code raises too: no verdict to check
        # (guard_fn answers False there, or True when other guards imply the guard where defined).
        try:
            expected = all(fresh.evaluate(fresh.parse(str(g)), b) is True for g in env.guards)
        except ZeroDivisionError:
            continue
        assert fn(b) is expected, (b, [str(g) for g in env.guards], env.produce_guards())
