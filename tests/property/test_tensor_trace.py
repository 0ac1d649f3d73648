"""Traced tensor programs agree with the programs: a random program drawn from the op set is
traced once with symbolic sizes; at any other sizes that satisfy the recorded guards, the traced
module gives the same output shapes and dtypes as running the program on tensors with those
sizes as constants (or both raise the same exception class)."""

from hypothesis import assume, given
from hypothesis import strategies as st

import symcore.nn.functional as F
from symcore import ops
from symcore.tensor import FakeTensor, GuardViolation, trace

STEPS = [
    ("add_y",),
    ("mul_scalar",),
    ("transpose",),
    ("flatten_last2",),
    ("unsqueeze0",),
    ("sum_last",),
    ("softmax",),
    ("matmul_t",),
    ("split_last", 2),
    ("slice_last",),
    ("cat_self",),
    ("pad_last",),
    ("relu",),
    ("mean_keep",),
    ("expand_first",),
    ("reshape_flat",),
    ("narrow_first",),
    ("conv1d",),
    ("max_pool1d",),
    ("getitem_int",),
]


def apply(step, x, y):
    kind = step[0]
    if x.ndim == 0:
        return x
    if kind == "add_y":
        return x + y if x.shape[-1] == y.shape[-1] or y.shape[-1] == 1 else x
    if kind == "mul_scalar":
        return x * 2.0
    if kind == "transpose" and x.ndim >= 2:
        return x.transpose(0, -1)
    if kind == "flatten_last2" and x.ndim >= 2:
        return x.flatten(-2)
    if kind == "unsqueeze0" and x.ndim < 5:
        return x.unsqueeze(0)
    if kind == "sum_last":
        return x.sum(-1)
    if kind == "softmax":
        return x.softmax(-1)
    if kind == "matmul_t" and x.ndim >= 2:
        return x @ x.transpose(-2, -1)
    if kind == "split_last":
        return x.split(step[1], dim=-1)[0]
    if kind == "slice_last":
        return x[..., 1:]
    if kind == "cat_self":
        return ops.cat([x, x], dim=0)
    if kind == "pad_last":
        return F.pad(x, (1, 2))
    if kind == "relu":
        return x.relu()
    if kind == "mean_keep":
        return x.mean(0, keepdim=True)
    if kind == "expand_first" and x.shape[0] == 1:
        return x.expand(3, *x.shape[1:])
    if kind == "reshape_flat":
        return x.reshape(-1)
    if kind == "narrow_first" and x.shape[0] >= 2:
        return x.narrow(0, 1, x.shape[0] - 1)
    if kind == "conv1d" and x.ndim == 3:
        return F.conv1d(x, ops.ones(2, x.shape[1], 2))
    if kind == "max_pool1d" and x.ndim == 3 and x.shape[-1] >= 2:
        return F.max_pool1d(x, 2)
    if kind == "getitem_int" and x.ndim >= 2:
        return x[0]
    return x


def program(steps):
    def fn(x, y):
        for s in steps:
            x = apply(s, x, y)
        return x

    return fn


sizes = st.lists(st.integers(2, 9), min_size=3, max_size=3)
steps = st.lists(st.sampled_from(STEPS), min_size=1, max_size=8)


def outcome(f):
    try:
        out = f()
    except GuardViolation:
        raise
    except (RuntimeError, IndexError, ValueError, TypeError) as e:
        return ("raise", type(e))
    assert isinstance(out, FakeTensor)
    return ("ok", tuple(out.shape), out.dtype)


@given(steps, sizes, sizes, st.integers(2, 9), st.integers(2, 9))
def test_traced_module_equals_constant_trace(prog, at_trace, at_run, y_trace, y_run):
    fn = program(prog)
    try:
        gm = trace(fn, tuple(at_trace), (y_trace,), dynamic=True)
    except (RuntimeError, IndexError, ValueError, TypeError):
        assume(False)
        return
    expected = outcome(lambda: fn(FakeTensor(at_run), FakeTensor((y_run,))))
    try:
        actual = outcome(lambda: gm(tuple(at_run), (y_run,)))
    except GuardViolation:
        assume(False)
        return
    assert actual == expected
    # Every shape in the traced module is an int at concrete sizes.
    if actual[0] == "ok":
        assert all(isinstance(s, int) for s in actual[1])
