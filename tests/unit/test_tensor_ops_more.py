"""Shapes, dtypes and documented refusals of the ops not covered elsewhere: pools, linear algebra,
views, reductions, losses, factories and conversions. The expectations are written here from
PyTorch's documentation (``torch.X``, ``torch.nn.functional.X``, ``torch.Tensor.X``), not read
from symcore's rules."""

import pytest

import symcore
import symcore.nn.functional as F
from symcore import ops
from symcore.tensor import use_shape_env

f16, f32, f64 = symcore.float16, symcore.float32, symcore.float64
i8, i16, i32, i64, u8 = symcore.int8, symcore.int16, symcore.int32, symcore.int64, symcore.uint8
bf16, c64, c128, b8 = symcore.bfloat16, symcore.complex64, symcore.complex128, symcore.bool


def e(*size, dtype=f32):
    return symcore.empty(*size, dtype=dtype)


@pytest.fixture
def sym():
    env = symcore.ShapeEnv()
    return env, env.size("n", hint=10)


def same(env, shape, expected):
    """The shape equals ``expected`` exactly, symbolic entries compared as expressions."""
    shape = tuple(shape)
    assert len(shape) == len(expected), (shape, expected)
    for got, want in zip(shape, expected):
        assert env.statically_known_true(got == want), (shape, expected)
    return True


# -- adaptive pools ------------------------------------------------------------------------------

ADAPTIVE = [
    # (fn, input size with n for the symbolic batch, output_size, expected)
    (F.adaptive_avg_pool1d, ("n", 4, 17), 5, ("n", 4, 5)),
    (F.adaptive_max_pool1d, ("n", 4, 17), 5, ("n", 4, 5)),
    (F.adaptive_max_pool2d, ("n", 3, 9, 11), (4, 2), ("n", 3, 4, 2)),
    (F.adaptive_max_pool2d, ("n", 3, 9, 11), (None, 2), ("n", 3, 9, 2)),
    (F.adaptive_avg_pool3d, ("n", 2, 8, 9, 10), (1, 2, 3), ("n", 2, 1, 2, 3)),
    (F.adaptive_avg_pool3d, ("n", 2, 8, 9, 10), 4, ("n", 2, 4, 4, 4)),
    (F.adaptive_avg_pool3d, (2, 8, 9, 10), (None, 3, None), (2, 8, 3, 10)),
]


def _sub(shape, n):
    return tuple(n if s == "n" else s for s in shape)


@pytest.mark.parametrize(("fn", "size", "out", "expected"), ADAPTIVE)
def test_adaptive_pools(fn, size, out, expected, sym):
    env, n = sym
    y = fn(e(*_sub(size, n), dtype=f16), out)
    assert same(env, y.shape, _sub(expected, n)) and y.dtype is f16


@pytest.mark.parametrize("fn", [F.adaptive_max_pool1d, F.adaptive_max_pool2d])
def test_adaptive_max_pools_return_int64_indices(fn, sym):
    env, n = sym
    size = (n, 3, 12) if fn is F.adaptive_max_pool1d else (n, 3, 12, 12)
    out, idx = fn(e(*size), 3, return_indices=True)
    assert same(env, out.shape, size[:2] + (3,) * (len(size) - 2))
    assert tuple(idx.shape) == tuple(out.shape) and idx.dtype is i64 and out.dtype is f32


@pytest.mark.parametrize(
    ("fn", "bad"),
    [
        (F.adaptive_avg_pool1d, (1, 2, 3, 4)),
        (F.adaptive_max_pool1d, (1, 2, 3, 4)),
        (F.adaptive_max_pool2d, (2, 3)),
        (F.adaptive_avg_pool3d, (2, 3, 4)),
    ],
)
def test_adaptive_pools_reject_wrong_rank(fn, bad):
    name = next(k for k in dir(F) if getattr(F, k) is fn and k.startswith("adaptive"))
    with pytest.raises(
        RuntimeError, match=rf"Expected \d+D \(unbatched\) or \d+D \(batched\) input to {name}, but got"
    ):
        fn(e(*bad), 2)


# -- pools -----------------------------------------------------------------------------------------


