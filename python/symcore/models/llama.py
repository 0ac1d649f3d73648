"""A Llama-style decoder (Touvron et al., 2023), as Hugging Face's ``LlamaForCausalLM`` writes it:
RMSNorm, rotary position embeddings, grouped-query attention and a SwiGLU MLP.

Who uses it: :mod:`symcore.models` (the ``llama`` entry), and :mod:`symcore.models.mixtral`, which
reuses the attention and the rotary embedding. Presets are Llama-2's released shapes; the LM head
is untied (its own ``[vocab, hidden]`` weight).

Examples:
    >>> from symcore.models import llama
    >>> llama.build(llama.PRESETS["7b"]).num_parameters()
    6738415616
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

import symcore.nn as nn
import symcore.nn.functional as F
from symcore import ops
from symcore.tensor import dtypes
from symcore.tensor.fake import FakeTensor, IntLike, make

__all__ = [
    "DIMS",
    "PRESETS",
    "PUBLISHED_PARAMS",
    "LlamaAttention",
    "LlamaConfig",
    "LlamaForCausalLM",
    "RotaryEmbedding",
    "apply_rotary_pos_emb",
    "build",
    "dynamic",
    "inputs",
    "repeat_kv",
]


@dataclass(frozen=True)
class LlamaConfig:
    """Hyper-parameters of a Llama-style decoder (Hugging Face's names)."""

    hidden_size: int = 4096
    intermediate_size: int = 11008
    num_hidden_layers: int = 32
    num_attention_heads: int = 32
    num_key_value_heads: int = 32
    vocab_size: int = 32000
    max_position_embeddings: int = 4096
    rms_norm_eps: float = 1e-5
    rope_theta: float = 10000.0

    @property
    def head_dim(self) -> int:
        """``hidden_size // num_attention_heads``."""
        return self.hidden_size // self.num_attention_heads


PRESETS: Mapping[str, LlamaConfig] = {
    "7b": LlamaConfig(hidden_size=4096, intermediate_size=11008, num_hidden_layers=32, num_attention_heads=32,
                      num_key_value_heads=32),
    "13b": LlamaConfig(hidden_size=5120, intermediate_size=13824, num_hidden_layers=40, num_attention_heads=40,
                       num_key_value_heads=40),
    "70b": LlamaConfig(hidden_size=8192, intermediate_size=28672, num_hidden_layers=80, num_attention_heads=64,
                       num_key_value_heads=8),
}  # fmt: skip
"""Llama-2 7B, 13B and 70B (70B uses grouped-query attention: 8 key/value heads)."""

# 2*V*d (embed_tokens + lm_head) + L*(2*d*d + 2*d*kv*hd + 3*d*ff + 2*d) + d, V = 32000, hd = 128;
# kv*hd = d for 7B and 13B, 8*128 = 1024 for 70B.
PUBLISHED_PARAMS: Mapping[str, int] = {
    "7b": 6_738_415_616,
    "13b": 13_015_864_320,
    "70b": 68_976_648_192,
}

DIMS: Mapping[str, int] = {"batch": 2, "seq": 128}
"""Dynamic dims and their default hints."""


class RotaryEmbedding(nn.Module):
    """The ``cos`` and ``sin`` tables of rotary position embeddings, ``[T, head_dim]`` each."""

    def __init__(self, head_dim: int, base: float) -> None:
        super().__init__()
        self.register_buffer("inv_freq", make((head_dim // 2,), dtypes.float32), persistent=False)

    def forward(self, seq_len: IntLike) -> tuple[FakeTensor, FakeTensor]:
        """Angles ``position * inv_freq`` for positions ``0 .. seq_len - 1``, duplicated to head_dim."""
        positions = ops.arange(seq_len, dtype=dtypes.float32)
        freqs = positions[:, None] * self.inv_freq[None, :]
        emb = ops.cat((freqs, freqs), dim=-1)
        return emb.cos(), emb.sin()


def rotate_half(x: FakeTensor) -> FakeTensor:
    """``cat(-x2, x1)`` of the two halves of the last dim."""
    half = x.shape[-1] // 2
    x1 = x[..., :half]
    x2 = x[..., half:]
    return ops.cat((-x2, x1), dim=-1)  # type: ignore[no-any-return]


def apply_rotary_pos_emb(
    q: FakeTensor, k: FakeTensor, cos: FakeTensor, sin: FakeTensor
) -> tuple[FakeTensor, FakeTensor]:
    """Rotates ``q`` and ``k`` (``[B, H, T, hd]``) by the position angles (``[T, hd]``)."""
    q_embed = q * cos + rotate_half(q) * sin
    k_embed = k * cos + rotate_half(k) * sin
    return q_embed, k_embed


def repeat_kv(x: FakeTensor, n_rep: int) -> FakeTensor:
    """``[B, kv, T, hd] -> [B, kv * n_rep, T, hd]``: each key/value head serves ``n_rep`` query heads."""
    if n_rep == 1:
        return x
    B, kv, T, hd = x.shape
    x = x[:, :, None, :, :].expand(B, kv, n_rep, T, hd)
    return x.reshape(B, kv * n_rep, T, hd)  # type: ignore[no-any-return]


class LlamaAttention(nn.Module):
    """Causal grouped-query attention with rotary embeddings; no biases."""

    def __init__(self, config: LlamaConfig) -> None:
        super().__init__()
        d, hd = config.hidden_size, config.head_dim
        self.num_heads = config.num_attention_heads
        self.num_kv_heads = config.num_key_value_heads
        self.head_dim = hd
        self.q_proj = nn.Linear(d, self.num_heads * hd, bias=False)
        self.k_proj = nn.Linear(d, self.num_kv_heads * hd, bias=False)
        self.v_proj = nn.Linear(d, self.num_kv_heads * hd, bias=False)
        self.o_proj = nn.Linear(self.num_heads * hd, d, bias=False)

    def forward(self, x: FakeTensor, cos: FakeTensor, sin: FakeTensor) -> FakeTensor:
        """``[B, T, d] -> [B, T, d]``."""
        B, T, _ = x.shape
        q = self.q_proj(x).view(B, T, self.num_heads, self.head_dim).transpose(1, 2)
        k = self.k_proj(x).view(B, T, self.num_kv_heads, self.head_dim).transpose(1, 2)
        v = self.v_proj(x).view(B, T, self.num_kv_heads, self.head_dim).transpose(1, 2)
        q, k = apply_rotary_pos_emb(q, k, cos, sin)
        k = repeat_kv(k, self.num_heads // self.num_kv_heads)
        v = repeat_kv(v, self.num_heads // self.num_kv_heads)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        y = y.transpose(1, 2).reshape(B, T, self.num_heads * self.head_dim)
        return self.o_proj(y)  # type: ignore[no-any-return]


class LlamaMLP(nn.Module):
    """SwiGLU: ``down_proj(silu(gate_proj(x)) * up_proj(x))``."""

    def __init__(self, hidden_size: int, intermediate_size: int) -> None:
        super().__init__()
        self.gate_proj = nn.Linear(hidden_size, intermediate_size, bias=False)
        self.up_proj = nn.Linear(hidden_size, intermediate_size, bias=False)
        self.down_proj = nn.Linear(intermediate_size, hidden_size, bias=False)

    def forward(self, x: FakeTensor) -> FakeTensor:
        """``[..., d] -> [..., d]``."""
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))  # type: ignore[no-any-return]


class LlamaDecoderLayer(nn.Module):
    """Pre-RMSNorm attention and MLP, each with a residual."""

    def __init__(self, config: LlamaConfig) -> None:
        super().__init__()
        self.input_layernorm = nn.RMSNorm(config.hidden_size, eps=config.rms_norm_eps)
        self.self_attn = LlamaAttention(config)
        self.post_attention_layernorm = nn.RMSNorm(config.hidden_size, eps=config.rms_norm_eps)
        self.mlp = LlamaMLP(config.hidden_size, config.intermediate_size)

    def forward(self, x: FakeTensor, cos: FakeTensor, sin: FakeTensor) -> FakeTensor:
        """``[B, T, d] -> [B, T, d]``."""
        x = x + self.self_attn(self.input_layernorm(x), cos, sin)
        x = x + self.mlp(self.post_attention_layernorm(x))
        return x


class LlamaModel(nn.Module):
    """Token embedding, the decoder layers and the final norm.

    Mixtral's model is this one with :attr:`decoder_layer` set to its mixture-of-experts layer.
    """

    decoder_layer: ClassVar[type[nn.Module]] = LlamaDecoderLayer
    """The decoder layer class: built from the config, called with ``(x, cos, sin)``."""

    def __init__(self, config: LlamaConfig) -> None:
        super().__init__()
        self.embed_tokens = nn.Embedding(config.vocab_size, config.hidden_size)
        self.layers = nn.ModuleList(self.decoder_layer(config) for _ in range(config.num_hidden_layers))
        self.norm = nn.RMSNorm(config.hidden_size, eps=config.rms_norm_eps)
        self.rotary_emb = RotaryEmbedding(config.head_dim, config.rope_theta)

    def forward(self, input_ids: FakeTensor) -> FakeTensor:
        """``[B, T]`` token ids -> ``[B, T, hidden_size]``."""
        x = self.embed_tokens(input_ids)
        cos, sin = self.rotary_emb(input_ids.shape[1])
        for layer in self.layers:
            x = layer(x, cos, sin)
        return self.norm(x)  # type: ignore[no-any-return]


class LlamaForCausalLM(nn.Module):
    """The decoder with an (untied) LM head."""

    base_model: ClassVar[type[nn.Module]] = LlamaModel
    """The decoder class below the LM head, built from the config."""

    def __init__(self, config: LlamaConfig) -> None:
        super().__init__()
        self.config = config
        self.model = self.base_model(config)
        self.lm_head = nn.Linear(config.hidden_size, config.vocab_size, bias=False)

    def forward(self, input_ids: FakeTensor) -> FakeTensor:
        """``[B, T]`` token ids -> ``[B, T, vocab_size]`` logits."""
        return self.lm_head(self.model(input_ids))  # type: ignore[no-any-return]


def build(config: LlamaConfig) -> LlamaForCausalLM:
    """The model for ``config``, in eval mode."""
    model = LlamaForCausalLM(config)
    model.eval()
    return model


def inputs(config: LlamaConfig, hints: Mapping[str, int]) -> tuple[FakeTensor, ...]:
    """``input_ids``: int64 ``[batch, seq]``."""
    return (make((hints.get("batch", DIMS["batch"]), hints.get("seq", DIMS["seq"])), dtypes.int64),)


def dynamic(config: LlamaConfig) -> Mapping[str, Mapping[int, str]]:
    """``input_ids`` dims 0 and 1 are ``batch`` and ``seq``."""
    return {"input_ids": {0: "batch", 1: "seq"}}
