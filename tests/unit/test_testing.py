"""symcore.testing.check_shape_function: passes correct shape functions (both through the first
trace and through retraces at guard-violating inputs), catches wrong ones with a shrunk input,
the guards and the diverging expression, and validates its arguments."""

import doctest
import itertools

import pytest

import symcore
import symcore.testing as stt
from symcore.testing import ShapeFunctionMismatch, check_shape_function

# ---------------------------------------------------------------------------------------------
# Correct shape functions pass
# ---------------------------------------------------------------------------------------------


def conv_out(size, kernel, stride, padding):
    return (size + 2 * padding - kernel) // stride + 1


def test_conv_output_size_passes():
    check_shape_function(conv_out, 32, 3, 2, 1, min_value=1, max_examples=60)


def test_branches_are_checked_through_retraces():
    traced_branches = set()

    def piecewise(n, m):
        if isinstance(n, symcore.SymInt):
            traced_branches.add("symbolic")
        if n > m:
            traced_branches.add("n > m" if isinstance(n, symcore.SymInt) else "plain")
            return (n - m, n % 8)
        if n == m:
            return (0, 0)
        return [m - n, max(n, 3)]

    check_shape_function(piecewise, 10, 4, max_examples=100)
    # the first trace took n > m; values with n <= m violate its guard and were retraced
    assert "symbolic" in traced_branches and "n > m" in traced_branches
    assert "plain" in traced_branches


def test_consistent_exceptions_pass():
    def split(n, parts):
        return n // (parts - 3), n % (parts - 3)  # ZeroDivisionError at parts == 3, both ways

    check_shape_function(split, 12, 5, max_value=16, max_examples=100)


def test_static_and_non_int_arguments_are_passed_through():
    seen = []

    def pad(n, mode, k):
        seen.append((type(n), mode, type(k)))
        return n + k if mode == "same" else n

    check_shape_function(pad, 10, "same", 3, dynamic=["n"], max_examples=20)
    assert all(mode == "same" and k is int for _, mode, k in seen)
    check_shape_function(pad, 10, "valid", 3, dynamic=[0, 2], max_examples=20)


def test_bool_float_and_dict_outputs():
    def stats(n, m):
        return {"ratio": n / m, "even": n % 2 == 0, "sizes": (n, m)}

    check_shape_function(stats, 6, 3, min_value=1, max_examples=50)


def test_no_dynamic_arguments_checks_the_example_only():
    calls = []

    def f(n):
        calls.append(n)
        return n * 2

    check_shape_function(f, 4, dynamic=False)
    assert len(calls) == 2  # one trace, one plain call


# ---------------------------------------------------------------------------------------------
# Wrong shape functions are caught
# ---------------------------------------------------------------------------------------------


def by_type(n, m):
    # a Python-level path the trace cannot see: plain ints take a different formula
    if isinstance(n, int):
        return n * m
    return n * m + 1


def test_isinstance_path_is_caught_and_shrunk():
    with pytest.raises(ShapeFunctionMismatch) as info:
        check_shape_function(by_type, 8, 4, max_examples=50)
    e = info.value
    assert isinstance(e, AssertionError)
    assert e.inputs == {"n": 0, "m": 0}  # hypothesis shrinks to the smallest input
    assert e.path == "result"
    assert e.expression == "m*n + 1"
    assert e.expected == 0 and e.actual == 1
    text = str(e)
    assert "by_type(n=0, m=0)" in text and "m*n + 1" in text and "guards:" in text


COUNTER = itertools.count()


def with_counter(n):
    # a global counter: every call returns something else
    return n + next(COUNTER) % 2


def test_global_counter_is_caught():
    with pytest.raises(ShapeFunctionMismatch) as info:
        check_shape_function(with_counter, 5, max_examples=50)
    assert info.value.path == "result"
    assert "not deterministic" in str(info.value)


_CACHE = {}


def cached_by_id(n):
    # caches on id(): a stale entry from the trace is reused for another value
    key = id(type(n))
    if key not in _CACHE:
        _CACHE[key] = n * 2
    return _CACHE[key] if not isinstance(n, int) else n * 2 + (n > 5)


def test_id_based_cache_is_caught():
    _CACHE.clear()
    with pytest.raises(ShapeFunctionMismatch) as info:
        check_shape_function(cached_by_id, 8, max_examples=100)
    assert info.value.inputs["n"] > 5


def wrong_in_other_branch(n):
    if n > 10:
        return n * 2
    return n + (1 if isinstance(n, int) else 0)


def test_wrong_branch_found_through_retrace():
    with pytest.raises(ShapeFunctionMismatch) as info:
        check_shape_function(wrong_in_other_branch, 20, max_examples=100)
    e = info.value
    assert e.inputs == {"n": 0}
    assert "a trace at these values" in str(e)
    assert e.guards == ["n <= 10"]
    assert e.expression == "n"


def wrong_second_output(n, m):
    out = (n + m, n * 2)
    if isinstance(n, int):
        out = (n + m, n * 2 + (m > 3))
    return out


def test_diverging_element_is_named():
    with pytest.raises(ShapeFunctionMismatch) as info:
        check_shape_function(wrong_second_output, 6, 7, max_examples=100)
    e = info.value
    assert e.path == "result[1]"
    assert e.expression == "2*n"
    assert e.inputs["n"] == 0 and e.inputs["m"] > 3  # shrunk (m usually to 4; best effort)
    assert "output differs at result[1]" in str(e)


def test_exception_only_on_one_side_is_caught():
    def f(n):
        if isinstance(n, int) and n < 3:
            raise ValueError("plain path only")
        return n + 1

    with pytest.raises(ShapeFunctionMismatch) as info:
        check_shape_function(f, 8, max_examples=100)
    assert info.value.inputs == {"n": 0}
    assert "ValueError" in str(info.value)


def test_structure_difference_is_caught():
    def f(n):
        return [n, n] if isinstance(n, int) else (n, n)

    with pytest.raises(ShapeFunctionMismatch):
        check_shape_function(f, 8, max_examples=10)


# ---------------------------------------------------------------------------------------------
# Argument handling
# ---------------------------------------------------------------------------------------------


def test_tracing_errors_propagate():
    def not_traceable(n):
        return int(str(n))  # str() of a symbol is its name

    with pytest.raises(ValueError):
        check_shape_function(not_traceable, 3)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"dynamic": ["nope"]}, "not a parameter"),
        ({"dynamic": [5]}, "not an int argument"),
        ({"min_value": 10}, "below min_value"),
        ({"max_value": 2}, "above max_value"),
    ],
)
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        check_shape_function(conv_out, 8, 3, 1, 0, **kwargs)


def test_docstring_examples():
    result = doctest.testmod(stt, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 4
    assert result.failed == 0
