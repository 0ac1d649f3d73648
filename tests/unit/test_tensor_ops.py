"""Shape rules of the tensor ops: valid shapes, each error case with PyTorch's error class and a
message naming the op and the shapes, and symbolic vs constant sizes (guards)."""

import pytest

import symcore
import symcore.nn.functional as F
from symcore import ops
from symcore.tensor import dtypes, empty, registry, use_shape_env
from symcore.tensor.fake import make


def e(*size, dtype=dtypes.float32):
    return make(size, dtype)


@pytest.fixture
def env():
    return symcore.ShapeEnv()


def strs(shape):
    return [str(s) for s in shape]


# -- registry ------------------------------------------------------------------------------------


def test_registry_publishes_functions_methods_and_targets():
    info = registry.op_info("matmul")
    assert ops.matmul is info.fn and empty(2, 3).matmul is not None
    assert info.qualname == "symcore.ops.matmul"
    assert symcore.graph.lookup_target("symcore.ops.matmul") is ops.matmul
    assert F.linear is registry.op_info("linear").fn and F.softmax is ops.softmax
    assert len(registry.ops()) > 200


def test_register_rejects_duplicates():
    with pytest.raises(ValueError, match="already registered"):
        registry.register("matmul")(lambda x: x)


def test_unknown_op_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no op of that name"):
        _ = ops.not_an_op


# -- elementwise -----------------------------------------------------------------------------------


