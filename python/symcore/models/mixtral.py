"""A Mixtral-style sparse mixture of experts (Jiang et al., 2024), as Hugging Face's
``MixtralForCausalLM`` writes it: Llama's attention (grouped-query, rotary) with each MLP replaced by
``num_local_experts`` SwiGLU experts, of which a router picks ``num_experts_per_tok`` per token.

Who uses it: :mod:`symcore.models` (the ``mixtral`` entry). How many tokens an expert gets depends
on the router's output, so each expert's batch is an unbacked symbol (``u0``, ``u1``, ...: eight
per layer for 8x7B); the trace finishes without any guard on them.

Examples:
    >>> from symcore.models import mixtral
    >>> mixtral.build(mixtral.PRESETS["8x7b"]).num_parameters()
    46702792704
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import symcore.nn as nn
import symcore.nn.functional as F
from symcore import ops
from symcore.models.llama import LlamaAttention, LlamaConfig, LlamaForCausalLM, LlamaModel
from symcore.shape_env import check
from symcore.tensor import dtypes
from symcore.tensor.fake import FakeTensor, make

__all__ = [
    "DIMS",
    "PRESETS",
    "PUBLISHED_PARAMS",
    "MixtralConfig",
    "MixtralForCausalLM",
    "MixtralSparseMoeBlock",
    "build",
    "dynamic",
    "inputs",
]


@dataclass(frozen=True)
class MixtralConfig(LlamaConfig):
    """Llama's hyper-parameters plus the experts (Hugging Face's names)."""

    num_local_experts: int = 8
    num_experts_per_tok: int = 2


PRESETS: Mapping[str, MixtralConfig] = {
    "8x7b": MixtralConfig(hidden_size=4096, intermediate_size=14336, num_hidden_layers=32, num_attention_heads=32,
                          num_key_value_heads=8, vocab_size=32000, max_position_embeddings=32768,
                          rope_theta=1e6, num_local_experts=8, num_experts_per_tok=2),
}  # fmt: skip
"""Mixtral-8x7B (v0.1)."""

# 2*V*d (embed_tokens + lm_head) + L*(2*d*d + 2*d*kv*hd + E*3*d*ff + d*E + 2*d) + d,
# V = 32000, d = 4096, L = 32, kv*hd = 8*128, E = 8 experts, ff = 14336, d*E = the router.
PUBLISHED_PARAMS: Mapping[str, int] = {"8x7b": 46_702_792_704}

DIMS: Mapping[str, int] = {"batch": 2, "seq": 128}
"""Dynamic dims and their default hints."""


class MixtralExpert(nn.Module):
    """One SwiGLU expert: ``w2(silu(w1(x)) * w3(x))``."""

    def __init__(self, config: MixtralConfig) -> None:
        super().__init__()
        self.w1 = nn.Linear(config.hidden_size, config.intermediate_size, bias=False)
        self.w2 = nn.Linear(config.intermediate_size, config.hidden_size, bias=False)
        self.w3 = nn.Linear(config.hidden_size, config.intermediate_size, bias=False)

    def forward(self, x: FakeTensor) -> FakeTensor:
        """``[n, d] -> [n, d]``."""
        return self.w2(F.silu(self.w1(x)) * self.w3(x))  # type: ignore[no-any-return]


class MixtralSparseMoeBlock(nn.Module):
    """Top-k routing over the experts; each expert runs on the tokens routed to it."""

    def __init__(self, config: MixtralConfig) -> None:
        super().__init__()
        self.hidden_dim = config.hidden_size
        self.num_experts = config.num_local_experts
        self.top_k = config.num_experts_per_tok
        self.gate = nn.Linear(config.hidden_size, config.num_local_experts, bias=False)
        self.experts = nn.ModuleList(MixtralExpert(config) for _ in range(config.num_local_experts))

    def forward(self, hidden_states: FakeTensor) -> tuple[FakeTensor, FakeTensor]:
        """``[B, T, d] -> ([B, T, d], router logits [B*T, num_experts])``."""
        batch_size, sequence_length, hidden_dim = hidden_states.shape
        hidden_states = hidden_states.view(-1, hidden_dim)
        num_tokens = hidden_states.shape[0]
        router_logits = self.gate(hidden_states)
        routing_weights = F.softmax(router_logits, dim=1, dtype=dtypes.float32)
        routing_weights, selected_experts = ops.topk(routing_weights, self.top_k, dim=-1)
        routing_weights = routing_weights / routing_weights.sum(dim=-1, keepdim=True)
        final_hidden_states = ops.zeros(num_tokens, hidden_dim, dtype=hidden_states.dtype)
        # [num_experts, top_k, tokens]: which (slot, token) pairs chose each expert.
        expert_mask = F.one_hot(selected_experts, num_classes=self.num_experts).permute(2, 1, 0)
        for expert_idx in range(self.num_experts):
            expert_layer = self.experts[expert_idx]
            idx, top_x = ops.where(expert_mask[expert_idx])  # both of data-dependent length u_i
            # A token picks an expert at most once among its top_k, so u_i <= tokens.
            check(top_x.shape[0] <= num_tokens)
            current_state = hidden_states[None, top_x].reshape(-1, hidden_dim)
            current_hidden_states = expert_layer(current_state) * routing_weights[top_x, idx, None]
            final_hidden_states = final_hidden_states.index_add(0, top_x, current_hidden_states)
        final_hidden_states = final_hidden_states.reshape(batch_size, sequence_length, hidden_dim)
        return final_hidden_states, router_logits


class MixtralDecoderLayer(nn.Module):
    """Pre-RMSNorm attention and mixture of experts, each with a residual."""

    def __init__(self, config: MixtralConfig) -> None:
        super().__init__()
        self.input_layernorm = nn.RMSNorm(config.hidden_size, eps=config.rms_norm_eps)
        self.self_attn = LlamaAttention(config)
        self.post_attention_layernorm = nn.RMSNorm(config.hidden_size, eps=config.rms_norm_eps)
        self.block_sparse_moe = MixtralSparseMoeBlock(config)

    def forward(self, x: FakeTensor, cos: FakeTensor, sin: FakeTensor) -> FakeTensor:
        """``[B, T, d] -> [B, T, d]`` (the router logits are dropped)."""
        x = x + self.self_attn(self.input_layernorm(x), cos, sin)
        moe_out, _router_logits = self.block_sparse_moe(self.post_attention_layernorm(x))
        return x + moe_out  # type: ignore[no-any-return]


class MixtralModel(LlamaModel):
    """Token embedding, the Mixtral decoder layers and the final norm."""

    decoder_layer = MixtralDecoderLayer


class MixtralForCausalLM(LlamaForCausalLM):
    """The decoder with an (untied) LM head."""

    base_model = MixtralModel


def build(config: MixtralConfig) -> MixtralForCausalLM:
    """The model for ``config``, in eval mode."""
    model = MixtralForCausalLM(config)
    model.eval()
    return model


def inputs(config: MixtralConfig, hints: Mapping[str, int]) -> tuple[FakeTensor, ...]:
    """``input_ids``: int64 ``[batch, seq]``."""
    return (make((hints.get("batch", DIMS["batch"]), hints.get("seq", DIMS["seq"])), dtypes.int64),)


def dynamic(config: MixtralConfig) -> Mapping[str, Mapping[int, str]]:
    """``input_ids`` dims 0 and 1 are ``batch`` and ``seq``."""
    return {"input_ids": {0: "batch", 1: "seq"}}
