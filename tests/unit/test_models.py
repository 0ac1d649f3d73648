"""symcore.models: every preset of the zoo builds, traces with symbolic dims named after the entry's
dims, has the published parameter count, and runs at other sizes like a retrace."""

import doctest
import importlib
import pathlib
import time

import pytest

import symcore.models as models
from symcore import ContradictionError, DataDependentError
from symcore.models import (
    ModelEntry,
    UnknownModelError,
    UnknownPresetError,
    get_model,
    list_models,
    parse_model_spec,
    trace_model,
)
from symcore.nn import Module, Parameter
from symcore.tensor import FakeTensor, GuardViolation, Size, dtypes

# -- published parameter counts, by closed form ------------------------------------------------------
#
# Each literal below was computed by hand from the architecture (formula in the comment) and is checked
# three ways: against the formula (evaluated here), against the entry's published_params, and against
# the built module's num_parameters().


def gpt2_params(d, n_layer, vocab=50257, positions=1024):
    # wte + wpe + per block (ln_1 2d, c_attn 3d^2+3d, c_proj d^2+d, ln_2 2d, c_fc 4d^2+4d, c_proj 4d^2+d)
    # + ln_f; the LM head is tied to wte (counted once).
    return vocab * d + positions * d + n_layer * (12 * d * d + 13 * d) + 2 * d


def llama_params(d, n_layer, ff, kv_dim, vocab=32000):
    # embed_tokens + lm_head (untied) + per layer (q, o: d^2 each; k, v: d*kv_dim each; gate/up/down:
    # 3*d*ff; two RMSNorm weights 2d) + final norm d.
    return 2 * vocab * d + n_layer * (2 * d * d + 2 * d * kv_dim + 3 * d * ff + 2 * d) + d


def mixtral_params(d=4096, n_layer=32, ff=14336, experts=8, kv_dim=8 * 128, vocab=32000):
    # As Llama, but the MLP is `experts` SwiGLU experts (3*d*ff each) plus the router (d*experts).
    return 2 * vocab * d + n_layer * (2 * d * d + 2 * d * kv_dim + experts * 3 * d * ff + d * experts + 2 * d) + d


def bert_params(d, n_layer, ff, vocab=30522, positions=512, types=2):
    # word + position + token-type embeddings + LayerNorm; per layer: Q, K, V, O (d^2+d each), two
    # LayerNorms (2d each), intermediate (d*ff+ff), output (ff*d+d); pooler d^2+d.
    layer = 4 * (d * d + d) + 2 * d + (d * ff + ff) + (ff * d + d) + 2 * d
    return (vocab + positions + types) * d + 2 * d + n_layer * layer + d * d + d