def test_broadcasting_and_operators():
    a, b = e(2, 1, 4), e(3, 1)
    for out in (a + b, a - b, a * b, a / b, a // b, a % b, a**b, ops.add(a, b, alpha=2), ops.maximum(a, b)):
        assert out.shape == (2, 3, 4)
    assert (2 - a).shape == (2, 1, 4) and (-a).shape == a.shape and abs(a).shape == a.shape
    assert (a < b).dtype is dtypes.bool and (a == 1.0).dtype is dtypes.bool


def test_broadcast_mismatch_names_op_and_sizes():
    with pytest.raises(RuntimeError, match=r"add: The size of tensor a \(4\) must match the size of tensor b \(5\) at"):
        e(2, 4) + e(3, 5)


def test_broadcast_symbolic_guards_equality(env):
    s0, s1 = env.size(hint=8), env.size(hint=8)
    assert s0 is s1  # duck sizing
    a, b = env.size("a", hint=8), env.size("b", hint=8)
    out = e(a, 3) + e(b, 3)
    assert strs(out.shape) == ["a", "3"]
    assert [str(g) for g in env.guards] == ["a == b"]


def test_broadcast_symbolic_against_one_records_no_guard(env):
    a = env.size("a", hint=8)
    assert strs((e(a, 1) + e(1, 3)).shape) == ["a", "3"]
    assert env.guards == []


def test_broadcast_symbolic_mismatch_by_hint_raises(env):
    a, b = env.size("a", hint=8), env.size("b", hint=16)
    with pytest.raises(RuntimeError, match="must match"):
        e(a) + e(b)


def test_elementwise_dtypes():
    i = e(3, dtype=dtypes.int32)
    assert (i + 1).dtype is dtypes.int32
    assert (i + 1.5).dtype is dtypes.float32
    assert (i / 2).dtype is dtypes.float32
    assert ops.exp(i).dtype is dtypes.float32 and ops.relu(i).dtype is dtypes.int32
    assert ops.div(i, 2, rounding_mode="floor").dtype is dtypes.int32
    with pytest.raises(RuntimeError, match="Subtraction, the `-` operator, with two bool tensors"):
        e(2, dtype=dtypes.bool) - e(2, dtype=dtypes.bool)
    with pytest.raises(RuntimeError, match="gelu"):
        F.gelu(i)
    with pytest.raises(ValueError, match="rounding_mode"):
        ops.div(i, 2, rounding_mode="round")
    with pytest.raises(TypeError, match="must be Tensor or Number"):
        ops.add(e(2), "x")


def test_where_and_masked_fill():
    cond = e(2, 1, dtype=dtypes.bool)
    assert ops.where(cond, e(3), 0.0).shape == (2, 3)
    with pytest.raises(RuntimeError, match="where expected condition to be a boolean tensor"):
        ops.where(e(2), e(2), e(2))
    assert e(2, 3).masked_fill(e(1, 3, dtype=dtypes.bool), 0.0).shape == (2, 3)
    with pytest.raises(RuntimeError, match="cannot be broadcast"):
        e(2, 3).masked_fill(e(2, 2, 3, dtype=dtypes.bool), 0.0)


def test_conversions():
    x = e(2, 3)
    assert x.half().dtype is dtypes.float16 and x.long().dtype is dtypes.int64 and x.bool().dtype is dtypes.bool
    assert x.to(dtypes.float64).dtype is dtypes.float64 and x.to("cpu") is x and x.to(x) is x
    assert x.type_as(e(1, dtype=dtypes.int8)).dtype is dtypes.int8
    assert x.int().dtype is dtypes.int32 and x.to(dtype=dtypes.bfloat16).dtype is dtypes.bfloat16


# -- views -------------------------------------------------------------------------------------------


def test_view_and_reshape_infer_minus_one(env):
    b = env.size("b", hint=4)
    x = e(b, 16, 8)
    assert strs(x.view(-1, 8).shape) == ["16*b", "8"]
    assert strs(x.view(b, 2, -1).shape) == ["b", "2", "64"]
    assert strs(x.reshape(2 * b, -1).shape) == ["2*b", "64"]
    assert strs(x.view(b * 16, -1).shape) == ["16*b", "8"]
    assert env.guards == []


def test_view_errors():
    with pytest.raises(RuntimeError, match=r"view: shape '\[5, -1\]' is invalid for input of size 12"):
        e(3, 4).view(5, -1)
    with pytest.raises(RuntimeError, match="only one dimension can be inferred"):
        e(3, 4).view(-1, -1)
    with pytest.raises(RuntimeError, match=r"shape '\[5\]' is invalid for input of size 12"):
        e(3, 4).reshape(5)
    with pytest.raises(RuntimeError, match="view size is not compatible with input tensor's size and stride"):
        e(3, 4).t().view(12)
    assert e(3, 4).t().reshape(12).shape == (12,)  # reshape copies


def test_view_of_transposed_heads_keeps_strides():
    q = e(2, 5, 3 * 8)[:, :, :8]  # a split piece: non-contiguous
    v = q.view(2, 5, 2, 4)
    assert v.stride() == (120, 24, 4, 1)


def test_flatten_unflatten_permute_transpose():
    x = e(2, 3, 4, 5)
    assert x.flatten().shape == (120,) and x.flatten(1).shape == (2, 60) and x.flatten(1, 2).shape == (2, 12, 5)
    assert x.unflatten(1, (3, 1)).shape == (2, 3, 1, 4, 5) and x.unflatten(-1, (-1, 5)).shape == (2, 3, 4, 1, 5)
    assert x.permute(3, 0, 1, 2).shape == (5, 2, 3, 4) and x.permute(3, 0, 1, 2).stride() == (1, 60, 20, 5)
    assert x.transpose(-1, 0).shape == (5, 3, 4, 2) and x.mT.shape == (2, 3, 5, 4) and e(2, 3).T.shape == (3, 2)
    with pytest.raises(RuntimeError, match="start_dim cannot come after end_dim"):
        x.flatten(2, 1)
    with pytest.raises(RuntimeError, match="number of dimensions in the tensor input does not match"):
        x.permute(0, 1)
    with pytest.raises(RuntimeError, match="duplicate dims"):
        x.permute(0, 0, 1, 2)
    with pytest.raises(RuntimeError, match="t\\(\\) expects a tensor with <= 2 dimensions, but self is 4D"):
        x.t()
    with pytest.raises(IndexError, match="Dimension out of range"):
        x.transpose(0, 4)


def test_squeeze_unsqueeze_expand_repeat(env):
    x = e(2, 1, 3)
    assert x.squeeze().shape == (2, 3) and x.squeeze(0).shape == (2, 1, 3) and x.squeeze(1).shape == (2, 3)
    assert x.unsqueeze(0).shape == (1, 2, 1, 3) and x.unsqueeze(-1).shape == (2, 1, 3, 1)
    assert x.expand(4, 2, 5, 3).shape == (4, 2, 5, 3) and x.expand(-1, 7, -1).stride() == (3, 0, 1)
    assert x.repeat(2, 2, 2).shape == (4, 2, 6) and x.repeat(2, 1, 1, 1).shape == (2, 2, 1, 3)
    with pytest.raises(RuntimeError, match=r"expanded size of the tensor \(4\) must match the existing size \(3\)"):
        x.expand(2, 1, 4)
    with pytest.raises(RuntimeError, match="Number of dimensions of repeat dims can not be smaller"):
        x.repeat(2, 2)
    s = env.size("s", hint=5)
    assert strs(e(s, 1).expand(s, s).shape) == ["s", "s"] and env.guards == []


def test_cat_stack_split_chunk_narrow(env):
    a, b = e(2, 3), e(4, 3)
    assert ops.cat([a, b]).shape == (6, 3) and ops.cat((a, e(2, 5)), dim=1).shape == (2, 8)
    assert ops.stack([a, a], dim=1).shape == (2, 2, 3)
    assert [p.shape for p in e(10, 2).split(4)] == [(4, 2), (4, 2), (2, 2)]
    assert [p.shape for p in e(10, 2).split([3, 7])] == [(3, 2), (7, 2)]
    assert [p.shape for p in e(10, 2).chunk(3)] == [(4, 2), (4, 2), (2, 2)]
    assert e(10, 2).narrow(0, 2, 5).shape == (5, 2) and e(10, 2).narrow(0, 2, 5).storage_offset() == 4
    with pytest.raises(RuntimeError, match="Sizes of tensors must match except in dimension 0"):
        ops.cat([a, e(2, 4)])
    with pytest.raises(RuntimeError, match="expected a non-empty list"):
        ops.cat([])
    with pytest.raises(RuntimeError, match="stack expects each tensor to be equal size"):
        ops.stack([a, b])
    with pytest.raises(RuntimeError, match="split_with_sizes expects split_sizes to sum exactly to 10"):
        e(10).split([3, 3])
    with pytest.raises(RuntimeError, match="exceeds dimension size"):
        e(10).narrow(0, 8, 5)
    s = env.size("s", hint=6)
    parts = e(s, 8).split([2, s - 2])
    assert strs(parts[1].shape) == ["s - 2", "8"]
    *_, v = e(s, 24).split(8, dim=1)
    assert v.shape[1] == 8
    cat = ops.cat([e(s, 2), e(s, 3)], dim=1)
    assert strs(cat.shape) == ["s", "5"]


def test_tril_triu_roll_flip_unfold():
    assert e(3, 4).tril().shape == (3, 4) and ops.triu(e(2, 3, 4), 1).shape == (2, 3, 4)
    with pytest.raises(RuntimeError, match="tril: input tensor must have at least 2 dimensions"):
        e(3).tril()
    assert e(3, 4).roll(1, 0).shape == (3, 4) and e(3, 4).flip(0).shape == (3, 4)
    assert e(10, 3).unfold(0, 4, 2).shape == (4, 3, 4)
    with pytest.raises(RuntimeError, match="shifts and dimensions must align"):
        e(3).roll((1, 2), 0)


# -- indexing ----------------------------------------------------------------------------------------


def test_basic_indexing():
    x = e(5, 6, 7)
    assert x[0].shape == (6, 7) and x[-1, 2].shape == (7,)
    assert x[1:3].shape == (2, 6, 7) and x[::2].shape == (3, 6, 7) and x[-2:].shape == (2, 6, 7)
    assert x[..., 1].shape == (5, 6) and x[None, :, None].shape == (1, 5, 1, 6, 7)
    assert x[:, 10:].shape == (5, 0, 7) and x[:, :100].shape == (5, 6, 7) and x[:, -100:2].shape == (5, 2, 7)
    sliced = x[1:4:2, :, 3]
    assert sliced.shape == (2, 6) and sliced.stride() == (84, 7) and sliced.storage_offset() == 45


def test_indexing_errors():
    x = e(5, 6)
    with pytest.raises(IndexError, match="index 5 is out of bounds for dimension 0 with size 5"):
        x[5]
    with pytest.raises(IndexError, match="too many indices for tensor of dimension 2"):
        x[0, 0, 0]
    with pytest.raises(IndexError, match="single ellipsis"):
        x[..., ...]
    with pytest.raises(ValueError, match="step must be greater than zero"):
        x[::-1]
    with pytest.raises(TypeError, match="only integers, slices"):
        x["a"]


def test_advanced_indexing(env):
    x = e(5, 6, 7)
    idx = e(2, 3, dtype=dtypes.int64)
    assert x[idx].shape == (2, 3, 6, 7)
    assert x[:, idx].shape == (5, 2, 3, 7)
    assert x[idx, :, idx].shape == (2, 3, 6)  # not adjacent: broadcast dims go first
    assert x[[0, 2]].shape == (2, 6, 7)
    mask = e(5, 6, dtype=dtypes.bool)
    with use_shape_env(env):
        out = x[mask]
    assert len(out.shape) == 2 and str(out.shape[0]).startswith("u") and out.shape[1] == 7
    with pytest.raises(IndexError, match="The shape of the mask"):
        x[e(4, dtype=dtypes.bool)]


def test_symbolic_slicing(env):
    t = env.size("t", hint=16)
    x = e(4, t, 8)
    assert strs(x[:, :t].shape) == ["4", "t", "8"]
    assert strs(x[:, 1:].shape) == ["4", "t - 1", "8"]
    assert strs(x[:, -1].shape) == ["4", "8"]


def test_index_ops(env):
    x = e(5, 6)
    i = e(3, dtype=dtypes.int64)
    assert x.index_select(1, i).shape == (5, 3)
    assert x.gather(1, e(5, 2, dtype=dtypes.int64)).shape == (5, 2)
    assert x.scatter(0, e(2, 6, dtype=dtypes.int64), e(2, 6)).shape == (5, 6)
    with pytest.raises(RuntimeError, match="Expected dtype int64"):
        x.gather(1, e(5, 2, dtype=dtypes.int32))
    with pytest.raises(RuntimeError, match="same number of dimensions"):
        x.gather(1, e(5, dtype=dtypes.int64))
    with pytest.raises(IndexError, match="Index is supposed to be a vector"):
        x.index_select(0, e(2, 2, dtype=dtypes.int64))


def test_data_dependent_sizes_are_unbacked(env):
    s = env.size("s", hint=10)
    x = e(s, 4)
    nz = ops.nonzero(x)
    assert str(nz.shape[0]).startswith("u") and nz.shape[1] == 2 and nz.dtype is dtypes.int64
    assert str(x.masked_select(e(s, 4, dtype=dtypes.bool)).shape[0]).startswith("u")
    values, inverse = ops.unique(x, return_inverse=True)
    assert values.ndim == 1 and inverse.shape == x.shape
    with pytest.raises(RuntimeError, match="depends on the data"):
        ops.nonzero(e(3))


# -- reductions ---------------------------------------------------------------------------------------


def test_reductions():
    x = e(2, 3, 4)
    assert x.sum().shape == () and x.sum(1).shape == (2, 4) and x.sum((0, 2), keepdim=True).shape == (1, 3, 1)
    assert x.mean(-1).shape == (2, 3) and x.amax(dim=(1, 2)).shape == (2,) and x.amin().shape == ()
    values, indices = x.max(1)
    assert values.shape == indices.shape == (2, 4) and indices.dtype is dtypes.int64
    assert x.max(dim=1, keepdim=True).values.shape == (2, 1, 4) and x.max().shape == ()
    assert x.argmax().shape == () and x.argmax(2, keepdim=True).shape == (2, 3, 1)
    assert x.softmax(-1).shape == x.shape and F.log_softmax(x, dim=1).shape == x.shape
    assert x.cumsum(1).shape == x.shape and e(3, dtype=dtypes.int32).cumsum(0).dtype is dtypes.int64
    assert e(3, dtype=dtypes.bool).sum().dtype is dtypes.int64
    top = x.topk(2)
    assert top.values.shape == (2, 3, 2) and top.indices.dtype is dtypes.int64
    assert x.std(1).shape == (2, 4) and x.var(unbiased=False).shape == () and x.norm(dim=-1).shape == (2, 3)
    with pytest.raises(RuntimeError, match="mean\\(\\): could not infer output dtype"):
        e(3, dtype=dtypes.int64).mean()
    with pytest.raises(RuntimeError, match="selected index k out of range"):
        x.topk(5)
    with pytest.raises(RuntimeError, match="appears multiple times"):
        x.sum((1, 1))
    with pytest.raises(IndexError, match="Dimension out of range"):
        x.sum(3)


# -- linear algebra -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "out"),
    [
        ((3,), (3,), ()),
        ((2, 3), (3,), (2,)),
        ((3,), (3, 4), (4,)),
        ((2, 3), (3, 4), (2, 4)),
        ((5, 2, 3), (3, 4), (5, 2, 4)),
        ((3,), (5, 3, 4), (5, 4)),
        ((5, 2, 3), (3,), (5, 2)),
        ((7, 1, 2, 3), (5, 3, 4), (7, 5, 2, 4)),
    ],
)
def test_matmul_every_rank(a, b, out):
    assert ops.matmul(e(*a), e(*b)).shape == out
    assert (e(*a) @ e(*b)).shape == out


