"""Random operations on every kind of value never crash: each either returns or raises an
ordinary ``Exception`` (never a Rust panic, which pyo3 surfaces as a ``BaseException``)."""

import math
import operator
import random

import pytest

import symcore

SYM = (symcore.SymInt, symcore.SymBool, symcore.SymFloat)
BINARY = [
    operator.add, operator.sub, operator.mul, operator.truediv, operator.floordiv, operator.mod, operator.pow,
    operator.lshift, operator.rshift, operator.and_, operator.or_, operator.xor, operator.lt, operator.le,
    operator.eq, operator.ne, operator.gt, operator.ge, divmod, symcore.sym_max, symcore.sym_min,
]  # fmt: skip
UNARY = [
    operator.neg, operator.pos, abs, operator.invert, math.floor, math.ceil, math.trunc, round,
    symcore.sym_not, symcore.sym_float, symcore.sym_int, bool, int, float, str, hash,
    lambda x: x.key(), lambda x: x.hint, lambda x: x.free_symbols,
]  # fmt: skip
PLAIN = [0, 1, -1, 2, 3, 2**63, -(2**63) - 1, 10**30, 0.0, -0.0, 1.5, math.inf, math.nan, True, False, 2**5000]


@pytest.mark.parametrize("seed", range(4))
def test_random_operations_raise_only_ordinary_exceptions(seed):
    rng = random.Random(seed)
    done = 0
    for _ in range(50):
        env = symcore.ShapeEnv()
        pool: list = [env.symint(f"s{i}", hint=rng.choice([0, 1, -3, 7, 2**70])) for i in range(3)]
        pool += [env.unbacked(), *PLAIN]
        for _ in range(50):
            if rng.random() < 0.7:
                f, args = rng.choice(BINARY), (rng.choice(pool), rng.choice(pool))
            else:
                f, args = rng.choice(UNARY), (rng.choice(pool),)
            if not any(isinstance(a, SYM) for a in args):
                continue  # plain Python numbers are Python's business (and 10**30 ** 2**63 never ends)
            try:
                result = f(*args)
            except Exception:
                pass
            else:
                if isinstance(result, SYM) and len(pool) < 60:
                    pool.append(result)
            done += 1
    assert done > 1000  # most draws involve a symcore value
