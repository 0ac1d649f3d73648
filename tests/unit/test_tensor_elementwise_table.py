"""Every elementwise op of PyTorch's documented families, table-driven: shapes (static and
symbolic, broadcasting), result dtypes, and the refusals PyTorch documents. The expectations are
written here from PyTorch's documentation, not read from symcore's tables."""

import pytest

import symcore
import symcore.nn.functional as F
from symcore import ops

# torch.X: integer inputs give the default float dtype (float32); float inputs keep theirs.
TO_FLOAT = (
    "exp exp2 expm1 log log2 log10 log1p sqrt rsqrt sin cos tan asin acos atan sinh cosh tanh asinh acosh "
    "atanh sigmoid erf erfc erfinv reciprocal lgamma digamma sinc logit i0"
).split()
# torch.X: the input's dtype, integers included.
SAME_DTYPE = "neg abs relu floor ceil round trunc frac sign square positive".split()
# torch.X: a bool tensor of the input's shape.
TO_BOOL = "isnan isinf isfinite isposinf isneginf isreal signbit logical_not".split()
# torch.nn.functional.X: activations defined for floating inputs only.
FLOAT_ACTIVATIONS = "gelu silu mish softplus elu selu celu hardswish hardsigmoid leaky_relu relu6 hardtanh".split()
# Broadcasting binary ops with ordinary type promotion.
ARITHMETIC = "add sub mul maximum minimum fmax fmin remainder fmod floor_divide".split()
COMPARISON = "eq ne lt le gt ge logical_and logical_or logical_xor".split()
BITWISE = "bitwise_and bitwise_or bitwise_xor".split()


@pytest.fixture
def sym():
    env = symcore.ShapeEnv()
    return env, env.size("n", hint=6)


@pytest.mark.parametrize("name", TO_FLOAT)
def test_float_results(name, sym):
    env, n = sym
    fn = getattr(ops, name)
    y = fn(symcore.empty(n, 3, dtype=symcore.int64))
    assert tuple(y.shape) == (n, 3) and y.dtype is symcore.float32
    assert fn(symcore.empty(2, dtype=symcore.float16)).dtype is symcore.float16
    assert fn(symcore.empty(2, dtype=symcore.float64)).dtype is symcore.float64
    assert env.guards == []


@pytest.mark.parametrize("name", SAME_DTYPE)
def test_same_dtype_results(name, sym):
    env, n = sym
    fn = getattr(ops, name)
    for dtype in (symcore.int64, symcore.float16, symcore.float32):
        y = fn(symcore.empty(4, n, dtype=dtype))
        assert tuple(y.shape) == (4, n) and y.dtype is dtype
    assert env.guards == []


def test_negating_a_bool_tensor_is_refused():
    with pytest.raises(RuntimeError, match="neg"):
        ops.neg(symcore.empty(3, dtype=symcore.bool))


@pytest.mark.parametrize("name", TO_BOOL)
def test_bool_results(name, sym):
    _, n = sym
    y = getattr(ops, name)(symcore.empty(n, 2, 5, dtype=symcore.float32))
    assert tuple(y.shape) == (n, 2, 5) and y.dtype is symcore.bool


@pytest.mark.parametrize("name", FLOAT_ACTIVATIONS)
def test_float_activations(name, sym):
    env, n = sym
    fn = getattr(F, name)
    y = fn(symcore.empty(n, 8, dtype=symcore.bfloat16))
    assert tuple(y.shape) == (n, 8) and y.dtype is symcore.bfloat16
    with pytest.raises(RuntimeError, match=name):
        fn(symcore.empty(3, dtype=symcore.int64))
    assert env.guards == []


@pytest.mark.parametrize("name", ARITHMETIC)
def test_arithmetic_broadcasts_and_promotes(name, sym):
    env, n = sym
    fn = getattr(ops, name)
    y = fn(symcore.empty(n, 1, 4, dtype=symcore.int64), symcore.empty(3, 1, dtype=symcore.float16))
    assert tuple(y.shape) == (n, 3, 4) and y.dtype is symcore.float16
    assert fn(symcore.empty(2, dtype=symcore.int32), symcore.empty(2, dtype=symcore.int64)).dtype is symcore.int64
    # a Python float with an integer tensor gives the default float dtype
    assert fn(symcore.empty(2, dtype=symcore.int64), 2.5).dtype is symcore.float32
    with pytest.raises(RuntimeError, match=r"size of tensor a \(3\) must match the size of tensor b \(4\)"):
        fn(symcore.empty(2, 3), symcore.empty(2, 4))
    assert env.guards == []


@pytest.mark.parametrize("name", COMPARISON)
def test_comparisons_give_bool(name, sym):
    _, n = sym
    y = getattr(ops, name)(symcore.empty(n, 1), symcore.empty(1, 7, dtype=symcore.int64))
    assert tuple(y.shape) == (n, 7) and y.dtype is symcore.bool


@pytest.mark.parametrize("name", BITWISE)
def test_bitwise_needs_integers_or_bools(name, sym):
    _, n = sym
    fn = getattr(ops, name)
    assert fn(symcore.empty(n, dtype=symcore.int32), symcore.empty(n, dtype=symcore.int64)).dtype is symcore.int64
    assert fn(symcore.empty(2, dtype=symcore.bool), symcore.empty(2, dtype=symcore.bool)).dtype is symcore.bool
    with pytest.raises(RuntimeError, match=name):
        fn(symcore.empty(2), symcore.empty(2))


def test_true_division_of_integers_is_float(sym):
    _, n = sym
    ints = symcore.empty(n, dtype=symcore.int64)
    assert ops.div(ints, ints).dtype is symcore.float32
    assert ops.div(ints, 2, rounding_mode="floor").dtype is symcore.int64


def test_symbolic_mismatch_guards_equality_once():
    env = symcore.ShapeEnv()
    a, b = env.size("a", hint=5), env.size("b", hint=5)
    y = ops.add(symcore.empty(a, 2), symcore.empty(b, 2))
    assert tuple(y.shape) == (a, 2)
    assert [str(g) for g in env.guards] == ["a == b"]
    ops.mul(symcore.empty(a, 2), symcore.empty(b, 2))
    assert len(env.guards) == 1