def test_matmul_errors():
    with pytest.raises(RuntimeError, match=r"matmul: mat1 and mat2 shapes cannot be multiplied \(2x3 and 4x5\)"):
        e(2, 3) @ e(4, 5)
    with pytest.raises(RuntimeError, match="inconsistent tensor size"):
        e(3) @ e(4)
    with pytest.raises(RuntimeError, match="both arguments to matmul need to be at least 1D"):
        ops.matmul(e(), e(3))
    with pytest.raises(RuntimeError, match="same dtype"):
        e(2, 3) @ e(3, 2, dtype=dtypes.float16)
    with pytest.raises(RuntimeError, match=r"must match the size of tensor b \(2\)"):
        e(3, 2, 3) @ e(2, 3, 4)


def test_matmul_symbolic_guard_makes_one_symbol(env):
    s0, s1, s2 = env.size(hint=5), env.size(hint=7), env.size(hint=7)
    s2 = env.size("k", hint=7)
    out = e(s0, s1) @ e(s2, 4)
    assert strs(out.shape) == [str(s0), "4"]
    assert [str(g) for g in env.guards] == [f"{s1} == k"] or [str(g) for g in env.guards] == [f"k == {s1}"]
    # From then on the two are one symbol: equal without a new guard.
    assert env.statically_known_true(s1 == s2)


