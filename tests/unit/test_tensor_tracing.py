"""symcore.trace: tensor programs to graphs of tensor ops and size arithmetic, run on shapes."""

import pytest

import symcore.nn as nn
import symcore.nn.functional as F
from symcore import ops
from symcore.graph import Graph
from symcore.tensor import GuardViolation, dtypes, empty, trace


def _guards_hold(gm, binding):
    env = gm.shape_env
    return [bool(env.evaluate(env.parse(text), binding)) for text in env.produce_guards()]


def _calls(gm):
    return [n.target.__name__ for n in gm.graph.nodes if n.op == "call_function"]


def test_ops_become_nodes_and_size_reads_become_sym_size():
    def f(x, w):
        y = x @ w
        return y.view(x.shape[0] * x.shape[1], -1).relu()

    gm = trace(f, (2, 5, 8), (8, 3), dynamic={"x": {0: "b", 1: "t"}})
    assert str(gm.graph).splitlines()[1:] == [
        "    %x = placeholder[x]",
        "    %w = placeholder[w]",
        "    %sym_size = symcore.ops.sym_size(%x, 0)",
        "    %sym_size_1 = symcore.ops.sym_size(%x, 1)",
        "    %matmul = symcore.ops.matmul(%x, %w)",
        "    %mul = operator.mul(%sym_size, %sym_size_1)",
        "    %view = symcore.ops.view(%matmul, %mul, -1)",
        "    %relu = symcore.ops.relu(%view)",
        "    return %relu",
    ]
    assert gm((4, 7, 8), (8, 3)).shape == (28, 3)
    assert gm(empty(1, 2, 8), empty(8, 3)).shape == (2, 3)


def test_shape_rule_arithmetic_stays_out_of_the_graph():
    def f(x):
        return F.conv2d(x, ops.ones(4, 3, 3, 3), stride=2, padding=1).flatten(1)

    gm = trace(f, (2, 3, 16, 16), dynamic={"x": {2: "h", 3: "w"}})
    assert _calls(gm) == ["ones", "conv2d", "flatten"]  # no floordiv/add from the conv formula
    assert gm((1, 3, 9, 5)).shape == (1, 4 * 5 * 3)


def test_unused_nodes_are_eliminated_and_outputs_can_be_sizes():
    def f(x):
        _ = x.shape  # read, unused
        y = x.transpose(0, 1)
        return y.shape[0] + 1, y.numel()

    gm = trace(f, (3, 4), dynamic=True)
    # The transpose is unused: its sizes are the input's, read through the input's sym_size nodes.
    assert _calls(gm) == ["sym_size", "sym_size", "add", "mul"]
    assert gm((5, 6)) == (7, 30)


def test_matmul_guard_and_replacement():
    gm = trace(lambda a, b: a @ b, (3, 5), (5, 4), dynamic={"a": {0: "m", 1: "k"}, "b": {0: "k2"}})
    assert gm.shape_env.produce_guards() == ["k == k2"] or gm.shape_env.produce_guards() == ["k2 == k"]
    assert gm((2, 7), (7, 4)).shape == (2, 4)
    with pytest.raises(GuardViolation):
        gm((2, 7), (6, 4))


def test_branch_on_size_is_a_guard_and_the_module_checks_it():
    def f(x):
        if x.shape[0] > 4:
            return x.sum(0)
        return x

    gm = trace(f, (8, 3), dynamic={"x": {0: "n"}})
    assert len(gm.shape_env.produce_guards()) == 1  # n > 4, in the ShapeEnv's canonical form
    assert _guards_hold(gm, {"n": 5}) == [True] and _guards_hold(gm, {"n": 4}) == [False]
    assert gm((6, 3)).shape == (3,)
    with pytest.raises(GuardViolation, match="is false for"):
        gm((2, 3))


def test_int_arguments_and_factories_with_symbolic_sizes():
    def f(x, n):
        return ops.zeros(x.shape[0], n) + x.unsqueeze(1)

    gm = trace(f, (4,), 7, dynamic={"x": [0], "n": True})
    assert gm((5,), 2).shape == (5, 2)
    assert "zeros" in _calls(gm)


def test_slices_and_dtypes_are_recorded_as_literals():
    def f(x):
        return x[:, 1:, None, ...].to(dtypes.float16)[..., ::2]

    gm = trace(f, (3, 8, 6), dynamic={"x": {1: "t"}})
    assert gm((3, 10, 6)).shape == (3, 9, 1, 3)
    assert gm((3, 10, 6)).dtype is dtypes.float16
    doc = gm.graph.to_json()
    assert Graph.from_json(doc).to_json() == doc


