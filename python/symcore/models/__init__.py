"""``symcore.models``: the model zoo — shape-faithful definitions, written with :mod:`symcore.nn`,
of the model families people trace most, each with named presets at the published configurations.

Who uses it: model analysts (``trace_model("llama", "70b")`` gives the graph, guards and symbolic
shapes of Llama-2 70B in well under a second), the batch tracer and the CLI (``"gpt2:xl"`` specs),
and tests that need realistic graphs. Nothing allocates data: parameters are FakeTensors with int
sizes, so the largest preset builds in milliseconds.

=========  ==============================================  ====================================
name       family                                          presets (default first)
=========  ==============================================  ====================================
gpt2       GPT-2                                           small, medium, large, xl
llama      Llama-2 (RMSNorm, RoPE, GQA, SwiGLU)            7b, 13b, 70b
bert       BERT                                            base, large
vit        Vision Transformer                              b16, l16
resnet     ResNet                                          18, 50, 152
unet       U-Net                                           base, paper
mixtral    Mixtral (sparse mixture of experts)             8x7b
=========  ==============================================  ====================================

Dynamic dims are named: ``batch`` and ``seq`` for the language models, ``batch``, ``height`` and
``width`` for the vision models; the traced graph's symbols carry those names. Mixtral's per-expert
token counts are unbacked symbols ``u0``, ``u1``, ...

Examples:
    >>> from symcore.models import get_model, list_models, trace_model
    >>> list_models()
    ['gpt2', 'llama', 'bert', 'vit', 'resnet', 'unet', 'mixtral']
    >>> gm = trace_model("gpt2")
    >>> gm((4, 77)).shape
    symcore.Size([4, 77, 50257])
    >>> trace_model("resnet", "50", dynamic=["batch"]).shape_env.produce_guards()
    []
    >>> get_model("llama").published_params["70b"]
    68976648192
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

from symcore.models import bert, gpt2, llama, mixtral, resnet, unet, vit

if TYPE_CHECKING:
    import symcore.nn
    from symcore.tensor.tracing import TracedModule

__all__ = [
    "ModelEntry",
    "UnknownModelError",
    "UnknownPresetError",
    "get_model",
    "list_models",
    "parse_model_spec",
    "trace_model",
]


@dataclass(frozen=True)
class ModelEntry:
    """One model family of the zoo: its presets and how to build, feed and trace it.

    Attributes:
        name: The registry name (``"gpt2"``).
        family: The human name (``"GPT-2"``).
        presets: Preset name -> config (a frozen dataclass).
        default_preset: The smallest sensible preset.
        build: Config -> module, in eval mode; parameters are FakeTensors with int sizes.
        inputs: ``(config, hints)`` -> the positional inputs of ``forward``: FakeTensors with
            concrete sizes (a dim missing from ``hints`` takes its default from :attr:`dims`).
        dims: Dynamic dim name -> default hint.
        dynamic: Config -> ``trace``'s ``dynamic=`` mapping (``forward`` parameter -> dim -> dim name).
        published_params: Preset -> published parameter count.
        description: One line about the family.
    """

    name: str
    family: str
    presets: Mapping[str, Any]
    default_preset: str
    build: Callable[[Any], symcore.nn.Module]
    inputs: Callable[[Any, Mapping[str, int]], tuple[Any, ...]]
    dims: Mapping[str, int]
    dynamic: Callable[[Any], Mapping[str, Any]]
    published_params: Mapping[str, int]
    description: str = ""


class UnknownModelError(KeyError):
    """A model name that is not in the zoo; the message lists the known ones and close matches."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class UnknownPresetError(ValueError):
    """A preset name that the model does not have; the message lists its presets."""


_REGISTRY: dict[str, ModelEntry] = {
    e.name: e
    for e in (
        ModelEntry(
            "gpt2", "GPT-2", gpt2.PRESETS, "small", gpt2.build, gpt2.inputs, gpt2.DIMS, gpt2.dynamic,
            gpt2.PUBLISHED_PARAMS, "decoder-only transformer, learned positions, tied LM head",
        ),
        ModelEntry(
            "llama", "Llama-2", llama.PRESETS, "7b", llama.build, llama.inputs, llama.DIMS, llama.dynamic,
            llama.PUBLISHED_PARAMS, "decoder with RMSNorm, rotary embeddings, grouped-query attention, SwiGLU",
        ),
        ModelEntry(
            "bert", "BERT", bert.PRESETS, "base", bert.build, bert.inputs, bert.DIMS, bert.dynamic,
            bert.PUBLISHED_PARAMS, "bidirectional encoder with a padding mask and the pooler",
        ),
        ModelEntry(
            "vit", "Vision Transformer", vit.PRESETS, "b16", vit.build, vit.inputs, vit.DIMS, vit.dynamic,
            vit.PUBLISHED_PARAMS, "16x16 patches, class token, position embeddings resized to the input grid",
        ),
        ModelEntry(
            "resnet", "ResNet", resnet.PRESETS, "18", resnet.build, resnet.inputs, resnet.DIMS, resnet.dynamic,
            resnet.PUBLISHED_PARAMS, "residual conv net (basic blocks for 18, bottlenecks for 50 and 152)",
        ),
        ModelEntry(
            "unet", "U-Net", unet.PRESETS, "base", unet.build, unet.inputs, unet.DIMS, unet.dynamic,
            unet.PUBLISHED_PARAMS, "encoder-decoder with skip concatenation and transposed convs",
        ),
        ModelEntry(
            "mixtral", "Mixtral", mixtral.PRESETS, "8x7b", mixtral.build, mixtral.inputs, mixtral.DIMS,
            mixtral.dynamic, mixtral.PUBLISHED_PARAMS,
            "sparse mixture of experts with top-k routing (data-dependent expert batches)",
        ),
    )
}  # fmt: skip