def test_bmm_linear_einsum():
    assert ops.bmm(e(2, 3, 4), e(2, 4, 5)).shape == (2, 3, 5)
    with pytest.raises(RuntimeError, match="Expected size for first two dimensions of batch2 tensor"):
        ops.bmm(e(2, 3, 4), e(3, 4, 5))
    with pytest.raises(RuntimeError, match="batch1 must be a 3D tensor"):
        ops.bmm(e(3, 4), e(4, 5))
    assert F.linear(e(2, 5, 3), e(4, 3), e(4)).shape == (2, 5, 4)
    with pytest.raises(RuntimeError, match=r"linear: mat1 and mat2 shapes cannot be multiplied \(10x3 and 5x4\)"):
        F.linear(e(2, 5, 3), e(4, 5))
    assert ops.einsum("bij,bjk->bik", e(2, 3, 4), e(2, 4, 5)).shape == (2, 3, 5)
    assert ops.einsum("ij,jk", e(3, 4), e(4, 5)).shape == (3, 5)
    assert ops.einsum("...ij->...ji", e(7, 3, 4)).shape == (7, 4, 3)
    assert ops.einsum("i,i->", e(3), e(3)).shape == ()
    with pytest.raises(RuntimeError, match="subscript j has size 5"):
        ops.einsum("ij,jk->ik", e(3, 4), e(5, 6))
    with pytest.raises(RuntimeError, match="does not match the number of dimensions"):
        ops.einsum("ij->i", e(3))


