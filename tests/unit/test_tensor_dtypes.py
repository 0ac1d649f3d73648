"""dtypes: names, sizes, categories and PyTorch's type-promotion rules."""

import pytest

from symcore.tensor import dtypes
from symcore.tensor.dtypes import promote_types, result_type, to_dtype
from symcore.tensor.fake import make


def test_names_print_like_torch():
    assert str(dtypes.float32) == "symcore.float32"
    assert repr(dtypes.bool) == "symcore.bool"
    assert dtypes.float is dtypes.float32 and dtypes.long is dtypes.int64 and dtypes.half is dtypes.float16


@pytest.mark.parametrize(
    ("d", "size", "fp", "cx"),
    [
        (dtypes.float16, 2, True, False),
        (dtypes.bfloat16, 2, True, False),
        (dtypes.float64, 8, True, False),
        (dtypes.int8, 1, False, False),
        (dtypes.uint8, 1, False, False),
        (dtypes.bool, 1, False, False),
        (dtypes.complex128, 16, False, True),
    ],
)
def test_properties(d, size, fp, cx):
    assert (d.itemsize, d.is_floating_point, d.is_complex) == (size, fp, cx)


@pytest.mark.parametrize(
    ("a", "b", "out"),
    [
        ("int8", "uint8", "int16"),
        ("uint8", "int32", "int32"),
        ("bool", "int8", "int8"),
        ("float16", "bfloat16", "float32"),
        ("int64", "float16", "float16"),
        ("float64", "complex64", "complex128"),
        ("float32", "complex64", "complex64"),
        ("int32", "int64", "int64"),
    ],
)
def test_promote_types_table(a, b, out):
    assert promote_types(to_dtype(a), to_dtype(b)) is to_dtype(out)
    assert promote_types(to_dtype(b), to_dtype(a)) is to_dtype(out)


def t(d, *size):
    return make(size or (2,), d)


def test_python_scalars_by_category():
    assert result_type(t(dtypes.int32), 2.5) is dtypes.float32  # float scalar: default dtype
    assert result_type(t(dtypes.int8), 300) is dtypes.int8  # same category: the tensor wins
    assert result_type(t(dtypes.float16), 2.5) is dtypes.float16
    assert result_type(t(dtypes.bool), 3) is dtypes.int64
    assert result_type(t(dtypes.float64), 1j) is dtypes.complex128
    assert result_type(t(dtypes.int64), 1j) is dtypes.complex64
    assert result_type(2, 3) is dtypes.int64
    assert result_type(2, 3.0) is dtypes.float32


def test_zero_dim_tensors_only_win_with_a_higher_category():
    zero_f64 = make((), dtypes.float64)
    zero_i64 = make((), dtypes.int64)
    assert result_type(t(dtypes.int32), zero_i64) is dtypes.int32
    assert result_type(t(dtypes.int32), zero_f64) is dtypes.float64
    assert result_type(t(dtypes.float16), zero_f64) is dtypes.float16


def test_bad_dtype_is_a_type_error():
    with pytest.raises(TypeError, match="dtype"):
        to_dtype("float31")
    with pytest.raises(TypeError, match="result_type"):
        result_type(t(dtypes.float32), "x")
