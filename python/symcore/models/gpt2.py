"""GPT-2 (Radford et al., 2019), as Hugging Face's ``GPT2LMHeadModel`` / nanoGPT write it.

Who uses it: :mod:`symcore.models` (the ``gpt2`` entry) and anyone tracing a decoder-only
transformer with learned positions. Parameter names follow Hugging Face (``transformer.h.0.attn.c_attn``),
but projections are ``nn.Linear`` (weights ``[out, in]``; Hugging Face's ``Conv1D`` stores the
transpose, same count). The LM head shares the token embedding (tied weights, counted once).

Examples:
    >>> from symcore.models import gpt2
    >>> model = gpt2.build(gpt2.PRESETS["small"])
    >>> model.num_parameters()
    124439808
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import symcore.nn as nn
import symcore.nn.functional as F
from symcore import ops
from symcore.shape_env import check
from symcore.tensor import dtypes
from symcore.tensor.fake import FakeTensor, make

__all__ = ["DIMS", "PRESETS", "PUBLISHED_PARAMS", "GPT2Config", "GPT2LMHeadModel", "build", "dynamic", "inputs"]


@dataclass(frozen=True)
class GPT2Config:
    """Hyper-parameters of GPT-2 (Hugging Face's names)."""

    n_layer: int = 12
    n_head: int = 12
    n_embd: int = 768
    vocab_size: int = 50257
    n_positions: int = 1024
    layer_norm_epsilon: float = 1e-5


PRESETS: Mapping[str, GPT2Config] = {
    "small": GPT2Config(n_layer=12, n_head=12, n_embd=768),
    "medium": GPT2Config(n_layer=24, n_head=16, n_embd=1024),
    "large": GPT2Config(n_layer=36, n_head=20, n_embd=1280),
    "xl": GPT2Config(n_layer=48, n_head=25, n_embd=1600),
}
"""The four released sizes (124M, 355M, 774M, 1.5B)."""

# V*d + P*d (embeddings) + L*(12*d*d + 13*d) (blocks) + 2*d (ln_f), V = 50257, P = 1024.
PUBLISHED_PARAMS: Mapping[str, int] = {
    "small": 124_439_808,
    "medium": 354_823_168,
    "large": 774_030_080,
    "xl": 1_557_611_200,
}

DIMS: Mapping[str, int] = {"batch": 2, "seq": 128}
"""Dynamic dims and their default hints."""


class CausalSelfAttention(nn.Module):
    """Multi-head causal self-attention with a fused ``c_attn`` projection."""

    def __init__(self, config: GPT2Config) -> None:
        super().__init__()
        self.c_attn = nn.Linear(config.n_embd, 3 * config.n_embd)
        self.c_proj = nn.Linear(config.n_embd, config.n_embd)
        self.n_head = config.n_head
        self.n_embd = config.n_embd

    def forward(self, x: FakeTensor) -> FakeTensor:
        """``[B, T, C] -> [B, T, C]``."""
        B, T, C = x.size()
        q, k, v = self.c_attn(x).split(self.n_embd, dim=2)
        q = q.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        k = k.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        v = v.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        y = y.transpose(1, 2).contiguous().view(B, T, C)
        return self.c_proj(y)  # type: ignore[no-any-return]


class MLP(nn.Module):
    """``c_proj(gelu_tanh(c_fc(x)))`` with a 4x hidden size."""

    def __init__(self, config: GPT2Config) -> None:
        super().__init__()
        self.c_fc = nn.Linear(config.n_embd, 4 * config.n_embd)
        self.c_proj = nn.Linear(4 * config.n_embd, config.n_embd)

    def forward(self, x: FakeTensor) -> FakeTensor:
        """``[B, T, C] -> [B, T, C]``."""
        return self.c_proj(F.gelu(self.c_fc(x), approximate="tanh"))  # type: ignore[no-any-return]


class Block(nn.Module):
    """A pre-LayerNorm transformer block."""

    def __init__(self, config: GPT2Config) -> None:
        super().__init__()
        self.ln_1 = nn.LayerNorm(config.n_embd, eps=config.layer_norm_epsilon)
        self.attn = CausalSelfAttention(config)
        self.ln_2 = nn.LayerNorm(config.n_embd, eps=config.layer_norm_epsilon)
        self.mlp = MLP(config)

    def forward(self, x: FakeTensor) -> FakeTensor:
        """``x + attn(ln_1(x))``, then ``x + mlp(ln_2(x))``."""
        x = x + self.attn(self.ln_1(x))
        x = x + self.mlp(self.ln_2(x))
        return x


class GPT2Model(nn.Module):
    """Embeddings, ``n_layer`` blocks and the final LayerNorm."""

    def __init__(self, config: GPT2Config) -> None:
        super().__init__()
        self.wte = nn.Embedding(config.vocab_size, config.n_embd)
        self.wpe = nn.Embedding(config.n_positions, config.n_embd)
        self.h = nn.ModuleList(Block(config) for _ in range(config.n_layer))
        self.ln_f = nn.LayerNorm(config.n_embd, eps=config.layer_norm_epsilon)
        self.n_positions = config.n_positions

    def forward(self, input_ids: FakeTensor) -> FakeTensor:
        """``[B, T]`` token ids -> ``[B, T, n_embd]`` hidden states."""
        T = input_ids.size(1)
        check(T <= self.n_positions, lambda: f"GPT-2 has {self.n_positions} learned positions, got a sequence of {T}")
        pos = ops.arange(0, T, dtype=dtypes.int64)
        x = self.wte(input_ids) + self.wpe(pos)
        for block in self.h:
            x = block(x)
        return self.ln_f(x)  # type: ignore[no-any-return]


class GPT2LMHeadModel(nn.Module):
    """GPT-2 with its language-model head (tied to the token embedding)."""

    def __init__(self, config: GPT2Config) -> None:
        super().__init__()
        self.config = config
        self.transformer = GPT2Model(config)
        self.lm_head = nn.Linear(config.n_embd, config.vocab_size, bias=False)
        self.lm_head.weight = self.transformer.wte.weight

    def forward(self, input_ids: FakeTensor) -> FakeTensor:
        """``[B, T]`` token ids -> ``[B, T, vocab_size]`` logits."""
        return self.lm_head(self.transformer(input_ids))  # type: ignore[no-any-return]


def build(config: GPT2Config) -> GPT2LMHeadModel:
    """The model for ``config``, in eval mode."""
    model = GPT2LMHeadModel(config)
    model.eval()
    return model


def inputs(config: GPT2Config, hints: Mapping[str, int]) -> tuple[FakeTensor, ...]:
    """``input_ids``: int64 ``[batch, seq]``."""
    return (make((hints.get("batch", DIMS["batch"]), hints.get("seq", DIMS["seq"])), dtypes.int64),)


def dynamic(config: GPT2Config) -> Mapping[str, Mapping[int, str]]:
    """``input_ids`` dims 0 and 1 are ``batch`` and ``seq``."""
    return {"input_ids": {0: "batch", 1: "seq"}}
