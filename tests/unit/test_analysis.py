"""symcore.analysis: FLOPs, activation and peak memory, parameters — against closed forms and against
analysing static traces at concrete sizes."""

import pytest

import symcore
import symcore.nn.functional as F
from symcore import nn
from symcore.analysis import FLOP_RULES, CostReport, analyze, flop_rule
from symcore.models import get_model, trace_model

BINDINGS = [{"batch": 3, "seq": 5}, {"batch": 2, "seq": 77}, {"batch": 16, "seq": 1000}]


class Block(nn.Module):
    """A pre-norm attention block: LayerNorm, fused QKV projection, SDPA, output projection, residual."""

    def __init__(self, d=64, heads=4):
        super().__init__()
        self.heads = heads
        self.ln = nn.LayerNorm(d)
        self.qkv = nn.Linear(d, 3 * d)
        self.proj = nn.Linear(d, d)

    def forward(self, x):
        b, s, d = x.shape
        q, k, v = self.qkv(self.ln(x)).split(d, dim=2)
        q, k, v = (t.view(b, s, self.heads, d // self.heads).transpose(1, 2) for t in (q, k, v))
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return x + self.proj(y.transpose(1, 2).contiguous().view(b, s, d))


def _trace_bs(module, shape, name="x"):
    return symcore.trace(module, shape, dynamic={name: {0: "batch", 1: "seq"}})


def test_linear_matches_the_closed_form():
    d_in, d_out = 48, 80
    traced = _trace_bs(nn.Linear(d_in, d_out), (2, 10, d_in), "input")
    report = analyze(traced, (2, 10, d_in))
    assert isinstance(report, CostReport)
    assert report.params.is_constant and report.evaluate()["params"] == d_in * d_out + d_out
    for bind in BINDINGS:
        tokens = bind["batch"] * bind["seq"]
        got = report.evaluate(bind)
        assert got["flops"] == 2 * tokens * d_in * d_out + tokens * d_out  # 2*M*N*K + the bias add
        assert got["activation_bytes"] == 4 * tokens * d_out
        assert got["peak_bytes"] == 4 * tokens * (d_in + d_out)  # input + output live together
    assert set(report.symbols) == {"batch", "seq"}


def test_conv_matches_the_closed_form():
    conv = nn.Conv2d(3, 16, 5, stride=2, padding=1, groups=1)
    traced = symcore.trace(conv, (2, 3, 64, 48), dynamic={"input": {0: "n", 2: "h", 3: "w"}})
    report = analyze(traced, (2, 3, 64, 48))
    for n, h, w in [(1, 64, 48), (4, 33, 100), (2, 224, 224)]:
        ho, wo = (h + 2 - 5) // 2 + 1, (w + 2 - 5) // 2 + 1
        out = n * 16 * ho * wo
        got = report.evaluate({"n": n, "h": h, "w": w})
        assert got["flops"] == 2 * out * 3 * 5 * 5 + out
        assert got["activation_bytes"] == 4 * out
    assert report.evaluate()["params"] == 16 * 3 * 25 + 16
    assert "conv" in report.flops_by_kind


def test_grouped_and_transposed_convs_follow_the_weight_shape():
    grouped = nn.Conv2d(8, 16, 3, padding=1, groups=4, bias=False)
    r = analyze(symcore.trace(grouped, (1, 8, 10, 10)), (1, 8, 10, 10))
    assert r.evaluate()["flops"] == 2 * (16 * 10 * 10) * (8 // 4) * 9
    up = nn.ConvTranspose2d(8, 4, 2, stride=2, bias=False)
    r = analyze(symcore.trace(up, (1, 8, 5, 5)), (1, 8, 5, 5))
    assert r.evaluate()["flops"] == 2 * (8 * 5 * 5) * (4 * 2 * 2)


def test_attention_block_matches_the_closed_form():
    d = 64
    traced = _trace_bs(Block(d), (2, 10, d))
    report = analyze(traced, (2, 10, d))
    for bind in BINDINGS:
        b, s = bind["batch"], bind["seq"]
        t = b * s
        qkv = 2 * t * d * 3 * d + t * 3 * d
        attention = 2 * b * s * s * d * 2  # Q @ K^T and P @ V over all heads
        proj = 2 * t * d * d + t * d
        norm, residual = t * d, t * d
        got = report.evaluate(bind)
        assert got["flops"] == qkv + attention + proj + norm + residual
        by_kind = {k: traced.shape_env.evaluate(v, bind) for k, v in report.flops_by_kind.items()}
        assert by_kind == {"attention": attention, "matmul": qkv + proj, "reduction": norm, "elementwise": residual}
        # Intermediates: layer_norm, qkv, sdpa out, contiguous copy, proj, add (views allocate nothing).
        assert got["activation_bytes"] == 4 * t * (d + 3 * d + d + d + d + d)
        # Peak: x + qkv + sdpa output (the qkv buffer lives until SDPA has read its views).
        assert got["peak_bytes"] == 4 * t * (d + 3 * d + d)


def test_matmul_family_and_einsum_count_2mnk():
    def f(a, b, c):
        return a @ b, symcore.ops.bmm(a, b), symcore.ops.einsum("bik,bkj->bij", a, b), symcore.ops.mv(c, c[0])

    r = analyze(symcore.trace(f, (4, 6, 7), (4, 7, 5), (3, 3)), (4, 6, 7), (4, 7, 5), (3, 3))
    per_op = {c.op: c.flops for c in r.per_node if c.kind == "matmul"}
    mnk = 2 * 4 * 6 * 5 * 7
    assert per_op["matmul"] == mnk and per_op["bmm"] == mnk and per_op["einsum"] == mnk
    assert per_op["mv"] == 2 * 3 * 3


def test_elementwise_reductions_and_views_follow_the_documented_convention():
    def f(x):
        y = x.relu() + 1  # two elementwise ops: numel(out) each
        z = y.sum(dim=1)  # a reduction: numel(input)
        return z.view(-1).transpose(0, 0)  # views: free

    r = analyze(symcore.trace(f, (6, 7)), (6, 7))
    kinds = {c.op: (c.kind, c.flops, c.bytes) for c in r.per_node}
    assert kinds["relu"] == ("elementwise", 42, 168)
    assert kinds["add"] == ("elementwise", 42, 168)
    assert kinds["sum"] == ("reduction", 42, 24)
    assert kinds["view"][1:] == (0, 0)
    assert r.evaluate()["flops"] == 126
    assert flop_rule(symcore.ops.matmul)[1] == "matmul"
    assert all(kind in {"elementwise", "reduction", "free", "matmul", "conv", "attention", "pool"}
               for kind, _ in FLOP_RULES.values())  # fmt: skip


def test_peak_frees_tensors_after_their_last_use():
    def f(x):
        a = x * 2  # 4n bytes, dead after b
        b = a + 1  # dead after c
        c = b * 3
        return c

    r = analyze(symcore.trace(f, (10,)), (10,))
    # x (40) is held; at most two of a, b, c are live at once.
    assert r.evaluate()["peak_bytes"] == 40 + 2 * 40
    assert r.evaluate()["activation_bytes"] == 3 * 40


def test_analysis_leaves_the_traces_environment_alone():
    traced = _trace_bs(Block(), (2, 10, 64))
    before = (dict(traced.shape_env.symbols), [str(g) for g in traced.shape_env.guards])
    analyze(traced, (2, 10, 64))
    assert (dict(traced.shape_env.symbols), [str(g) for g in traced.shape_env.guards]) == before


def test_needs_the_example_inputs():
    traced = _trace_bs(Block(), (2, 10, 64))
    with pytest.raises(TypeError, match="example inputs"):
        analyze(traced)


def test_gpt2_small_params_and_flops_match_closed_forms():
    entry = get_model("gpt2")
    cfg = entry.presets["small"]
    traced = trace_model("gpt2", "small")
    report = analyze(traced, *entry.inputs(cfg, entry.dims))
    assert report.evaluate()["params"] == 124_439_808  # tied embeddings counted once
    assert report.evaluate()["params"] == entry.published_params["small"]
    layers, d, vocab = 12, 768, 50257
    for bind in BINDINGS[:2]:
        b, s = bind["batch"], bind["seq"]
        t = b * s
        # Per layer: QKV (d->3d), out proj (d->d), MLP up (d->4d) and down (4d->d), with biases.
        per_layer = 2 * t * d * (3 * d + d + 4 * d + 4 * d) + t * (3 * d + d + 4 * d + d)
        matmul = layers * per_layer + 2 * t * d * vocab  # + the LM head (no bias)
        attention = layers * 4 * b * s * s * d
        by_kind = {k: traced.shape_env.evaluate(v, bind) for k, v in report.flops_by_kind.items()}
        assert by_kind["matmul"] == matmul
        assert by_kind["attention"] == attention


@pytest.mark.parametrize("name", ["gpt2", "bert", "resnet", "vit", "unet"])
def test_symbolic_formulas_equal_static_traces_at_concrete_sizes(name):
    entry = get_model(name)
    cfg = entry.presets[entry.default_preset]
    report = analyze(trace_model(name), *entry.inputs(cfg, entry.dims))
    dims = list(entry.dims)
    for scale in (1, 2):
        hints = {k: (v * scale if k != "batch" else v + scale) for k, v in entry.dims.items()}
        static = analyze(trace_model(name, dynamic=False, hints=hints), *entry.inputs(cfg, hints))
        assert static.flops.is_constant
        assert report.evaluate({k: hints[k] for k in dims}) == static.evaluate()


def test_data_dependent_sizes_stay_symbolic():
    entry = get_model("mixtral")
    traced = trace_model("mixtral")
    report = analyze(traced, *entry.inputs(entry.presets["8x7b"], entry.dims))
    unbacked = [s for s in report.symbols if s.startswith("u")]
    assert len(unbacked) == 256  # eight experts in each of 32 layers
    assert traced.shape_env.evaluate(report.params, {}) == entry.published_params["8x7b"]
    with pytest.raises(symcore.UnboundSymbolError):
        report.evaluate()
    # With every expert getting its share of the tokens the counts are plain numbers.
    share = {u: 2 * 128 * 2 // 8 for u in unbacked}
    assert report.evaluate(share)["flops"] > 0


@pytest.mark.parametrize("name", ["symcore.analysis", "symcore.batch"])
def test_docstring_examples(name):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