# -- factories ----------------------------------------------------------------------------------------


def test_factories(env):
    n = env.size("n", hint=6)
    assert strs(ops.zeros(n, 3).shape) == ["n", "3"] and ops.ones((2, 3)).shape == (2, 3)
    assert ops.full((2,), 1).dtype is dtypes.int64 and ops.full((2,), 1.0).dtype is dtypes.float32
    assert ops.full((2,), True).dtype is dtypes.bool
    assert ops.arange(10).shape == (10,) and ops.arange(10).dtype is dtypes.int64
    assert ops.arange(1, 10, 3).shape == (3,) and ops.arange(0, 1, 0.25).shape == (4,)
    assert ops.arange(0, 1, 0.25).dtype is dtypes.float32 and ops.arange(10, 0, -3).shape == (4,)
    assert strs(ops.arange(n).shape) == ["n"] and strs(ops.arange(1, n, 2).shape) == ["n // 2"]
    x = e(2, 3, dtype=dtypes.float16)
    assert ops.zeros_like(x).dtype is dtypes.float16 and ops.full_like(x, 2).shape == (2, 3)
    assert x.new_zeros(4).shape == (4,) and x.new_zeros(4).dtype is dtypes.float16
    assert ops.tensor([[1, 2], [3, 4]]).shape == (2, 2) and ops.tensor([1.0]).dtype is dtypes.float32
    assert ops.empty_strided((2, 3), (1, 2)).stride() == (1, 2)
    with pytest.raises(RuntimeError, match="step must be nonzero"):
        ops.arange(0, 10, 0)
    with pytest.raises(RuntimeError, match="inconsistent with step sign"):
        ops.arange(10, 0, 1)
    with pytest.raises(TypeError, match="unexpected keyword argument"):
        ops.zeros(2, colour="red")