def list_models() -> list[str]:
    """The zoo's model names, in registry order."""
    return list(_REGISTRY)


def get_model(name: str) -> ModelEntry:
    """The entry of model ``name`` (a plain name: ``"gpt2"``, not ``"gpt2:xl"``).

    Raises:
        UnknownModelError: No such model; the message lists the known ones and close matches.
    """
    entry = _REGISTRY.get(name)
    if entry is None:
        close = difflib.get_close_matches(name, list(_REGISTRY), n=3, cutoff=0.5)
        hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
        raise UnknownModelError(f"unknown model {name!r}{hint} (known models: {', '.join(_REGISTRY)})")
    return entry


def _check_preset(entry: ModelEntry, preset: str) -> str:
    if preset not in entry.presets:
        close = difflib.get_close_matches(preset, list(entry.presets), n=3, cutoff=0.5)
        hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
        raise UnknownPresetError(
            f"model {entry.name!r} has no preset {preset!r}{hint} (presets: {', '.join(entry.presets)})"
        )
    return preset


def parse_model_spec(spec: str) -> tuple[ModelEntry, str]:
    """``"gpt2"`` -> (the GPT-2 entry, its default preset); ``"gpt2:xl"`` -> (the entry, ``"xl"``).

    Raises:
        UnknownModelError: The name part is not a model.
        UnknownPresetError: The preset part is not one of the model's presets (or is empty).
    """
    name, sep, preset = spec.strip().partition(":")
    entry = get_model(name.strip())
    if not sep:
        return entry, entry.default_preset
    return entry, _check_preset(entry, preset.strip())


def trace_model(
    name: str,
    preset: str | None = None,
    *,
    dynamic: Sequence[str] | bool = True,
    hints: Mapping[str, int] | None = None,
) -> TracedModule:
    """Builds a preset and traces it with the chosen dims symbolic.

    Args:
        name: A model name (see :func:`list_models`).
        preset: One of its presets (default: the entry's ``default_preset``).
        dynamic: ``True``: every dim of the entry's ``dims`` is a symbol named after it; ``False``:
            none (a static trace); a sequence of dim names (or one name): only those.
        hints: Example sizes per dim name, overriding the entry's defaults. A hint of 0 or 1 makes
            that dim a constant (ShapeEnv specialises sizes 0 and 1).

    Returns:
        The traced module; its ``shape_env`` holds the guards (and, for Mixtral, the unbacked
        symbols and their runtime assertions).

    Raises:
        UnknownModelError, UnknownPresetError: Bad ``name`` or ``preset``.
        ValueError: A name in ``dynamic`` or ``hints`` that is not one of the entry's dims.
    """
    from symcore.tensor.tracing import trace

    entry = get_model(name)
    config = entry.presets[_check_preset(entry, entry.default_preset if preset is None else preset)]
    if isinstance(dynamic, bool):
        chosen = set(entry.dims) if dynamic else set()
    else:
        names = [dynamic] if isinstance(dynamic, str) else list(dynamic)
        _check_dims(entry, names, "dynamic")
        chosen = set(names)
    sizes = dict(entry.dims)
    if hints:
        _check_dims(entry, list(hints), "hints")
        sizes.update(hints)
    spec = {
        param: {dim: dim_name for dim, dim_name in dims.items() if dim_name in chosen}
        for param, dims in entry.dynamic(config).items()
    }
    module = entry.build(config)
    return trace(module, *entry.inputs(config, sizes), dynamic=spec)


def _check_dims(entry: ModelEntry, names: Sequence[str], what: str) -> None:
    unknown = [n for n in names if n not in entry.dims]
    if unknown:
        raise ValueError(
            f"{what}: {', '.join(repr(n) for n in unknown)} not a dim of model {entry.name!r} "
            f"(valid dims: {', '.join(entry.dims)})"
        )