def vit_params(d, n_layer, mlp, patch=16, image=224, classes=1000):
    # patch conv (3*p*p*d + d) + class token d + positions (1 + (image/p)^2)*d; per layer: two
    # LayerNorms 4d, in_proj 3d^2+3d, out_proj d^2+d, MLP d*mlp+mlp + mlp*d+d; final LN 2d; head.
    tokens = (image // patch) ** 2 + 1
    layer = 4 * d + 3 * d * d + 3 * d + d * d + d + d * mlp + mlp + mlp * d + d
    return 3 * patch * patch * d + d + d + tokens * d + n_layer * layer + 2 * d + d * classes + classes


def resnet_params(bottleneck, layers, classes=1000):
    # Stem conv 3*64*7*7 (no bias) + BN 2*64; convs have no bias, each BN has 2*C parameters; the
    # first block of a stage whose stride or width changes has a 1x1 conv + BN shortcut; fc + bias.
    total, inplanes = 3 * 64 * 49 + 2 * 64, 64
    for stage, blocks in enumerate(layers):
        planes = 64 * 2**stage
        out = 4 * planes if bottleneck else planes
        for b in range(blocks):
            if bottleneck:
                total += inplanes * planes + 9 * planes * planes + planes * out + 2 * (planes + planes + out)
            else:
                total += 9 * inplanes * planes + 9 * planes * planes + 4 * planes
            if b == 0 and (stage > 0 or inplanes != out):
                total += inplanes * out + 2 * out
            inplanes = out
    return total + inplanes * classes + classes


def unet_params(in_channels, classes, batch_norm):
    # Widths c = 64, 128, 256, 512, 1024. Double conv a -> b: 9ab + 9b^2 (+ 4b for two BNs, or + 2b for
    # two biases). Up level c_i -> c_{i-1}: transposed conv 4*c_i*c_{i-1} + c_{i-1}, then a double
    # conv c_i -> c_{i-1}. Head: 1x1 conv 64*classes + classes.
    c = [64, 128, 256, 512, 1024]

    def dc(a, b):
        return 9 * a * b + 9 * b * b + (4 * b if batch_norm else 2 * b)

    total = dc(in_channels, c[0]) + sum(dc(c[i], c[i + 1]) for i in range(4))
    total += sum(4 * c[i] * c[i - 1] + c[i - 1] + dc(c[i], c[i - 1]) for i in range(4, 0, -1))
    return total + c[0] * classes + classes


EXPECTED_PARAMS = {
    ("gpt2", "small"): (124_439_808, gpt2_params(768, 12)),
    ("gpt2", "medium"): (354_823_168, gpt2_params(1024, 24)),
    ("gpt2", "large"): (774_030_080, gpt2_params(1280, 36)),
    ("gpt2", "xl"): (1_557_611_200, gpt2_params(1600, 48)),
    ("llama", "7b"): (6_738_415_616, llama_params(4096, 32, 11008, 4096)),
    ("llama", "13b"): (13_015_864_320, llama_params(5120, 40, 13824, 5120)),
    ("llama", "70b"): (68_976_648_192, llama_params(8192, 80, 28672, 8 * 128)),
    ("bert", "base"): (109_482_240, bert_params(768, 12, 3072)),
    ("bert", "large"): (335_141_888, bert_params(1024, 24, 4096)),
    ("vit", "b16"): (86_567_656, vit_params(768, 12, 3072)),
    ("vit", "l16"): (304_326_632, vit_params(1024, 24, 4096)),
    ("resnet", "18"): (11_689_512, resnet_params(False, (2, 2, 2, 2))),
    ("resnet", "50"): (25_557_032, resnet_params(True, (3, 4, 6, 3))),
    ("resnet", "152"): (60_192_808, resnet_params(True, (3, 8, 36, 3))),
    # milesial/Pytorch-UNet (bilinear=False, 3 channels in, 2 classes) and the 2015 paper's network
    # (1 channel in, 2 classes, valid convs with bias): the counts their READMEs / Keras summaries print.
    ("unet", "base"): (31_037_698, unet_params(3, 2, batch_norm=True)),
    ("unet", "paper"): (31_030_658, unet_params(1, 2, batch_norm=False)),
    ("mixtral", "8x7b"): (46_702_792_704, mixtral_params()),
}

ALL_PRESETS = [(name, preset) for name in list_models() for preset in get_model(name).presets]

# The symbolic output shape of each family at the entry's default dims (all dynamic).
EXPECTED_OUTPUT = {
    "gpt2": lambda c: f"[batch, seq, {c.vocab_size}]",
    "llama": lambda c: f"[batch, seq, {c.vocab_size}]",
    "mixtral": lambda c: f"[batch, seq, {c.vocab_size}]",
    "bert": lambda c: f"([batch, seq, {c.hidden_size}], [batch, {c.hidden_size}])",
    "vit": lambda c: "[batch, 1000]",
    "resnet": lambda c: "[batch, 1000]",
    # Padded U-Net: same size out; the paper's loses borders: 572 -> 16*36 - 188 = 388.
    "unet": lambda c: (
        "[batch, 2, height, width]"
        if c.padded
        else "[batch, 2, 16*((height + 4) // 16) - 188, 16*((width + 4) // 16) - 188]"
    ),
}


def _shape_text(out):
    if isinstance(out, tuple):
        return "(" + ", ".join(_shape_text(o) for o in out) + ")"
    return "[" + ", ".join(str(s) for s in out.shape) + "]"


def _symbolic_inputs(gm, entry, config):
    """The entry's inputs with every dynamic dim replaced by the trace's symbol of that name."""
    env = gm.shape_env
    spec = entry.dynamic(config)
    concrete = entry.inputs(config, entry.dims)
    assert len(spec) == len(concrete)  # every input of the zoo's models has dynamic dims
    return [
        FakeTensor([env.parse(dims[i]) if i in dims else s for i, s in enumerate(x.shape)], x.dtype)
        for dims, x in zip(spec.values(), concrete)
    ]


# -- the registry ------------------------------------------------------------------------------------


def test_registry_order_and_entries():
    assert list_models() == ["gpt2", "llama", "bert", "vit", "resnet", "unet", "mixtral"]
    for name in list_models():
        entry = get_model(name)
        assert isinstance(entry, ModelEntry) and entry.name == name and entry.family
        assert entry.default_preset in entry.presets
        assert set(entry.published_params) == set(entry.presets)
        for config in entry.presets.values():
            hash(config)  # frozen dataclasses
        dims_used = {d for dims in entry.dynamic(entry.presets[entry.default_preset]).values() for d in dims.values()}
        assert dims_used == set(entry.dims)
    assert set(get_model("vit").dims) == set(get_model("resnet").dims) == {"batch", "height", "width"}
    assert set(get_model("llama").dims) == {"batch", "seq"}


@pytest.mark.parametrize(("name", "preset"), ALL_PRESETS)
def test_parameter_count_matches_the_published_number(name, preset):
    literal, formula = EXPECTED_PARAMS[(name, preset)]
    assert literal == formula
    entry = get_model(name)
    assert entry.published_params[preset] == literal
    model = entry.build(entry.presets[preset])
    assert isinstance(model, Module) and not model.training
    assert model.num_parameters() == literal
    p = next(model.parameters())
    assert isinstance(p, Parameter) and all(type(s) is int for s in p.shape)


def test_every_preset_is_covered():
    assert set(EXPECTED_PARAMS) == set(ALL_PRESETS)


def test_gpt2_lm_head_is_tied_and_counted_once():
    model = get_model("gpt2").build(get_model("gpt2").presets["small"])
    assert model.lm_head.weight is model.transformer.wte.weight
    assert "lm_head.weight" not in dict(model.named_parameters())


# -- tracing every preset ----------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "preset"), ALL_PRESETS)
def test_every_preset_traces_with_named_symbols(name, preset):
    entry = get_model(name)
    config = entry.presets[preset]
    start = time.perf_counter()
    gm = trace_model(name, preset)
    assert time.perf_counter() - start < 10  # "in seconds", even for Llama-70B and Mixtral on 2 cores
    symbols = gm.shape_env.symbols
    assert set(entry.dims) <= set(symbols)
    assert {s for s in symbols if not s.startswith("u")} == set(entry.dims)
    for dim, hint in entry.dims.items():
        assert symbols[dim][0] == hint
    placeholders = [n for n in gm.graph.nodes if n.op == "placeholder"]
    assert [n.name for n in placeholders] == list(entry.dynamic(config))
    # The output, computed on the trace's own symbols, is the family's symbolic shape.
    out = gm(*_symbolic_inputs(gm, entry, config))
    assert _shape_text(out) == EXPECTED_OUTPUT[name](config)
    # And at the default hints it runs on plain sizes.
    concrete = gm(*entry.inputs(config, entry.dims))
    assert all(type(s) is int for o in (concrete if isinstance(concrete, tuple) else (concrete,)) for s in o.shape)


def test_inputs_have_the_right_dtypes_and_hints():
    gpt2 = get_model("gpt2")
    (ids,) = gpt2.inputs(gpt2.presets["small"], {"batch": 3, "seq": 17})
    assert ids.dtype is dtypes.int64 and tuple(ids.shape) == (3, 17)
    (ids,) = gpt2.inputs(gpt2.presets["small"], {"batch": 3})  # a missing dim takes its default
    assert tuple(ids.shape) == (3, 128)
    bert = get_model("bert")
    ids, mask = bert.inputs(bert.presets["base"], bert.dims)
    assert ids.dtype is dtypes.int64 and mask.dtype is dtypes.bool
    unet = get_model("unet")
    (x,) = unet.inputs(unet.presets["paper"], {"batch": 1, "height": 572, "width": 572})
    assert x.dtype is dtypes.float32 and tuple(x.shape) == (1, 1, 572, 572)


def test_mixtral_expert_batches_are_unbacked_symbols():
    gm = trace_model("mixtral")
    env = gm.shape_env
    config = get_model("mixtral").presets["8x7b"]
    unbacked = sorted((s for s in env.symbols if s.startswith("u")), key=lambda s: int(s[1:]))
    # One per expert per layer: torch.where(expert_mask[e]) has a data-dependent length.
    assert unbacked == [f"u{i}" for i in range(config.num_hidden_layers * config.num_local_experts)]
    assert all(env.symbols[u][0] is None for u in unbacked)  # no hint: truly data-dependent
    # No guard was needed on them; the routing bound is a runtime assertion instead.
    assert env.produce_guards() == []
    asserts = [str(a.expr) for a in env.runtime_asserts]
    assert "u0 <= batch*seq" in asserts and f"u{len(unbacked) - 1} <= batch*seq" in asserts
    targets = [n.target.__name__ for n in gm.graph.nodes if n.op == "call_function"]
    assert targets.count("where") == len(unbacked) and targets.count("index_add") == len(unbacked)
    # Branching on an expert's batch size would need its value: a data-dependent error, not a guess.
    with pytest.raises(DataDependentError):
        bool(env.parse("u0") > 3)
    assert gm((3, 5)).shape == (3, 5, 32000)


def test_decoders_record_runtime_asserts_not_guards():
    gm = trace_model("gpt2")
    # Learned positions stop at 1024: a checked fact (torch._check), not a guard that limits the trace.
    assert gm.shape_env.produce_guards() == []
    assert [str(a.expr) for a in gm.shape_env.runtime_asserts] == ["seq <= 1024"]
    assert trace_model("llama", "70b").shape_env.produce_guards() == []
    for dynamic in (True, False):
        with pytest.raises(ContradictionError, match=r"GPT-2 has 1024 learned positions, got a sequence of (seq|2048)"):
            trace_model("gpt2", dynamic=dynamic, hints={"seq": 2048})


# -- guards --------------------------------------------------------------------------------------------


def _guard_holds(gm, binding):
    env = gm.shape_env
    return all(bool(env.evaluate(env.parse(text), binding)) for text in env.produce_guards())


def test_resnet_guards_come_from_the_stem_conv():
    gm = trace_model("resnet", "50")
    # conv1 is 7x7 with padding 3: the kernel must fit in the padded input, h + 2*3 >= 7. Every later
    # conv and pool then has an output of at least 1 provably (from the ranges), so nothing else is
    # guarded.
    assert gm.shape_env.produce_guards() == ["height >= 1", "width >= 1"]
    origins = {g.origin for g in gm.shape_env.guards}
    assert len(origins) == 1
    (origin,) = origins
    assert "symcore/models/resnet.py" in origin and origin.endswith("in forward")
    line = int(origin.split(":")[-1].split()[0])
    source = pathlib.Path(origin.split(":")[0]).read_text().splitlines()[line - 1]
    assert "self.conv1(x)" in source  # the user-visible model line, not the shape rule's
    assert gm((1, 3, 1, 5)).shape == (1, 1000)


def test_vit_guards_need_one_patch():
    gm = trace_model("vit")
    # The 16x16 patch conv needs height, width >= 16; the position embeddings are resized to the
    # (height // 16) x (width // 16) grid without further guards.
    assert gm.shape_env.produce_guards() == ["height >= 16", "width >= 16"]
    assert gm((2, 3, 32, 48)).shape == (2, 1000)
    with pytest.raises(GuardViolation):
        gm((2, 3, 15, 48))
    shapes = gm.shapes((2, 3, 32, 48))
    assert shapes["cat"] == (2, 1 + 2 * 3, 768)


def test_vit_without_interpolation_specialises_the_image_size():
    import dataclasses

    from symcore.models import vit
    from symcore.tensor import trace

    config = dataclasses.replace(vit.PRESETS["b16"], interpolate_pos_encoding=False)
    gm = trace(vit.build(config), *vit.inputs(config, vit.DIMS), dynamic=vit.dynamic(config))
    assert set(gm.shape_env.produce_guards()) == {"height == 224", "width == 224"}


def test_bert_guard_from_the_pooler():
    gm = trace_model("bert")
    # The pooler reads hidden[:, 0]: index 0 must exist along seq.
    assert gm.shape_env.produce_guards() == ["seq >= 1"]
    assert [str(a.expr) for a in gm.shape_env.runtime_asserts] == ["seq <= 512"]


def test_unet_guards():
    base = trace_model("unet", "base")
    # Four 2x2 pools: the bottom level needs height // 16 >= 1 (the guards of the upper levels are
    # implied and left out by produce_guards).
    assert base.shape_env.produce_guards() == ["height // 16 >= 1", "width // 16 >= 1"]
    assert _guard_holds(base, {"batch": 1, "height": 16, "width": 16})
    assert not _guard_holds(base, {"batch": 1, "height": 15, "width": 16})
    paper = trace_model("unet", "paper")
    # Valid convs: the paper's network needs at least 188x188 (its output is then 4x4).
    assert paper.shape_env.produce_guards() == ["(height + 4) // 16 >= 12", "(width + 4) // 16 >= 12"]
    assert _guard_holds(paper, {"batch": 1, "height": 188, "width": 188})
    assert not _guard_holds(paper, {"batch": 1, "height": 187, "width": 188})
    assert paper((1, 1, 188, 188)).shape == (1, 2, 4, 4)
    assert paper((1, 1, 572, 572)).shape == (1, 2, 388, 388)


# -- running at other sizes == retracing at those sizes -------------------------------------------------


def _sizes(shapes):
    """The tensor shapes of the nodes, in graph order (size reads and multi-output values left out: a
    retrace at other hints may number its ``sym_size`` nodes differently)."""
    return [v for v in shapes.values() if isinstance(v, Size)]


@pytest.mark.parametrize(
    ("name", "preset", "hints"),
    [
        ("resnet", "18", {"batch": 3, "height": 97, "width": 61}),
        ("unet", "base", {"batch": 3, "height": 200, "width": 136}),  # 200 = 12*16 + 8: the pad path
        ("unet", "paper", {"batch": 1, "height": 300, "width": 260}),
        ("gpt2", "small", {"batch": 5, "seq": 33}),
    ],
)
def test_running_at_other_sizes_matches_a_retrace(name, preset, hints):
    entry = get_model(name)
    config = entry.presets[preset]
    gm = trace_model(name, preset)
    retraced = trace_model(name, preset, hints=hints)
    args = entry.inputs(config, hints)
    assert _shape_text(gm(*args)) == _shape_text(retraced(*args))
    ours, theirs = _sizes(gm.shapes(*args)), _sizes(retraced.shapes(*args))
    assert len(ours) > 10 and ours == theirs


# -- trace_model options and errors ---------------------------------------------------------------------


def test_trace_model_with_a_subset_of_dims():
    gm = trace_model("gpt2", dynamic=["batch"], hints={"seq": 16})
    assert set(gm.shape_env.symbols) == {"batch"}
    entry = get_model("gpt2")
    config = entry.presets["small"]
    ids = FakeTensor((gm.shape_env.parse("batch"), 16), dtypes.int64)
    assert _shape_text(gm(ids)) == "[batch, 16, 50257]"
    assert gm(*entry.inputs(config, {"batch": 7, "seq": 16})).shape == (7, 16, 50257)
    one = trace_model("resnet", dynamic="height")  # a single name
    assert set(one.shape_env.symbols) == {"height"}
    static = trace_model("resnet", dynamic=False)
    assert static.shape_env.symbols == {} and static.shape_env.produce_guards() == []


def test_trace_model_rejects_unknown_dims():
    with pytest.raises(ValueError, match=r"'height' not a dim of model 'gpt2' \(valid dims: batch, seq\)"):
        trace_model("gpt2", dynamic=["batch", "height"])
    with pytest.raises(ValueError, match="valid dims: batch, height, width"):
        trace_model("resnet", hints={"seq": 3})


def test_unknown_model_and_preset_errors():
    with pytest.raises(UnknownModelError, match=r"unknown model 'gpt'; did you mean 'gpt2'\?") as info:
        get_model("gpt")
    assert "known models: gpt2, llama, bert, vit, resnet, unet, mixtral" in str(info.value)
    assert isinstance(info.value, KeyError)
    with pytest.raises(UnknownModelError, match="lama"):
        trace_model("lama")
    with pytest.raises(UnknownModelError):
        get_model("gpt2:xl")  # specs go through parse_model_spec
    with pytest.raises(
        UnknownPresetError, match=r"model 'gpt2' has no preset 'xxl'.*presets: small, medium, large, xl"
    ):
        trace_model("gpt2", "xxl")
    with pytest.raises(ValueError, match="presets: 7b, 13b, 70b"):
        parse_model_spec("llama:7B")


def test_parse_model_spec():
    entry, preset = parse_model_spec("gpt2")
    assert entry is get_model("gpt2") and preset == "small"
    assert parse_model_spec("gpt2:xl") == (get_model("gpt2"), "xl")
    assert parse_model_spec("resnet:152")[1] == "152"
    assert parse_model_spec("mixtral")[1] == "8x7b"
    with pytest.raises(UnknownPresetError):
        parse_model_spec("gpt2:")
    with pytest.raises(UnknownModelError):
        parse_model_spec("nope:small")


# -- docs ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "module",
    ["symcore.models", *(f"symcore.models.{m}" for m in ("gpt2", "llama", "bert", "vit", "resnet", "unet", "mixtral"))],
)
def test_docstring_examples(module):
    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


def test_public_names():
    assert set(models.__all__) == {
        "ModelEntry",
        "UnknownModelError",
        "UnknownPresetError",
        "get_model",
        "list_models",
        "parse_model_spec",
        "trace_model",
    }