# -- nn functional ------------------------------------------------------------------------------------


def test_conv():
    x = e(8, 3, 32, 32)
    assert F.conv2d(x, e(16, 3, 3, 3)).shape == (8, 16, 30, 30)
    assert F.conv2d(x, e(16, 3, 3, 3), stride=2, padding=1).shape == (8, 16, 16, 16)
    assert F.conv2d(x, e(16, 3, 3, 3), padding="same").shape == (8, 16, 32, 32)
    assert F.conv2d(x, e(16, 3, 3, 3), dilation=2).shape == (8, 16, 28, 28)
    assert F.conv2d(e(8, 4, 9, 9), e(6, 2, 3, 3), groups=2).shape == (8, 6, 7, 7)
    assert F.conv2d(e(3, 9, 9), e(6, 3, 3, 3)).shape == (6, 7, 7)
    assert F.conv1d(e(2, 4, 10), e(8, 4, 3), padding=1).shape == (2, 8, 10)
    assert F.conv3d(e(1, 2, 5, 6, 7), e(4, 2, 3, 3, 3)).shape == (1, 4, 3, 4, 5)
    assert F.conv_transpose2d(e(1, 4, 5, 5), e(4, 8, 3, 3), stride=2, padding=1, output_padding=1).shape == (
        1,
        8,
        10,
        10,
    )
    with pytest.raises(RuntimeError, match=r"Given groups=1, weight of size \[16, 3, 3, 3\], expected input"):
        F.conv2d(e(8, 4, 32, 32), e(16, 3, 3, 3))
    with pytest.raises(RuntimeError, match="Kernel size can't be greater than actual input size"):
        F.conv2d(e(1, 3, 2, 2), e(1, 3, 3, 3))
    with pytest.raises(RuntimeError, match="padding='same' is not supported for strided convolutions"):
        F.conv2d(x, e(16, 3, 3, 3), stride=2, padding="same")
    with pytest.raises(RuntimeError, match="Expected 3D \\(unbatched\\) or 4D \\(batched\\) input to conv2d"):
        F.conv2d(e(3, 3), e(16, 3, 3, 3))
    with pytest.raises(RuntimeError, match="output padding must be smaller than either stride or dilation"):
        F.conv_transpose2d(e(1, 4, 5, 5), e(4, 8, 3, 3), stride=1, output_padding=1)


