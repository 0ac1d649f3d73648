"""In-place ops: PyTorch's rules (no broadcasting of ``self``, same-kind casting), ``self`` is
returned, and a trace records each one as a node that later uses read through."""

import pytest

import symcore
from symcore.tensor import registry


@pytest.fixture
def x():
    env = symcore.ShapeEnv()
    return symcore.empty(env.size("n", hint=4), 5)


@pytest.mark.parametrize(
    "call",
    [
        lambda x: x.add_(symcore.empty(5)),
        lambda x: x.sub_(1, alpha=2),
        lambda x: x.mul_(symcore.empty(1, 5)),
        lambda x: x.div_(2),
        lambda x: x.pow_(2),
        lambda x: x.clamp_(min=0),
        lambda x: x.masked_fill_(symcore.empty(5, dtype=symcore.bool), 0.0),
        lambda x: x.relu_(),
        lambda x: x.sigmoid_(),
        lambda x: x.exp_(),
        lambda x: x.zero_(),
        lambda x: x.fill_(3.0),
        lambda x: x.normal_(),
        lambda x: x.uniform_(-1, 1),
        lambda x: x.copy_(symcore.empty(5, dtype=symcore.float16)),
    ],
)
def test_in_place_ops_return_self(x, call):
    assert call(x) is x
    assert x.dtype is symcore.float32 and str(x.shape) == "symcore.Size([n, 5])"


def test_self_is_not_broadcast(x):
    with pytest.raises(RuntimeError, match=r"add_: output with shape \[n, 5\] doesn't match the broadcast shape"):
        x.add_(symcore.empty(3, 1, 5))
    with pytest.raises(RuntimeError, match="copy_"):
        x.copy_(symcore.empty(2, 4, 5))


def test_results_must_cast_to_self_dtype():
    ints = symcore.empty(3, dtype=symcore.int64)
    with pytest.raises(RuntimeError, match="result type Float can't be cast to the desired output type Long"):
        ints.add_(1.5)
    with pytest.raises(RuntimeError, match="result type Float can't be cast"):
        ints.sqrt_()
    assert ints.add_(2) is ints and ints.dtype is symcore.int64
    floats = symcore.empty(3, dtype=symcore.float16)
    assert floats.add_(symcore.empty(3, dtype=symcore.float32)) is floats and floats.dtype is symcore.float16


def test_fill_needs_a_number_or_a_0_dim_tensor(x):
    assert x.fill_(symcore.empty(())) is x
    with pytest.raises(RuntimeError, match="0-dimension"):
        x.fill_(symcore.empty(2))


def test_traced_in_place_ops_are_nodes_that_later_uses_read():
    def f(x, y):
        x.mul_(2)
        x.add_(y)
        return x.relu_().sum(1)

    gm = symcore.trace(f, (4, 5), (5,), dynamic=True)
    calls = [n.target.__name__ for n in gm.graph.nodes if n.op == "call_function"]
    assert calls[-4:] == ["mul_", "add_", "relu_", "sum"]
    # each in-place node consumes the previous one: the data flow is kept
    mul, add, relu = [n for n in gm.graph.nodes if n.op == "call_function"][-4:-1]
    assert add.args[0] is mul and relu.args[0] is add
    assert tuple(gm((7, 5), (5,)).shape) == (7,)


def test_every_in_place_op_is_a_method_only():
    inplace = [info for info in registry.ops().values() if getattr(info.fn, "inplace", False)]
    assert len(inplace) > 50
    for info in inplace:
        assert info.name.endswith("_") and info.methods and "ops" not in info.namespaces


def test_nn_init_checks_ranks_and_returns_the_tensor():
    from symcore.nn import init

    w, b = symcore.empty(64, 32), symcore.empty(32)
    for fn in (init.xavier_uniform_, init.xavier_normal_, init.kaiming_uniform_, init.kaiming_normal_):
        assert fn(w) is w
        with pytest.raises(ValueError, match="fewer than 2 dimensions"):
            fn(b)
    for fn in (init.normal_, init.uniform_, init.zeros_, init.ones_, init.trunc_normal_):
        assert fn(b) is b
    assert init.constant_(b, 0.5) is b and init.eye_(w) is w and init.orthogonal_(w) is w
    with pytest.raises(ValueError, match="2 dimensions"):
        init.eye_(symcore.empty(2, 2, 2))
    with pytest.raises(ValueError, match="Mode fan_both not supported"):
        init.kaiming_normal_(w, mode="fan_both")
    assert init.dirac_(symcore.empty(8, 4, 3, 3), groups=2).shape == (8, 4, 3, 3)
    with pytest.raises(ValueError, match="divisible by groups"):
        init.dirac_(symcore.empty(7, 4, 3, 3), groups=2)
    # PyTorch's gains
    assert init.calculate_gain("tanh") == 5.0 / 3 and init.calculate_gain("selu") == 0.75
    assert init.calculate_gain("leaky_relu", 0.2) == (2.0 / (1 + 0.2**2)) ** 0.5
    with pytest.raises(ValueError, match="Unsupported nonlinearity"):
        init.calculate_gain("swish")


def test_a_module_that_initialises_its_weights_ports_unchanged():
    import symcore.nn as nn

    class MLP(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(16, 32)
            nn.init.kaiming_uniform_(self.fc.weight, a=5**0.5)
            nn.init.zeros_(self.fc.bias)
            self.fc.weight.mul_(0.5)

        def forward(self, x):
            return self.fc(x).relu_()

    gm = symcore.trace(MLP(), (4, 16), dynamic=True)
    assert tuple(gm((9, 16)).shape) == (9, 32)
