"""A hypothesis state machine drives one ShapeEnv: declaring symbols, guarding (``bool()``),
checking (``env.check``), equalities that become replacements, divisibility facts, and
questions to ``decide``.

Every fact is also kept as an expression tree and judged with plain Python ints (the oracle), so
the invariants do not trust the code under test:

- every recorded guard and check holds at the hints, and ``guard_fn`` accepts the hints;
- a True/False that ``decide`` claims agrees with the oracle at every sampled binding that
  satisfies all facts (by the oracle), whatever replacements or divisibility facts were learned.
"""

from __future__ import annotations

import random
from typing import Any

from hypothesis import note, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from oracle import COMPARISONS, PLAIN_BINARY, compute_tree
from symcore import ShapeEnv

_CMPS = tuple(COMPARISONS.values())


def _oracle(fact: tuple[Any, int, Any, bool], binding: dict[str, int]) -> bool:
    """Whether ``binding`` satisfies the fact (a raising side counts as not satisfying)."""
    left, k, right, want = fact
    try:
        return _CMPS[k](compute_tree(left, binding, False), compute_tree(right, binding, False)) == want
    except ZeroDivisionError:
        return False


class ShapeEnvMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.env = ShapeEnv()
        self.syms: dict[str, Any] = {}
        self.hints: dict[str, int] = {}
        self.lows: dict[str, int] = {}
        self.facts: list[tuple[Any, int, Any, bool]] = []

    def _trees(self) -> st.SearchStrategy[Any]:
        leaf = st.one_of(st.sampled_from(sorted(self.syms)), st.integers(-2, 9))
        ops = st.sampled_from(sorted(PLAIN_BINARY))
        return st.recursive(leaf, lambda kids: st.tuples(ops, kids, kids), max_leaves=5)

    def _comparison(self, data: st.DataObject) -> tuple[Any, int, Any, Any, bool] | None:
        left, k, right = data.draw(self._trees()), data.draw(st.integers(0, 5)), data.draw(self._trees())
        try:
            hint_value = _CMPS[k](compute_tree(left, self.hints, False), compute_tree(right, self.hints, False))
            q = _CMPS[k](compute_tree(left, self.syms, True), compute_tree(right, self.syms, True))
        except ZeroDivisionError:
            return None
        if isinstance(q, bool):
            return None
        return left, k, right, q, hint_value

    @rule(hint=st.integers(0, 12), low=st.sampled_from([None, 0, 1]))
    @precondition(lambda self: len(self.syms) < 4)
    def declare(self, hint: int, low: int | None) -> None:
        low = None if low is None else min(low, hint)
        name = f"x{len(self.syms)}"
        self.syms[name] = self.env.symint(name, hint, min=low)
        self.hints[name] = hint
        self.lows[name] = -3 if low is None else low

    @rule(data=st.data())
    @precondition(lambda self: self.syms)
    def guard(self, data: st.DataObject) -> None:
        drawn = self._comparison(data)
        if drawn is None:
            return
        left, k, right, q, hint_value = drawn
        assert bool(q) is hint_value
        self.facts.append((left, k, right, hint_value))

    @rule(data=st.data())
    @precondition(lambda self: self.syms)
    def check(self, data: st.DataObject) -> None:
        drawn = self._comparison(data)
        if drawn is None:
            return
        left, k, right, q, hint_value = drawn
        self.env.check(q if hint_value else ~q)
        self.facts.append((left, k, right, hint_value))

    @rule(data=st.data())
    @precondition(lambda self: len(self.syms) >= 2)
    def equality(self, data: st.DataObject) -> None:
        a, b = data.draw(st.permutations(sorted(self.syms)))[:2]
        if self.hints[a] == self.hints[b]:
            assert bool(self.syms[a] == self.syms[b])
            self.facts.append((a, 2, b, True))

    @rule(data=st.data(), k=st.integers(2, 4))
    @precondition(lambda self: self.syms)
    def divisibility(self, data: st.DataObject, k: int) -> None:
        a = data.draw(st.sampled_from(sorted(self.syms)))
        want = self.hints[a] % k == 0
        assert bool(self.syms[a] % k == 0) is want
        self.facts.append((("%", a, k), 2, 0, want))

    @rule(data=st.data())
    @precondition(lambda self: self.syms)
    def decide(self, data: st.DataObject) -> None:
        drawn = self._comparison(data)
        if drawn is None:
            return
        left, k, right, q, _ = drawn
        truth = self.env.decide(q).truth
        note(f"decide({q}) = {truth}; facts {[str(g) for g in self.env.guards + self.env.runtime_asserts]}")
        if truth is None:
            return
        rng = random.Random(data.draw(st.integers(0, 2**32)))
        names = sorted(self.syms)
        samples = [dict(self.hints)]
        samples += [{n: rng.randint(self.lows[n], 14) for n in names} for _ in range(400)]
        for b in samples:
            if all(_oracle(f, b) for f in self.facts) and _oracle((left, k, right, truth), b) is False:
                try:
                    compute_tree(left, b, False), compute_tree(right, b, False)
                except ZeroDivisionError:
                    continue  # the question does not evaluate there: no claim about it
                raise AssertionError(f"decide({q}) = {truth}, but not at {b}")

    @invariant()
    def facts_hold_at_the_hints(self) -> None:
        for g in self.env.guards + self.env.runtime_asserts:
            assert self.env.evaluate(g.expr, self.hints) is True, g
        if self.syms:
            assert self.env.guard_fn()(self.hints)


ShapeEnvMachine.TestCase.settings = settings(max_examples=60, stateful_step_count=25, deadline=None)
TestShapeEnvMachine = ShapeEnvMachine.TestCase