def test_conv_symbolic(env):
    h = env.size("h", hint=32)
    out = F.conv2d(e(2, 3, h, h), e(8, 3, 3, 3), stride=2, padding=1)
    assert strs(out.shape) == ["2", "8", "(h + 1) // 2", "(h + 1) // 2"]


def test_pooling():
    x = e(2, 3, 7, 7)
    assert F.max_pool2d(x, 2).shape == (2, 3, 3, 3) and F.max_pool2d(x, 2, ceil_mode=True).shape == (2, 3, 4, 4)
    assert F.max_pool2d(x, 3, stride=2, padding=1).shape == (2, 3, 4, 4)
    out, idx = F.max_pool2d(x, 2, return_indices=True)
    assert idx.shape == out.shape and idx.dtype is dtypes.int64
    assert F.avg_pool2d(x, 3, stride=2).shape == (2, 3, 3, 3)
    assert F.adaptive_avg_pool2d(x, (1, 1)).shape == (2, 3, 1, 1) and F.adaptive_avg_pool2d(x, 5).shape == (2, 3, 5, 5)
    assert F.adaptive_avg_pool2d(x, (None, 2)).shape == (2, 3, 7, 2)
    with pytest.raises(RuntimeError, match="pad should be at most half of effective kernel size"):
        F.max_pool2d(x, 2, padding=2)
    with pytest.raises(RuntimeError, match="Output size is too small"):
        F.max_pool2d(e(1, 1, 1, 1), 2)


