"""BERT (Devlin et al., 2019), as Hugging Face's ``BertModel`` writes it: word, position and
token-type embeddings, post-LayerNorm encoder layers, and the pooler.

Who uses it: :mod:`symcore.models` (the ``bert`` entry). Parameter names follow Hugging Face
(``encoder.layer.0.attention.self.query``); the padding mask is a bool ``[batch, seq]`` input.

Examples:
    >>> from symcore.models import bert
    >>> bert.build(bert.PRESETS["base"]).num_parameters()
    109482240
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

__all__ = ["DIMS", "PRESETS", "PUBLISHED_PARAMS", "BertConfig", "BertModel", "build", "dynamic", "inputs"]


@dataclass(frozen=True)
class BertConfig:
    """Hyper-parameters of BERT (Hugging Face's names)."""

    hidden_size: int = 768
    num_hidden_layers: int = 12
    num_attention_heads: int = 12
    intermediate_size: int = 3072
    vocab_size: int = 30522
    max_position_embeddings: int = 512
    type_vocab_size: int = 2
    layer_norm_eps: float = 1e-12


PRESETS: Mapping[str, BertConfig] = {
    "base": BertConfig(hidden_size=768, num_hidden_layers=12, num_attention_heads=12, intermediate_size=3072),
    "large": BertConfig(hidden_size=1024, num_hidden_layers=24, num_attention_heads=16, intermediate_size=4096),
}
"""BERT-base and BERT-large (uncased vocabulary, 30522 tokens)."""

# (V + P + T)*d + 2*d (embeddings and their LayerNorm)
# + L*(4*(d*d + d) + 2*d + (d*ff + ff) + (ff*d + d) + 2*d) + (d*d + d) (pooler), V=30522, P=512, T=2.
PUBLISHED_PARAMS: Mapping[str, int] = {"base": 109_482_240, "large": 335_141_888}

DIMS: Mapping[str, int] = {"batch": 2, "seq": 128}
"""Dynamic dims and their default hints."""


class BertEmbeddings(nn.Module):
    """Sum of word, position and token-type embeddings, then LayerNorm."""

    def __init__(self, config: BertConfig) -> None:
        super().__init__()
        self.word_embeddings = nn.Embedding(config.vocab_size, config.hidden_size)
        self.position_embeddings = nn.Embedding(config.max_position_embeddings, config.hidden_size)
        self.token_type_embeddings = nn.Embedding(config.type_vocab_size, config.hidden_size)
        self.LayerNorm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)
        self.max_position_embeddings = config.max_position_embeddings

    def forward(self, input_ids: FakeTensor) -> FakeTensor:
        """``[B, T]`` ids -> ``[B, T, d]`` (token type 0 everywhere)."""
        seq_length = input_ids.shape[1]
        check(
            seq_length <= self.max_position_embeddings,
            lambda: f"BERT has {self.max_position_embeddings} learned positions, got a sequence of {seq_length}",
        )
        position_ids = ops.arange(seq_length, dtype=dtypes.int64)[None, :]
        token_type_ids = ops.zeros_like(input_ids)
        embeddings = self.word_embeddings(input_ids) + self.token_type_embeddings(token_type_ids)
        embeddings = embeddings + self.position_embeddings(position_ids)
        return self.LayerNorm(embeddings)  # type: ignore[no-any-return]


class BertSelfAttention(nn.Module):
    """Bidirectional multi-head attention with a padding mask."""

    def __init__(self, config: BertConfig) -> None:
        super().__init__()
        self.num_attention_heads = config.num_attention_heads
        self.attention_head_size = config.hidden_size // config.num_attention_heads
        self.query = nn.Linear(config.hidden_size, config.hidden_size)
        self.key = nn.Linear(config.hidden_size, config.hidden_size)
        self.value = nn.Linear(config.hidden_size, config.hidden_size)

    def split_heads(self, x: FakeTensor) -> FakeTensor:
        """``[B, T, d] -> [B, heads, T, head_size]``."""
        B, T, _ = x.shape
        return x.view(B, T, self.num_attention_heads, self.attention_head_size).transpose(1, 2)  # type: ignore[no-any-return]

    def forward(self, hidden_states: FakeTensor, attention_mask: FakeTensor) -> FakeTensor:
        """``[B, T, d]`` and a bool mask ``[B, 1, 1, T]`` -> ``[B, T, d]``."""
        B, T, d = hidden_states.shape
        q = self.split_heads(self.query(hidden_states))
        k = self.split_heads(self.key(hidden_states))
        v = self.split_heads(self.value(hidden_states))
        context = F.scaled_dot_product_attention(q, k, v, attn_mask=attention_mask)
        return context.transpose(1, 2).reshape(B, T, d)  # type: ignore[no-any-return]


