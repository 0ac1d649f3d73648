"""FakeTensor: sizes, strides, numel, contiguity, symbolic sizes, creation checks."""

import pytest

import symcore
from symcore.tensor import FakeTensor, Size, dtypes, empty, empty_strided


@pytest.fixture
def env():
    return symcore.ShapeEnv()


def test_contiguous_strides_and_metadata():
    x = empty(2, 3, 4)
    assert x.shape == (2, 3, 4) and isinstance(x.shape, Size)
    assert x.stride() == (12, 4, 1) and x.stride(0) == 12 and x.stride(-1) == 1
    assert x.numel() == 24 and x.dim() == 3 and x.ndim == 3 and x.size(1) == 3
    assert x.is_contiguous() is True and x.dtype is dtypes.float32 and x.element_size() == 4
    assert repr(x) == "FakeTensor(size=(2, 3, 4), dtype=symcore.float32)"
    assert repr(x.shape) == "symcore.Size([2, 3, 4])"


def test_size_zero_and_one_dims_count_as_one_in_strides():
    assert empty(3, 0, 5).stride() == (5, 5, 1)
    assert empty(3, 1, 5).stride() == (5, 5, 1)


def test_symbolic_sizes(env):
    b, t = env.size("b", hint=4), env.size("t", hint=16)
    x = empty(b, t, 8)
    assert str(x.numel()) == "8*b*t"
    assert [str(s) for s in x.stride()] == ["8*t", "8", "1"]
    assert x.is_contiguous() is True
    assert x.shape[0] is b or str(x.shape[0]) == "b"


def test_transpose_permutes_strides_and_is_not_contiguous(env):
    b = env.size("b", hint=4)
    y = empty(b, 3, 5).transpose(0, 2)
    assert [str(s) for s in y.shape] == ["5", "3", "b"]
    assert y.stride() == (1, 5, 15)
    assert y.is_contiguous() is False
    assert y.contiguous().is_contiguous() is True


def test_is_contiguous_is_symbolic_for_symbolic_strides(env):
    st = env.size("st", hint=4)
    x = empty_strided((env.size("n", hint=3), 4), (st, 1))
    cond = x.is_contiguous()
    assert isinstance(cond, symcore.SymBool) and str(cond) == "st == 4"


def test_view_shares_strides_expand_is_stride_zero():
    x = empty(3, 1)
    e = x.expand(3, 5)
    assert e.shape == (3, 5) and e.stride() == (1, 0)
    assert x.t().t().stride() == (1, 1)


def test_creation_errors():
    with pytest.raises(RuntimeError, match="negative dimension -1"):
        empty(2, -1)
    with pytest.raises(TypeError, match="must be tuple of ints, but found element of type float"):
        empty(2, 1.5)
    with pytest.raises(RuntimeError, match="mismatch in length of strides and shape"):
        empty_strided((2, 3), (1,))
    with pytest.raises(TypeError, match="dtype"):
        FakeTensor((2,), dtype="floaty")


def test_no_data():
    x = empty(2)
    with pytest.raises(RuntimeError, match="data"):
        bool(x)
    with pytest.raises(RuntimeError, match="no data"):
        x.item()


def test_dim_errors_are_index_errors():
    x = empty(2, 3)
    with pytest.raises(IndexError, match=r"Dimension out of range \(expected to be in range of \[-2, 1\], but got 2\)"):
        x.size(2)


def test_subs_binds_symbols(env):
    b = env.size("b", hint=4)
    x = empty(b, 8).transpose(0, 1)
    y = x.subs({"b": 10})
    assert y.shape == (8, 10) and y.stride() == (1, 8)
    assert x.free_symbols == {"b"}
