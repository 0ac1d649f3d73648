"""symcore.nn modules: PyTorch constructor arguments, parameter registration and traversal,
forward shapes, and cheap construction of large presets."""

import time

import pytest

import symcore
import symcore.nn as nn
from symcore.tensor import dtypes, empty


def test_linear_parameters_and_forward():
    m = nn.Linear(16, 32)
    assert [(n, p.shape) for n, p in m.named_parameters()] == [("weight", (32, 16)), ("bias", (32,))]
    assert m(empty(4, 7, 16)).shape == (4, 7, 32)
    assert nn.Linear(16, 32, bias=False).bias is None
    with pytest.raises(RuntimeError, match="mat1 and mat2 shapes cannot be multiplied"):
        m(empty(4, 15))


def test_traversal_names_like_torch():
    net = nn.Sequential(nn.Conv2d(3, 8, 3), nn.BatchNorm2d(8), nn.ReLU(), nn.Flatten(), nn.Linear(8 * 30 * 30, 10))
    names = [n for n, _ in net.named_parameters()]
    assert names == ["0.weight", "0.bias", "1.weight", "1.bias", "4.weight", "4.bias"]
    assert [n for n, _ in net.named_buffers()] == ["1.running_mean", "1.running_var", "1.num_batches_tracked"]
    assert len(list(net.children())) == 5 and len(list(net.modules())) == 6
    assert net(empty(2, 3, 32, 32)).shape == (2, 10)
    assert net[0].out_channels == 8 and len(net[1:]) == 4
    assert "0.weight" in net.state_dict()


def test_shared_parameters_are_listed_once():
    emb = nn.Embedding(10, 4)
    head = nn.Linear(4, 10, bias=False)
    head.weight = emb.weight
    m = nn.ModuleList([emb, head])
    assert len(list(m.parameters())) == 1


def test_conv_module_arguments():
    c = nn.Conv2d(4, 8, kernel_size=(3, 5), stride=2, padding=1, groups=2, bias=False, padding_mode="reflect")
    assert c.weight.shape == (8, 2, 3, 5) and c.bias is None
    assert c(empty(1, 4, 16, 16)).shape == (1, 8, 8, 7)
    with pytest.raises(ValueError, match="in_channels must be divisible by groups"):
        nn.Conv2d(3, 8, 3, groups=2)
    with pytest.raises(ValueError, match="padding='same' is not supported for strided convolutions"):
        nn.Conv2d(3, 8, 3, stride=2, padding="same")
    t = nn.ConvTranspose2d(8, 4, 3, stride=2, padding=1, output_padding=1)
    assert t.weight.shape == (8, 4, 3, 3) and t(empty(1, 8, 5, 5)).shape == (1, 4, 10, 10)
    assert t(empty(1, 8, 5, 5), output_size=(9, 9)).shape == (1, 4, 9, 9)
    assert nn.Conv1d(4, 6, 3, padding="same")(empty(2, 4, 11)).shape == (2, 6, 11)