def test_interpolate_pad_pixel_shuffle_unfold():
    x = e(2, 3, 8, 10)
    assert F.interpolate(x, scale_factor=2).shape == (2, 3, 16, 20)
    assert F.interpolate(x, size=(5, 5), mode="bilinear", align_corners=False).shape == (2, 3, 5, 5)
    assert F.interpolate(x, scale_factor=0.5).shape == (2, 3, 4, 5)
    with pytest.raises(ValueError, match="only one of size or scale_factor should be defined"):
        F.interpolate(x, size=4, scale_factor=2)
    with pytest.raises(ValueError, match="either size or scale_factor should be defined"):
        F.interpolate(x)
    with pytest.raises(NotImplementedError, match="bilinear mode needs 4D input"):
        F.interpolate(e(2, 3, 8), scale_factor=2, mode="bilinear")
    with pytest.raises(ValueError, match="align_corners option can only be set"):
        F.interpolate(x, scale_factor=2, align_corners=True)
    assert F.pad(x, (1, 2)).shape == (2, 3, 8, 13) and F.pad(x, (1, 1, 2, 2)).shape == (2, 3, 12, 12)
    assert F.pad(x, (-1, -1)).shape == (2, 3, 8, 8)
    with pytest.raises(RuntimeError, match="Padding length must be divisible by 2"):
        F.pad(x, (1,))
    with pytest.raises(RuntimeError, match="Padding size should be less than the corresponding input dimension"):
        F.pad(x, (10, 10), mode="reflect")
    assert F.pixel_shuffle(e(1, 8, 3, 3), 2).shape == (1, 2, 6, 6)
    assert F.pixel_unshuffle(e(1, 2, 6, 6), 2).shape == (1, 8, 3, 3)
    with pytest.raises(RuntimeError, match="divisible by the square of upscale_factor"):
        F.pixel_shuffle(e(1, 5, 3, 3), 2)
    assert F.unfold(e(1, 3, 10, 12), kernel_size=(2, 3)).shape == (1, 18, 90)
    assert F.fold(e(1, 18, 90), output_size=(10, 12), kernel_size=(2, 3)).shape == (1, 3, 10, 12)


def test_norms_embedding_attention():
    x = e(2, 5, 8)
    assert F.layer_norm(x, (8,), e(8), e(8)).shape == x.shape and F.rms_norm(x, [8]).shape == x.shape
    with pytest.raises(RuntimeError, match=r"Given normalized_shape=\[6\], expected input with shape \[\*, 6\]"):
        F.layer_norm(x, (6,))
    assert F.group_norm(e(2, 6, 4), 3).shape == (2, 6, 4)
    with pytest.raises(RuntimeError, match="Expected number of channels in input to be divisible by num_groups"):
        F.group_norm(e(2, 6, 4), 4)
    assert F.batch_norm(e(2, 3, 4, 4), e(3), e(3)).shape == (2, 3, 4, 4)
    with pytest.raises(RuntimeError, match="running_mean should contain 3 elements not 4"):
        F.batch_norm(e(2, 3, 4, 4), e(4), e(4))
    with pytest.raises(ValueError, match="Expected more than 1 value per channel when training"):
        F.batch_norm(e(1, 3), None, None, training=True)
    ids = e(2, 7, dtype=dtypes.int64)
    assert F.embedding(ids, e(100, 16)).shape == (2, 7, 16)
    with pytest.raises(RuntimeError, match="'indices' to have one of the following scalar types"):
        F.embedding(e(2, 7), e(100, 16))
    q, k, v = e(2, 8, 5, 16), e(2, 8, 9, 16), e(2, 8, 9, 32)
    assert F.scaled_dot_product_attention(q, k, v).shape == (2, 8, 5, 32)
    assert F.scaled_dot_product_attention(q, e(2, 2, 9, 16), e(2, 2, 9, 32), enable_gqa=True).shape == (2, 8, 5, 32)
    assert F.scaled_dot_product_attention(q, k, v, attn_mask=e(5, 9, dtype=dtypes.bool)).shape == (2, 8, 5, 32)
    with pytest.raises(RuntimeError, match="must have the same embedding dimension"):
        F.scaled_dot_product_attention(q, e(2, 8, 9, 4), v)
    with pytest.raises(RuntimeError, match="must divide number of heads in query"):
        F.scaled_dot_product_attention(q, e(2, 3, 9, 16), e(2, 3, 9, 32), enable_gqa=True)
    with pytest.raises(RuntimeError, match="Explicit attn_mask should not be set when is_causal=True"):
        F.scaled_dot_product_attention(q, k, v, attn_mask=e(5, 9), is_causal=True)
    assert F.cross_entropy(e(4, 10), e(4, dtype=dtypes.int64)).shape == ()
    assert F.mse_loss(e(4, 3), e(4, 3), reduction="none").shape == (4, 3)