def test_avg_pool1d_symbolic_length(sym):
    env, n = sym
    y = F.avg_pool1d(e(2, 3, n, dtype=bf16), 3, stride=2, padding=1)
    assert same(env, y.shape, (2, 3, (n + 2 - 3) // 2 + 1)) and y.dtype is bf16
    assert ops.avg_pool1d is F.avg_pool1d
    # stride defaults to kernel_size
    assert same(env, F.avg_pool1d(e(3, n), 2).shape, (3, (n - 2) // 2 + 1))
    # ceil_mode: ceil((L + 2p - k) / s) + 1, the last window starting inside the (left-padded) input
    assert tuple(F.avg_pool1d(e(1, 1, 10), 3, stride=2, ceil_mode=True).shape) == (1, 1, 5)
    assert tuple(F.avg_pool1d(e(1, 1, 11), 3, stride=2, ceil_mode=True).shape) == (1, 1, 5)


def test_avg_pool3d_and_max_pool3d(sym):
    env, n = sym
    x = e(2, 4, n, 8, 9)
    y = F.avg_pool3d(x, (2, 3, 3), stride=(2, 1, 2), padding=(0, 1, 1))
    assert same(env, y.shape, (2, 4, (n - 2) // 2 + 1, 8, 5)) and y.dtype is f32
    z = F.max_pool3d(x, 3, stride=2, padding=1, dilation=1)
    assert same(env, z.shape, (2, 4, (n + 2 - 3) // 2 + 1, 4, 5))
    # dilation enlarges the effective kernel to d * (k - 1) + 1
    w = ops.max_pool3d(e(1, 1, 10, 10, 10), 2, stride=1, dilation=3)
    assert tuple(w.shape) == (1, 1, 7, 7, 7)
    _, idx = F.max_pool3d(x, 2, return_indices=True)
    assert same(env, idx.shape, (2, 4, (n - 2) // 2 + 1, 4, 4)) and idx.dtype is i64


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: F.avg_pool1d(e(1, 1, 10), 3, padding=2), "pad should be at most half of effective kernel size"),
        (lambda: F.avg_pool3d(e(1, 1, 5, 5, 5), 3, padding=2), "pad should be at most half of effective kernel size"),
        (lambda: F.max_pool3d(e(1, 1, 5, 5, 5), 3, padding=2), "pad should be at most half of effective kernel size"),
        (lambda: F.avg_pool1d(e(1, 2, 3, 10), 3), "avg_pool1d"),
        (lambda: F.avg_pool3d(e(3, 10, 10), 3), "avg_pool3d"),
        (lambda: F.max_pool3d(e(1, 1, 2, 2, 2), 3), "Output size is too small"),
    ],
)
def test_pool_errors(call, match):
    with pytest.raises(RuntimeError, match=match):
        call()


# -- pointwise with three operands, lerp, binary float ops --------------------------------------


@pytest.mark.parametrize("name", ["addcdiv", "addcmul"])
def test_addc_ops_broadcast_three_operands(name, sym):
    env, n = sym
    fn = getattr(ops, name)
    y = fn(e(n, 1, 1), e(1, 3, 1), e(1, 1, 4), value=0.5)
    assert same(env, y.shape, (n, 3, 4)) and y.dtype is f32
    assert getattr(e(2, 3, dtype=f64), name)(e(3), e(2, 1)).dtype is f64
    with pytest.raises(RuntimeError, match=r"must match the size of tensor b"):
        fn(e(2, 3), e(2, 4), e(2, 3))


def test_addcdiv_refuses_integer_division():
    ints = e(3, dtype=i64)
    with pytest.raises(RuntimeError, match="Integer division with addcdiv is no longer supported"):
        ops.addcdiv(ints, ints, ints)
    assert ops.addcmul(ints, ints, ints).dtype is i64


def test_lerp(sym):
    env, n = sym
    y = ops.lerp(e(n, 1), e(1, 5), 0.25)
    assert same(env, y.shape, (n, 5)) and y.dtype is f32
    assert same(env, e(n, 1).lerp(e(5), e(3, 1, 1)).shape, (3, n, 5))
    with pytest.raises(RuntimeError, match="must match the size"):
        ops.lerp(e(2, 3), e(2, 4), 0.5)


# torch.X on integer tensors gives the default float dtype; float16 stays float16.
FLOAT_BINARY = ["atan2", "hypot", "xlogy"]


@pytest.mark.parametrize("name", FLOAT_BINARY)
def test_float_binary_ops(name, sym):
    env, n = sym
    fn = getattr(ops, name)
    y = fn(e(n, 1, dtype=f16), e(1, 4, dtype=f16))
    assert same(env, y.shape, (n, 4)) and y.dtype is f16
    assert fn(e(3, dtype=f32), e(3, dtype=f64)).dtype is f64
    with pytest.raises(RuntimeError, match=r"size of tensor a \(3\) must match the size of tensor b \(2\)"):
        fn(e(3), e(2))


@pytest.mark.parametrize("name", ["atan2", "xlogy"])
def test_atan2_xlogy_promote_integers_to_float(name):
    fn = getattr(ops, name)
    assert fn(e(3, dtype=i64), e(3, dtype=i32)).dtype is f32


def test_float_power_is_always_double(sym):
    env, n = sym
    y = ops.float_power(e(n, 1, dtype=f16), e(3, dtype=i32))
    assert same(env, y.shape, (n, 3)) and y.dtype is f64
    assert ops.float_power(e(2, dtype=i64), 2).dtype is f64
    assert e(2, dtype=c64).float_power(2).dtype is c128


@pytest.mark.parametrize("name", ["bitwise_left_shift", "bitwise_right_shift"])
def test_shifts(name, sym):
    env, n = sym
    fn = getattr(ops, name)
    y = fn(e(n, 1, dtype=i32), e(4, dtype=i64))
    assert same(env, y.shape, (n, 4)) and y.dtype is i64
    assert fn(e(3, dtype=u8), 2).dtype is u8
    with pytest.raises(RuntimeError, match=name.replace("bitwise_", "").replace("_shift", "")):
        fn(e(3), e(3))


def test_shift_operators():
    a = e(3, dtype=i16)
    assert (a << 1).dtype is i16 and (a >> 1).dtype is i16 and (1 << a).dtype is i16


def test_bitwise_not(sym):
    env, n = sym
    for dtype in (b8, u8, i32, i64):
        y = ops.bitwise_not(e(n, 2, dtype=dtype))
        assert same(env, y.shape, (n, 2)) and y.dtype is dtype
    assert (~e(2, dtype=b8)).dtype is b8
    with pytest.raises(RuntimeError, match="bitwise_not"):
        ops.bitwise_not(e(2))


def test_rsub(sym):
    env, n = sym
    # rsub(input, other, alpha) = other - alpha * input
    y = ops.rsub(e(n, 1, dtype=i32), e(3, dtype=f16), alpha=2)
    assert same(env, y.shape, (n, 3)) and y.dtype is f16
    assert ops.rsub(e(2, dtype=i64), 1).dtype is i64
    assert ops.rsub(e(2, dtype=i64), 1.5).dtype is f32
    with pytest.raises(RuntimeError, match="Subtraction, the `-` operator, with two bool tensors"):
        ops.rsub(e(2, dtype=b8), e(2, dtype=b8))


@pytest.mark.parametrize("name", ["clamp_min", "clamp_max"])
def test_clamp_min_max(name, sym):
    env, n = sym
    fn = getattr(ops, name)
    y = fn(e(n, 3, dtype=f16), 0.5)
    assert same(env, y.shape, (n, 3)) and y.dtype is f16
    assert fn(e(4, dtype=i32), 1).dtype is i32
    assert same(env, getattr(e(n, 1), name)(e(4)).shape, (n, 4))


def test_nan_to_num(sym):
    env, n = sym
    for dtype in (f16, f32, i64):
        y = ops.nan_to_num(e(n, 2, dtype=dtype), nan=0.0, posinf=1.0)
        assert same(env, y.shape, (n, 2)) and y.dtype is dtype


@pytest.mark.parametrize("name", ["logsigmoid", "softsign", "tanhshrink"])
def test_shape_preserving_activations(name, sym):
    env, n = sym
    y = getattr(F, name)(e(n, 3, 4, dtype=bf16))
    assert same(env, y.shape, (n, 3, 4)) and y.dtype is bf16


def test_glu_halves_the_dim(sym):
    env, n = sym
    y = F.glu(e(n, 8), dim=-1)
    assert same(env, y.shape, (n, 4)) and y.dtype is f32
    assert tuple(F.glu(e(6, 5), dim=0).shape) == (3, 5)
    with pytest.raises(RuntimeError, match="Halving dimension must be even, but dimension 1 is size 5"):
        F.glu(e(2, 5))


@pytest.mark.parametrize("name", ["clone", "detach"])
def test_clone_and_detach_keep_shape_and_dtype(name, sym):
    env, n = sym
    for dtype in (f16, i64, b8):
        y = getattr(ops, name)(e(n, 3, dtype=dtype))
        assert same(env, y.shape, (n, 3)) and y.dtype is dtype
    assert getattr(e(2, 3), name)().dtype is f32


# -- conversions ---------------------------------------------------------------------------------

CONVERSIONS = [
    ("bfloat16", bf16),
    ("bool", b8),
    ("byte", u8),
    ("cdouble", c128),
    ("cfloat", c64),
    ("char", i8),
    ("double", f64),
    ("float", f32),
    ("half", f16),
    ("int", i32),
    ("long", i64),
    ("short", i16),
]


@pytest.mark.parametrize(("method", "dtype"), CONVERSIONS)
def test_conversion_methods(method, dtype, sym):
    env, n = sym
    for src in (f32, i64, b8):
        y = getattr(e(n, 3, dtype=src), method)()
        assert same(env, y.shape, (n, 3)) and y.dtype is dtype


# -- linear algebra ------------------------------------------------------------------------------


def test_mm(sym):
    env, n = sym
    y = ops.mm(e(n, 3, dtype=f16), e(3, 7, dtype=f16))
    assert same(env, y.shape, (n, 7)) and y.dtype is f16
    assert same(env, e(4, n).mm(e(n, 2)).shape, (4, 2))
    with pytest.raises(RuntimeError, match=r"mat1 and mat2 shapes cannot be multiplied \(2x3 and 4x5\)"):
        ops.mm(e(2, 3), e(4, 5))
    with pytest.raises(RuntimeError, match="self must be a matrix"):
        ops.mm(e(2, 2, 3), e(3, 5))


def test_addmm(sym):
    env, n = sym
    y = ops.addmm(e(7), e(n, 3), e(3, 7), beta=0.5, alpha=2)
    assert same(env, y.shape, (n, 7)) and y.dtype is f32
    assert same(env, e(n, 1).addmm(e(n, 3), e(3, 7)).shape, (n, 7))
    with pytest.raises(RuntimeError, match=r"mat1 and mat2 shapes cannot be multiplied \(2x3 and 4x5\)"):
        ops.addmm(e(2, 5), e(2, 3), e(4, 5))
    with pytest.raises(RuntimeError, match="must match the"):
        ops.addmm(e(3, 5), e(2, 3), e(3, 5))


def test_baddbmm(sym):
    env, n = sym
    y = ops.baddbmm(e(1, 4, 1, dtype=f64), e(n, 4, 3, dtype=f64), e(n, 3, 5, dtype=f64))
    assert same(env, y.shape, (n, 4, 5)) and y.dtype is f64
    with pytest.raises(RuntimeError, match="batch1 must be a 3D tensor"):
        ops.baddbmm(e(4, 5), e(4, 3), e(3, 5))
    with pytest.raises(RuntimeError, match=r"first two dimensions of batch2 tensor to be: \[2, 3\] but got: \[2, 4\]"):
        ops.baddbmm(e(2, 4, 5), e(2, 4, 3), e(2, 4, 5))


# -- views ---------------------------------------------------------------------------------------


def test_adjoint_and_numpy_T(sym):
    env, n = sym
    x = e(n, 3, 5, dtype=i32)
    y = ops.adjoint(x)
    assert same(env, y.shape, (n, 5, 3)) and y.dtype is i32
    assert same(env, x.adjoint().shape, (n, 5, 3))
    assert same(env, x.T.shape, (5, 3, n)) and x.T.dtype is i32
    assert same(env, e(n).T.shape, (n,))
    assert tuple(x.T.stride()) == tuple(reversed(x.stride()))
    with pytest.raises(RuntimeError, match=r"is only supported on matrices or batches of matrices\. Got 1-D tensor"):
        ops.adjoint(e(4))


def test_as_strided(sym):
    env, n = sym
    x = e(n, 8, dtype=f16)
    y = ops.as_strided(x, (n, 4), (8, 2), 1)
    assert same(env, y.shape, (n, 4)) and tuple(y.stride()) == (8, 2) and y.dtype is f16
    assert y.storage_offset() == 1
    assert x.as_strided((2, 2), (1, 2)).storage_offset() == 0
    with pytest.raises(RuntimeError, match="mismatch in length of strides and shape"):
        ops.as_strided(e(4, 4), (2, 2), (1,))


def test_broadcast_to_and_expand_as(sym):
    env, n = sym
    y = ops.broadcast_to(e(1, 3, dtype=i64), (n, 2, 3))
    assert same(env, y.shape, (n, 2, 3)) and y.dtype is i64 and y.stride(1) == 0
    assert same(env, e(3).broadcast_to((n, -1)).shape, (n, 3))
    z = e(3, 1, dtype=f16).expand_as(e(n, 3, 4))
    assert same(env, z.shape, (n, 3, 4)) and z.dtype is f16
    with pytest.raises(RuntimeError, match=r"expanded size of the tensor \(4\) must match the existing size \(3\)"):
        ops.broadcast_to(e(3), (2, 4))
    with pytest.raises(RuntimeError, match=r"number of sizes provided \(1\) must be greater or equal"):
        e(2, 3).expand_as(e(3))


def test_broadcast_tensors(sym):
    env, n = sym
    a, b, c = ops.broadcast_tensors(e(n, 1, dtype=i32), e(1, 4, dtype=f16), e(4))
    for t in (a, b, c):
        assert same(env, t.shape, (n, 4))
    assert (a.dtype, b.dtype, c.dtype) == (i32, f16, f32)
    with pytest.raises(RuntimeError, match=r"must match the size"):
        ops.broadcast_tensors(e(2, 3), e(2, 4))


def test_diagonal(sym):
    env, n = sym
    y = ops.diagonal(e(n, 3, 5, dtype=i64), dim1=1, dim2=2)
    assert same(env, y.shape, (n, 3)) and y.dtype is i64
    x = e(4, 6)
    assert tuple(x.diagonal().shape) == (4,)
    assert tuple(x.diagonal(offset=3).shape) == (3,)
    assert tuple(x.diagonal(offset=-2).shape) == (2,)
    assert tuple(x.diagonal(offset=7).shape) == (0,)
    assert same(env, e(3, n, 5).diagonal(0, 0, 2).shape, (n, 3))
    with pytest.raises(RuntimeError, match="diagonal dimensions cannot be identical"):
        ops.diagonal(e(3, 3), 0, 1, 1)
    with pytest.raises(IndexError, match="Dimension out of range"):
        ops.diagonal(e(3, 3), 0, 0, 2)


def test_movedim(sym):
    env, n = sym
    x = e(n, 3, 4, 5, dtype=u8)
    y = ops.movedim(x, 0, -1)
    assert same(env, y.shape, (3, 4, 5, n)) and y.dtype is u8
    assert same(env, x.movedim((0, 1), (2, 3)).shape, (4, 5, n, 3))
    assert same(env, ops.moveaxis(x, 3, 0).shape, (5, n, 3, 4))
    with pytest.raises(RuntimeError, match="movedim: Invalid source or destination dims"):
        ops.movedim(x, (0, 1), (2,))
    with pytest.raises(RuntimeError, match="repeated dim"):
        ops.movedim(x, (0, 0), (1, 2))


def test_select_and_unbind(sym):
    env, n = sym
    x = e(n, 3, 4, dtype=f64)
    y = ops.select(x, 1, -1)
    assert same(env, y.shape, (n, 4)) and y.dtype is f64
    assert same(env, x.select(0, 2).shape, (3, 4))
    with pytest.raises(IndexError, match=r"select\(\): index 3 out of range for tensor of size \[.*\] at dimension 1"):
        ops.select(x, 1, 3)
    with pytest.raises(IndexError, match="Dimension out of range"):
        ops.select(x, 3, 0)
    parts = ops.unbind(x, 1)
    assert isinstance(parts, tuple) and len(parts) == 3
    assert all(same(env, p.shape, (n, 4)) and p.dtype is f64 for p in parts)
    assert len(e(5, n).unbind()) == 5


def test_tensor_split(sym):
    env, n = sym
    # 7 into 3 sections: 7 // 3 + 1 for the first 7 % 3, then 7 // 3
    parts = ops.tensor_split(e(7, n, dtype=i16), 3)
    assert [p.shape[0] for p in parts] == [3, 2, 2] and all(p.dtype is i16 for p in parts)
    assert all(same(env, p.shape[1:], (n,)) for p in parts)
    parts = e(2, 10).tensor_split([1, 4], dim=1)
    assert [tuple(p.shape) for p in parts] == [(2, 1), (2, 3), (2, 6)]
    # indices past the end give empty pieces
    assert [tuple(p.shape) for p in e(5).tensor_split([2, 8])] == [(2,), (3,), (0,)]
    with pytest.raises(RuntimeError, match="number of sections must be larger than 0, got 0"):
        ops.tensor_split(e(4), 0)


def test_tile(sym):
    env, n = sym
    x = e(n, 3, dtype=b8)
    y = ops.tile(x, (2, 2))
    assert same(env, y.shape, (2 * n, 6)) and y.dtype is b8
    # fewer dims than the input: ones are prepended to dims
    assert same(env, x.tile((2,)).shape, (n, 6))
    # more dims than the input: the input is treated as unsqueezed at the front
    assert same(env, x.tile((4, 1, 1)).shape, (4, n, 3))


def test_repeat_interleave(sym):
    env, n = sym
    x = e(n, 3, dtype=i32)
    y = ops.repeat_interleave(x, 2, dim=0)
    assert same(env, y.shape, (2 * n, 3)) and y.dtype is i32
    # with no dim the input is flattened
    assert same(env, x.repeat_interleave(3).shape, (9 * n,))
    assert same(env, x.repeat_interleave(e(3, dtype=i64), dim=1, output_size=7).shape, (n, 7))
    with pytest.raises(RuntimeError, match="repeats must have the same size as input along dim"):
        ops.repeat_interleave(x, e(2, dtype=i64), dim=1)


def test_reshape_as_and_view_as(sym):
    env, n = sym
    x = e(n, 6, dtype=f16)
    y = x.reshape_as(e(3, n, 2, dtype=i64))
    assert same(env, y.shape, (3, n, 2)) and y.dtype is f16
    z = x.view_as(e(2, 3, n))
    assert same(env, z.shape, (2, 3, n)) and z.dtype is f16
    with pytest.raises(RuntimeError, match=r"shape '\[5\]' is invalid for input of size 6"):
        e(2, 3).view_as(e(5))
    with pytest.raises(RuntimeError, match=r"shape '\[4, 2\]' is invalid for input of size 6"):
        e(2, 3).reshape_as(e(4, 2))


def test_hstack_and_vstack(sym):
    env, n = sym
    # 1-D tensors: hstack concatenates them; vstack makes them rows
    assert same(env, ops.hstack([e(n), e(3)]).shape, (n + 3,))
    assert tuple(ops.vstack([e(3), e(3)]).shape) == (2, 3)
    # higher ranks: hstack along dim 1, vstack along dim 0
    h = ops.hstack([e(2, n, 4, dtype=i32), e(2, 1, 4, dtype=f16)])
    assert same(env, h.shape, (2, n + 1, 4)) and h.dtype is f16
    v = ops.vstack([e(n, 3), e(3)])
    assert same(env, v.shape, (n + 1, 3)) and v.dtype is f32
    with pytest.raises(RuntimeError, match="Sizes of tensors must match except in dimension 1"):
        ops.hstack([e(2, 3), e(3, 3)])
    with pytest.raises(RuntimeError, match="Sizes of tensors must match except in dimension 0"):
        ops.vstack([e(2, 3), e(2, 4)])


# -- reductions and index ops ----------------------------------------------------------------------


def test_argmin(sym):
    env, n = sym
    x = e(n, 4, 5, dtype=f16)
    y = ops.argmin(x)
    assert tuple(y.shape) == () and y.dtype is i64
    assert same(env, x.argmin(1).shape, (n, 5))
    assert same(env, ops.argmin(x, dim=-1, keepdim=True).shape, (n, 4, 1)) and x.argmin(0).dtype is i64
    with pytest.raises(IndexError, match="Dimension out of range"):
        ops.argmin(x, 3)


def test_argsort(sym):
    env, n = sym
    y = ops.argsort(e(n, 4, dtype=f16), dim=0, descending=True)
    assert same(env, y.shape, (n, 4)) and y.dtype is i64
    assert e(3, dtype=i32).argsort(stable=True).dtype is i64
    with pytest.raises(IndexError, match="Dimension out of range"):
        ops.argsort(e(3), 1)


def test_count_nonzero(sym):
    env, n = sym
    x = e(n, 3, 4, dtype=f16)
    y = ops.count_nonzero(x)
    assert tuple(y.shape) == () and y.dtype is i64
    assert same(env, x.count_nonzero(1).shape, (n, 4))
    assert same(env, ops.count_nonzero(x, (0, 2)).shape, (3,))
    with pytest.raises(IndexError, match="Dimension out of range"):
        ops.count_nonzero(x, 3)


def test_cumprod(sym):
    env, n = sym
    y = ops.cumprod(e(n, 3, dtype=f16), 0)
    assert same(env, y.shape, (n, 3)) and y.dtype is f16
    # integral (and bool) inputs accumulate in int64
    assert ops.cumprod(e(3, dtype=i32), 0).dtype is i64
    assert e(3, dtype=b8).cumprod(0).dtype is i64
    assert ops.cumprod(e(3, dtype=i32), 0, dtype=f64).dtype is f64
    with pytest.raises(IndexError, match="Dimension out of range"):
        ops.cumprod(e(3), 1)


def test_logsumexp(sym):
    env, n = sym
    x = e(n, 3, 4, dtype=f16)
    y = ops.logsumexp(x, 1)
    assert same(env, y.shape, (n, 4)) and y.dtype is f16
    assert same(env, x.logsumexp((0, 2), keepdim=True).shape, (1, 3, 1))
    assert ops.logsumexp(e(3, dtype=i64), 0).dtype is f32
    with pytest.raises(IndexError, match="Dimension out of range"):
        ops.logsumexp(x, 3)


def test_nansum_and_nanmean(sym):
    env, n = sym
    x = e(n, 3, dtype=f16)
    assert tuple(ops.nansum(x).shape) == () and ops.nansum(x).dtype is f16
    assert same(env, x.nansum(1).shape, (n,)) and same(env, x.nanmean(1, keepdim=True).shape, (n, 1))
    assert ops.nanmean(x, 0).dtype is f16 and same(env, ops.nanmean(x, 0).shape, (3,))
    # like sum, integral inputs sum in int64
    assert ops.nansum(e(3, dtype=i32)).dtype is i64
    assert ops.nansum(e(3, dtype=i32), dtype=f64).dtype is f64
    with pytest.raises(RuntimeError, match="nanmean"):
        ops.nanmean(e(3, dtype=i64))


def test_softmin(sym):
    env, n = sym
    y = F.softmin(e(n, 5, dtype=f16), dim=1)
    assert same(env, y.shape, (n, 5)) and y.dtype is f16
    assert F.softmin(e(n, 5, dtype=f16), dim=1, dtype=f32).dtype is f32
    with pytest.raises(IndexError, match="Dimension out of range"):
        F.softmin(e(3, 5), dim=2)


def test_take_along_dim(sym):
    env, n = sym
    x = e(n, 4, dtype=f16)
    y = ops.take_along_dim(x, e(n, 2, dtype=i64), dim=1)
    assert same(env, y.shape, (n, 2)) and y.dtype is f16
    # no dim: the input is flattened and indexed like take
    assert tuple(x.take_along_dim(e(6, dtype=i64)).shape) == (6,)
    # index and input broadcast outside dim
    assert same(env, ops.take_along_dim(x, e(1, 3, dtype=i64), 1).shape, (n, 3))
    with pytest.raises(RuntimeError, match="take_along_dim"):
        ops.take_along_dim(x, e(n, 2), 1)
    with pytest.raises(RuntimeError, match="input and indices should have the same number of dimensions"):
        ops.take_along_dim(x, e(2, dtype=i64), 1)


def test_argwhere(sym):
    env, n = sym
    with use_shape_env(env):
        y = ops.argwhere(e(n, 3, 4))
        # (number of nonzeros, input.ndim): the count is data-dependent, a fresh unbacked size
        assert len(y.shape) == 2 and y.shape[1] == 3 and y.dtype is i64
        assert not env.statically_known_true(y.shape[0] == n)
        assert e(5, dtype=b8).argwhere().shape[1] == 1


def test_bincount(sym):
    env, _ = sym
    with use_shape_env(env):
        y = ops.bincount(e(5, dtype=i64))
        assert y.dim() == 1 and y.dtype is i64
        # float32 weights keep float32; other weights accumulate in double
        assert ops.bincount(e(5, dtype=i32), e(5, dtype=f32)).dtype is f32
        assert e(5, dtype=u8).bincount(e(5, dtype=f16), minlength=3).dtype is f64
    with pytest.raises(RuntimeError, match="bincount only supports 1-d non-negative integral inputs"):
        ops.bincount(e(2, 3, dtype=i64))
    with pytest.raises(RuntimeError, match="bincount"):
        ops.bincount(e(3))
    with pytest.raises(RuntimeError, match="weights should be 1-d and have the same length as input"):
        ops.bincount(e(3, dtype=i64), e(4))


@pytest.mark.parametrize("name", ["scatter_add", "scatter_reduce"])
def test_scatters(name, sym):
    env, n = sym
    fn = getattr(ops, name)
    extra = ("sum",) if name == "scatter_reduce" else ()
    x = e(n, 5, dtype=f16)
    y = fn(x, 1, e(n, 2, dtype=i64), e(n, 3, dtype=f16), *extra)
    assert same(env, y.shape, (n, 5)) and y.dtype is f16
    assert same(env, getattr(x, name)(0, e(2, 2, dtype=i64), e(3, 3, dtype=f16), *extra).shape, (n, 5))
    with pytest.raises(RuntimeError, match="Expected dtype int32/int64 for index"):
        fn(x, 1, e(n, 2, dtype=f32), e(n, 3, dtype=f16), *extra)
    with pytest.raises(RuntimeError, match="Index tensor must have the same number of dimensions"):
        fn(x, 1, e(2, dtype=i64), e(n, 3, dtype=f16), *extra)


def test_scatter_reduce_names_its_reductions():
    x = e(3, 4)
    for reduce in ("sum", "prod", "mean", "amax", "amin"):
        assert tuple(ops.scatter_reduce(x, 0, e(2, 4, dtype=i64), e(2, 4), reduce).shape) == (3, 4)
    with pytest.raises(RuntimeError, match="reduce argument must be either sum, prod, mean, amax or amin, got max"):
        ops.scatter_reduce(x, 0, e(2, 4, dtype=i64), e(2, 4), "max")


# -- losses --------------------------------------------------------------------------------------

ELEMENTWISE_LOSSES = ["binary_cross_entropy", "binary_cross_entropy_with_logits", "huber_loss", "l1_loss"]
ELEMENTWISE_LOSSES += ["smooth_l1_loss", "soft_margin_loss", "kl_div"]


@pytest.mark.parametrize("name", ELEMENTWISE_LOSSES)
def test_elementwise_losses(name, sym):
    env, n = sym
    fn = getattr(F, name)
    x, t = e(n, 3, dtype=f16), e(n, 3, dtype=f16)
    y = fn(x, t, reduction="none")
    assert same(env, y.shape, (n, 3)) and y.dtype is f16
    for reduction in ("mean", "sum"):
        r = fn(x, t, reduction=reduction)
        assert tuple(r.shape) == () and r.dtype is f16
    assert tuple(fn(e(4, 2), e(4, 2)).shape) == ()  # default reduction="mean"


@pytest.mark.parametrize(
    ("name", "exc", "match"),
    [
        ("binary_cross_entropy", ValueError, "Using a target size .* that is different to the input size"),
        ("binary_cross_entropy_with_logits", ValueError, r"Target size .* must be the same as input size"),
        ("soft_margin_loss", RuntimeError, "must match the size"),
        ("l1_loss", RuntimeError, "must match the size"),
        ("huber_loss", RuntimeError, "must match the size"),
        ("smooth_l1_loss", RuntimeError, "must match the size"),
    ],
)
def test_loss_size_mismatch(name, exc, match):
    with pytest.raises(exc, match=match):
        getattr(F, name)(e(2, 3), e(2, 4))


@pytest.mark.parametrize("name", ["binary_cross_entropy", "binary_cross_entropy_with_logits"])
def test_binary_cross_entropy_does_not_broadcast(name, sym):
    _, n = sym
    # a broadcastable target of another size is still refused: the sizes must be equal
    with pytest.raises(ValueError, match="size"):
        getattr(F, name)(e(n, 3), e(n, 1))
    with pytest.raises(ValueError, match="size"):
        getattr(F, name)(e(3), e(2, 3))


def test_loss_reduction_names_are_checked():
    with pytest.raises(ValueError, match="is not a valid value for reduction"):
        F.l1_loss(e(3), e(3), reduction="avg")


def test_nll_loss(sym):
    env, n = sym
    x = e(n, 5, dtype=f16)
    assert tuple(F.nll_loss(x, e(n, dtype=i64)).shape) == () and F.nll_loss(x, e(n, dtype=i64)).dtype is f16
    y = F.nll_loss(x, e(n, dtype=i64), reduction="none")
    assert same(env, y.shape, (n,)) and y.dtype is f16
    # K-dimensional: (N, C, d1, d2) with target (N, d1, d2)
    z = F.nll_loss(e(n, 5, 3, 4), e(n, 3, 4, dtype=i64), reduction="none")
    assert same(env, z.shape, (n, 3, 4))
    assert tuple(F.nll_loss(e(5), e((), dtype=i64), reduction="none").shape) == ()
    with pytest.raises(ValueError, match=r"Expected input batch_size \(3\) to match target batch_size \(2\)"):
        F.nll_loss(e(3, 5), e(2, dtype=i64))


# -- nn: fold/unfold, transposed convolutions, normalization, one_hot ------------------------------


def test_im2col_unfold(sym):
    env, n = sym
    y = F.im2col(e(2, 3, n, 10, dtype=f16), (2, 3), padding=1, stride=(1, 2))
    blocks = ((n + 2 - 2) // 1 + 1) * ((10 + 2 - 3) // 2 + 1)
    assert same(env, y.shape, (2, 3 * 2 * 3, blocks)) and y.dtype is f16
    assert F.unfold is F.im2col
    # dilation: effective kernel d * (k - 1) + 1
    assert tuple(F.unfold(e(1, 2, 9, 9), 3, dilation=2).shape) == (1, 18, 25)
    # unbatched (C, H, W)
    assert tuple(F.unfold(e(2, 4, 4), 2, stride=2).shape) == (8, 4)
    with pytest.raises(RuntimeError, match="sliding blocks"):
        F.unfold(e(1, 2, 2, 2), 3)


def test_col2im_fold():
    y = F.col2im(e(2, 3 * 2 * 2, 12, dtype=f64), (4, 5), 2)
    # (C * prod(kernel_size), L) -> (C, *output_size), L = 3 * 4 blocks
    assert tuple(y.shape) == (2, 3, 4, 5) and y.dtype is f64
    assert F.fold is F.col2im
    assert tuple(F.fold(e(8, 4), (4, 4), 2, stride=2).shape) == (2, 4, 4)
    with pytest.raises(RuntimeError, match="divisible by the product of kernel_size"):
        F.fold(e(1, 7, 12), (4, 5), 2)
    with pytest.raises(RuntimeError, match="match the calculated number of sliding blocks"):
        F.fold(e(1, 12, 11), (4, 5), 2)


def test_conv_transpose1d(sym):
    env, n = sym
    # weight (C_in, C_out / groups, k); L_out = (L - 1) * s - 2p + d (k - 1) + output_padding + 1
    y = F.conv_transpose1d(e(2, 4, n, dtype=f16), e(4, 3, 5, dtype=f16), e(6, dtype=f16), 2, 1, 1, 2)
    assert same(env, y.shape, (2, 6, (n - 1) * 2 - 2 + 4 + 1 + 1)) and y.dtype is f16
    assert ops.conv_transpose1d is F.conv_transpose1d
    assert tuple(F.conv_transpose1d(e(4, 7), e(4, 2, 3), dilation=2).shape) == (2, 11)
    with pytest.raises(RuntimeError, match="to have 5 channels, but got 4 channels instead"):
        F.conv_transpose1d(e(2, 4, 7), e(5, 3, 3))
    with pytest.raises(RuntimeError, match=r"Expected 2D \(unbatched\) or 3D \(batched\) input to conv_transpose1d"):
        F.conv_transpose1d(e(2, 4, 7, 7), e(4, 3, 3))


def test_conv_transpose3d(sym):
    env, n = sym
    y = F.conv_transpose3d(e(1, 2, n, 4, 5), e(2, 3, 3, 3, 3), stride=(2, 1, 1), padding=(1, 0, 1))
    assert same(env, y.shape, (1, 3, (n - 1) * 2 - 2 + 2 + 1, 6, 5)) and y.dtype is f32
    assert tuple(ops.conv_transpose3d(e(2, 2, 2, 2), e(2, 1, 2, 2, 2), groups=2).shape) == (2, 3, 3, 3)
    with pytest.raises(RuntimeError, match="to have 3 channels, but got 2 channels instead"):
        F.conv_transpose3d(e(1, 2, 4, 4, 4), e(3, 3, 3, 3, 3))


def test_cosine_similarity(sym):
    env, n = sym
    y = F.cosine_similarity(e(n, 8, dtype=f16), e(1, 8, dtype=f16))
    assert same(env, y.shape, (n,)) and y.dtype is f16
    assert same(env, ops.cosine_similarity(e(n, 3, 4), e(n, 3, 4), dim=-1).shape, (n, 3))
    assert same(env, F.cosine_similarity(e(n, 3, 1), e(5), dim=0).shape, (3, 5))
    with pytest.raises(RuntimeError, match="must match the size"):
        F.cosine_similarity(e(2, 3), e(2, 4))


def test_normalize_and_instance_norm(sym):
    env, n = sym
    y = F.normalize(e(n, 5, dtype=f16), dim=-1)
    assert same(env, y.shape, (n, 5)) and y.dtype is f16
    z = F.instance_norm(e(n, 3, 7, 7, dtype=bf16), weight=e(3, dtype=bf16), bias=e(3, dtype=bf16))
    assert same(env, z.shape, (n, 3, 7, 7)) and z.dtype is bf16
    assert same(env, ops.instance_norm(e(n, 3, 9), e(3), e(3), use_input_stats=True).shape, (n, 3, 9))


def test_one_hot(sym):
    env, n = sym
    y = F.one_hot(e(n, 4, dtype=i64), 7)
    assert same(env, y.shape, (n, 4, 7)) and y.dtype is i64
    with use_shape_env(env):
        z = F.one_hot(e(3, dtype=i64))  # num_classes inferred from the data: an unbacked size
    assert z.dim() == 2 and z.shape[0] == 3 and z.dtype is i64
    with pytest.raises(RuntimeError, match="one_hot is only applicable to index tensor"):
        F.one_hot(e(3), 4)


# -- factories -----------------------------------------------------------------------------------


def test_eye(sym):
    env, n = sym
    y = ops.eye(n)
    assert same(env, y.shape, (n, n)) and y.dtype is f32
    assert same(env, ops.eye(3, n, dtype=i64).shape, (3, n)) and ops.eye(3, dtype=b8).dtype is b8
    with pytest.raises(RuntimeError, match="-1"):
        ops.eye(-1)


def test_linspace(sym):
    env, n = sym
    y = ops.linspace(0, 1, n)
    assert same(env, y.shape, (n,)) and y.dtype is f32
    assert ops.linspace(0, 10, 5, dtype=f64).dtype is f64
    assert tuple(ops.linspace(0, 1, 0).shape) == (0,)
    with pytest.raises(RuntimeError, match="number of steps must be non-negative"):
        ops.linspace(0, 1, -1)


@pytest.mark.parametrize("name", ["rand", "randn"])
def test_random_factories(name, sym):
    env, n = sym
    fn = getattr(ops, name)
    y = fn(n, 3)
    assert same(env, y.shape, (n, 3)) and y.dtype is f32
    assert same(env, fn((2, n), dtype=f16).shape, (2, n)) and fn(2, dtype=f64).dtype is f64
    assert getattr(symcore, name) is fn


@pytest.mark.parametrize("name", ["empty_like", "ones_like", "rand_like", "randn_like"])
def test_like_factories(name, sym):
    env, n = sym
    fn = getattr(ops, name)
    y = fn(e(n, 3, dtype=f16))
    assert same(env, y.shape, (n, 3)) and y.dtype is f16
    assert fn(e(n, 3, dtype=f16), dtype=f64).dtype is f64
    assert getattr(symcore, name) is fn


def test_scalar_tensor():
    y = ops.scalar_tensor(3)
    assert tuple(y.shape) == () and y.dtype is f32
    assert ops.scalar_tensor(1.5, dtype=i64).dtype is i64


@pytest.mark.parametrize("name", ["new_empty", "new_ones"])
def test_new_factories(name, sym):
    env, n = sym
    x = e(2, dtype=f16)
    y = getattr(x, name)((n, 3))
    assert same(env, y.shape, (n, 3)) and y.dtype is f16
    assert same(env, getattr(x, name)(n, 4).shape, (n, 4))
    assert getattr(x, name)(2, dtype=i32).dtype is i32


def test_new_full_and_new_tensor(sym):
    env, n = sym
    x = e(2, dtype=i16)
    y = x.new_full((n, 2), 7)
    assert same(env, y.shape, (n, 2)) and y.dtype is i16
    assert x.new_full((3,), 1.5, dtype=f64).dtype is f64
    t = e(2, dtype=f16).new_tensor([[1, 2, 3], [4, 5, 6]])
    assert tuple(t.shape) == (2, 3) and t.dtype is f16
    assert tuple(x.new_tensor(5).shape) == () and x.new_tensor([1.0], dtype=b8).dtype is b8