def test_norms_and_misc_modules():
    x = empty(2, 6, 5, 5)
    assert nn.BatchNorm2d(6)(x).shape == x.shape and nn.GroupNorm(3, 6)(x).shape == x.shape
    with pytest.raises(ValueError, match="expected 4D input"):
        nn.BatchNorm2d(6)(empty(2, 6, 5))
    with pytest.raises(ValueError, match="num_channels must be divisible by num_groups"):
        nn.GroupNorm(4, 6)
    assert nn.LayerNorm(5)(x).shape == x.shape and nn.RMSNorm([5, 5])(x).shape == x.shape
    assert nn.LayerNorm(5, elementwise_affine=False).weight is None
    assert nn.Dropout(0.1)(x).shape == x.shape
    with pytest.raises(ValueError, match="dropout probability"):
        nn.Dropout(2.0)
    assert nn.MaxPool2d(2)(x).shape == (2, 6, 2, 2) and nn.MaxPool2d(2, ceil_mode=True)(x).shape == (2, 6, 3, 3)
    assert nn.AvgPool2d(2, stride=1)(x).shape == (2, 6, 4, 4) and nn.AdaptiveAvgPool2d((1, 1))(x).shape == (2, 6, 1, 1)
    assert nn.Softmax(dim=-1)(x).shape == x.shape and nn.GELU(approximate="tanh")(x).shape == x.shape
    for act in (nn.ReLU(), nn.SiLU(), nn.Tanh(), nn.Sigmoid(), nn.Identity(), nn.LeakyReLU(0.2), nn.Mish()):
        assert act(x).shape == x.shape
    assert nn.Flatten()(x).shape == (2, 150) and nn.Unflatten(1, (2, 3))(x).shape == (2, 2, 3, 5, 5)
    assert nn.Upsample(scale_factor=2)(x).shape == (2, 6, 10, 10) and nn.PixelShuffle(1)(x).shape == x.shape
    ids = empty(3, 4, dtype=dtypes.int64)
    assert nn.Embedding(50, 8)(ids).shape == (3, 4, 8)


def test_multihead_attention():
    mha = nn.MultiheadAttention(16, 4)
    names = [n for n, _ in mha.named_parameters()]
    assert names == ["in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"]
    out, w = mha(empty(5, 2, 16), empty(7, 2, 16), empty(7, 2, 16))
    assert out.shape == (5, 2, 16) and w.shape == (2, 5, 7)
    bf = nn.MultiheadAttention(16, 4, batch_first=True)
    out, w = bf(empty(2, 5, 16), empty(2, 7, 16), empty(2, 7, 16), need_weights=False)
    assert out.shape == (2, 5, 16) and w is None
    out, w = mha(empty(5, 16), empty(7, 16), empty(7, 16), average_attn_weights=False)
    assert out.shape == (5, 16) and w.shape == (4, 5, 7)
    with pytest.raises(AssertionError, match="embed_dim must be divisible by num_heads"):
        nn.MultiheadAttention(10, 3)


def test_symbolic_parameter_sizes():
    env = symcore.ShapeEnv()
    d = env.size("d", hint=64)
    m = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d))
    assert str(m.num_parameters()) == "8*d**2 + 5*d" or str(m.num_parameters()).replace(" ", "") in (
        "8*d**2+5*d",
        "5*d+8*d**2",
    )
    assert [str(s) for s in m(empty(2, d)).shape] == ["2", "d"]


def test_module_registration_rules():
    class Net(nn.Module):
        def __init__(self):
            self.fc = nn.Linear(2, 2)  # no super().__init__()

    with pytest.raises(AttributeError, match=r"cannot assign module before Module\.__init__"):
        Net()
    m = nn.Linear(2, 2)
    with pytest.raises(TypeError, match="cannot assign 'int' as parameter 'weight'"):
        m.weight = 3
    with pytest.raises(NotImplementedError, match='missing the required "forward"'):
        nn.Module()(1)
    half = nn.Linear(2, 2).half()
    assert half.weight.dtype is dtypes.float16


def test_large_presets_construct_fast():
    start = time.perf_counter()
    layers = nn.ModuleList()
    for _ in range(80):  # Llama-70B-sized decoder layers
        block = nn.ModuleDict(
            {
                "q": nn.Linear(8192, 8192, bias=False),
                "k": nn.Linear(8192, 1024, bias=False),
                "v": nn.Linear(8192, 1024, bias=False),
                "o": nn.Linear(8192, 8192, bias=False),
                "gate": nn.Linear(8192, 28672, bias=False),
                "up": nn.Linear(8192, 28672, bias=False),
                "down": nn.Linear(28672, 8192, bias=False),
                "norm1": nn.RMSNorm(8192),
                "norm2": nn.RMSNorm(8192),
            }
        )
        layers.append(block)
    assert time.perf_counter() - start < 2.0
    assert layers.num_parameters() > 60_000_000_000