class BertSelfOutput(nn.Module):
    """``LayerNorm(dense(x) + input)``."""

    def __init__(self, config: BertConfig, in_features: int) -> None:
        super().__init__()
        self.dense = nn.Linear(in_features, config.hidden_size)
        self.LayerNorm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)

    def forward(self, hidden_states: FakeTensor, input_tensor: FakeTensor) -> FakeTensor:
        """Project, add the residual, normalise."""
        return self.LayerNorm(self.dense(hidden_states) + input_tensor)  # type: ignore[no-any-return]


class BertAttention(nn.Module):
    """Self-attention and its output projection."""

    def __init__(self, config: BertConfig) -> None:
        super().__init__()
        self.self = BertSelfAttention(config)
        self.output = BertSelfOutput(config, config.hidden_size)

    def forward(self, hidden_states: FakeTensor, attention_mask: FakeTensor) -> FakeTensor:
        """``[B, T, d] -> [B, T, d]``."""
        return self.output(self.self(hidden_states, attention_mask), hidden_states)  # type: ignore[no-any-return]


class BertIntermediate(nn.Module):
    """``gelu(dense(x))`` to the intermediate size."""

    def __init__(self, config: BertConfig) -> None:
        super().__init__()
        self.dense = nn.Linear(config.hidden_size, config.intermediate_size)

    def forward(self, hidden_states: FakeTensor) -> FakeTensor:
        """``[B, T, d] -> [B, T, ff]``."""
        return F.gelu(self.dense(hidden_states))  # type: ignore[no-any-return]


class BertLayer(nn.Module):
    """Attention, then the feed-forward block (post-LayerNorm)."""

    def __init__(self, config: BertConfig) -> None:
        super().__init__()
        self.attention = BertAttention(config)
        self.intermediate = BertIntermediate(config)
        self.output = BertSelfOutput(config, config.intermediate_size)

    def forward(self, hidden_states: FakeTensor, attention_mask: FakeTensor) -> FakeTensor:
        """``[B, T, d] -> [B, T, d]``."""
        attention_output = self.attention(hidden_states, attention_mask)
        return self.output(self.intermediate(attention_output), attention_output)  # type: ignore[no-any-return]


class BertEncoder(nn.Module):
    """The stack of layers."""

    def __init__(self, config: BertConfig) -> None:
        super().__init__()
        self.layer = nn.ModuleList(BertLayer(config) for _ in range(config.num_hidden_layers))

    def forward(self, hidden_states: FakeTensor, attention_mask: FakeTensor) -> FakeTensor:
        """``[B, T, d] -> [B, T, d]``."""
        for layer in self.layer:
            hidden_states = layer(hidden_states, attention_mask)
        return hidden_states


class BertPooler(nn.Module):
    """``tanh(dense(hidden[:, 0]))``: the first token's state."""

    def __init__(self, config: BertConfig) -> None:
        super().__init__()
        self.dense = nn.Linear(config.hidden_size, config.hidden_size)

    def forward(self, hidden_states: FakeTensor) -> FakeTensor:
        """``[B, T, d] -> [B, d]``."""
        return ops.tanh(self.dense(hidden_states[:, 0]))  # type: ignore[no-any-return]


class BertModel(nn.Module):
    """Embeddings, encoder and pooler; returns ``(last_hidden_state, pooler_output)``."""

    def __init__(self, config: BertConfig) -> None:
        super().__init__()
        self.config = config
        self.embeddings = BertEmbeddings(config)
        self.encoder = BertEncoder(config)
        self.pooler = BertPooler(config)

    def forward(self, input_ids: FakeTensor, attention_mask: FakeTensor) -> tuple[FakeTensor, FakeTensor]:
        """``[B, T]`` ids and a bool ``[B, T]`` padding mask -> ``([B, T, d], [B, d])``."""
        extended_mask = attention_mask[:, None, None, :]
        sequence_output = self.encoder(self.embeddings(input_ids), extended_mask)
        return sequence_output, self.pooler(sequence_output)


def build(config: BertConfig) -> BertModel:
    """The model for ``config``, in eval mode."""
    model = BertModel(config)
    model.eval()
    return model


def inputs(config: BertConfig, hints: Mapping[str, int]) -> tuple[FakeTensor, ...]:
    """``input_ids`` (int64) and ``attention_mask`` (bool), both ``[batch, seq]``."""
    shape = (hints.get("batch", DIMS["batch"]), hints.get("seq", DIMS["seq"]))
    return make(shape, dtypes.int64), make(shape, dtypes.bool)


def dynamic(config: BertConfig) -> Mapping[str, Mapping[int, str]]:
    """Dims 0 and 1 of both inputs are ``batch`` and ``seq``."""
    return {"input_ids": {0: "batch", 1: "seq"}, "attention_mask": {0: "batch", 1: "seq"}}