def test_data_dependent_sizes_in_a_trace():
    def f(x):
        nz = ops.nonzero(x > 0)
        return nz.shape[0] * 2, nz

    gm = trace(f, (5, 6))
    n, nz = gm((5, 6))
    assert str(n).startswith("2*u") and nz.shape[1] == 2


def test_shapes_reports_every_intermediate():
    gm = trace(lambda x: (x + 1).sum(-1), (2, 3), dynamic=True)
    shapes = gm.shapes((4, 5))
    assert shapes["x"] == (4, 5) and shapes["add"] == (4, 5) and shapes["sum_1"] == (4,)


def test_dynamic_validation():
    with pytest.raises(ValueError, match="not parameters of the traced function"):
        trace(lambda x: x, (2,), dynamic={"y": True})
    with pytest.raises(ValueError, match="is used for sizes"):
        trace(lambda x, y: x, (2,), (3,), dynamic={"x": {0: "n"}, "y": {0: "n"}})


# -- end to end --------------------------------------------------------------------------------------


class Block(nn.Module):
    def __init__(self, d=32, h=4):
        super().__init__()
        self.ln_1 = nn.LayerNorm(d)
        self.c_attn = nn.Linear(d, 3 * d)
        self.c_proj = nn.Linear(d, d)
        self.ln_2 = nn.LayerNorm(d)
        self.fc = nn.Linear(d, 4 * d)
        self.proj = nn.Linear(4 * d, d)
        self.h, self.d = h, d

    def forward(self, x):
        B, T, C = x.size()
        q, k, v = self.c_attn(self.ln_1(x)).split(self.d, dim=2)
        q = q.view(B, T, self.h, C // self.h).transpose(1, 2)
        k = k.view(B, T, self.h, C // self.h).transpose(1, 2)
        v = v.view(B, T, self.h, C // self.h).transpose(1, 2)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        x = x + self.c_proj(y.transpose(1, 2).contiguous().view(B, T, C))
        return x + self.proj(F.gelu(self.fc(self.ln_2(x))))


def test_transformer_block_trace():
    gm = trace(Block(), (2, 16, 32), dynamic={"x": {0: "batch", 1: "seq"}})
    text = str(gm.graph)
    assert "%c_attn_weight = get_attr[c_attn.weight]" in text
    assert (
        "symcore.nn.functional.scaled_dot_product_attention(%transpose, %transpose_1, %transpose_2, is_causal=True)"
        in text
    )
    assert "%view = symcore.ops.view(%getitem, %sym_size, %sym_size_1, 4, 8)" in text
    assert gm.shape_env.produce_guards() == []
    assert gm((3, 7, 32)).shape == (3, 7, 32)
    assert _calls(gm).count("linear") == 4


class SmallConvNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 8, 3, stride=2, padding=1), nn.BatchNorm2d(8), nn.ReLU())
        self.block = nn.Sequential(nn.Conv2d(8, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU())
        self.pool = nn.MaxPool2d(2)
        self.head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, 10))

    def forward(self, x):
        x = self.stem(x)
        x = x + self.block(x)
        return self.head(self.pool(x))


def test_conv_net_trace():
    gm = trace(SmallConvNet(), (2, 3, 32, 32), dynamic={"x": {0: "n", 2: "h", 3: "w"}})
    assert _calls(gm) == [
        "conv2d", "batch_norm", "relu", "conv2d", "batch_norm", "relu", "add", "max_pool2d",
        "adaptive_avg_pool2d", "flatten", "linear",
    ]  # fmt: skip
    guards = gm.shape_env.produce_guards()
    # The max pool needs an output of at least 1 (PyTorch's "Output size is too small" check).
    assert len(guards) == 2  # (h + 1) // 4 >= 1 and the same for w
    assert _guards_hold(gm, {"n": 2, "h": 3, "w": 3}) == [True, True]
    assert _guards_hold(gm, {"n": 2, "h": 2, "w": 3}) == [False, True]
    assert gm((5, 3, 64, 48)).shape == (5, 10)
    shapes = gm.shapes((5, 3, 64, 48))
    assert shapes["max_pool2d"] == (5, 8, 16, 12)


def test_runtime_assertions_over_input_sizes_are_checked_when_the_module_runs():
    import symcore

    def f(x):
        symcore.check(x.shape[1] <= 64, "at most 64 columns")
        return x.sum(1)

    gm = symcore.trace(f, (4, 16), dynamic=True)
    assert gm((3, 64)).shape == (3,)
    with pytest.raises(symcore.GuardViolation, match="at most 64 columns"):
        gm((3, 65))
