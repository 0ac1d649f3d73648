"""Vision Transformer (Dosovitskiy et al., 2021), as torchvision's ``vit_b_16`` / ``vit_l_16``
write it: a strided-conv patch embedding, a class token, learned position embeddings, pre-LayerNorm
encoder layers (``nn.MultiheadAttention``) and a linear ImageNet-1k head.

Who uses it: :mod:`symcore.models` (the ``vit`` entry). The position embeddings are learned for a
``224 / 16 = 14`` by 14 grid. With ``interpolate_pos_encoding`` (the default, as Hugging Face's
``interpolate_pos_encoding=True`` and timm's ``dynamic_img_size``) they are resized (bicubic) to the
input's grid ``(height // 16, width // 16)``, so height and width can be symbolic; without it the
model is torchvision's, which requires ``height == width == image_size`` (tracing then specialises
both). Parameter counts are the same either way.

Examples:
    >>> from symcore.models import vit
    >>> vit.build(vit.PRESETS["b16"]).num_parameters()
    86567656
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass

import symcore.nn as nn
import symcore.nn.functional as F
from symcore import ops
from symcore.nn import Parameter
from symcore.tensor import dtypes
from symcore.tensor.fake import FakeTensor, IntLike, make

__all__ = ["DIMS", "PRESETS", "PUBLISHED_PARAMS", "ViTConfig", "VisionTransformer", "build", "dynamic", "inputs"]


@dataclass(frozen=True)
class ViTConfig:
    """Hyper-parameters of a ViT (torchvision's names)."""

    image_size: int = 224
    patch_size: int = 16
    num_layers: int = 12
    num_heads: int = 12
    hidden_dim: int = 768
    mlp_dim: int = 3072
    num_classes: int = 1000
    in_channels: int = 3
    interpolate_pos_encoding: bool = True


PRESETS: Mapping[str, ViTConfig] = {
    "b16": ViTConfig(num_layers=12, num_heads=12, hidden_dim=768, mlp_dim=3072),
    "l16": ViTConfig(num_layers=24, num_heads=16, hidden_dim=1024, mlp_dim=4096),
}
"""ViT-B/16 and ViT-L/16 at 224x224 with the ImageNet-1k head."""

# 3*16*16*d + d (patch conv) + d (class token) + 197*d (positions, 14*14 + 1)
# + L*(2*d + (3*d*d + 3*d) + (d*d + d) + 2*d + (d*m + m) + (m*d + d)) + 2*d (final LN) + (1000*d + 1000).
PUBLISHED_PARAMS: Mapping[str, int] = {"b16": 86_567_656, "l16": 304_326_632}

DIMS: Mapping[str, int] = {"batch": 2, "height": 224, "width": 224}
"""Dynamic dims and their default hints (height and width should be multiples of 16; others lose
their last partial patch, as the strided conv does)."""


class MLPBlock(nn.Sequential):
    """``Linear, GELU, Dropout, Linear, Dropout`` (torchvision's indices 0 and 3 hold the weights)."""

    def __init__(self, hidden_dim: int, mlp_dim: int) -> None:
        super().__init__(nn.Linear(hidden_dim, mlp_dim), nn.GELU(), nn.Dropout(0.0), nn.Linear(mlp_dim, hidden_dim),
                         nn.Dropout(0.0))  # fmt: skip


class EncoderBlock(nn.Module):
    """Pre-LayerNorm self-attention and MLP, each with a residual."""

    def __init__(self, config: ViTConfig) -> None:
        super().__init__()
        self.ln_1 = nn.LayerNorm(config.hidden_dim, eps=1e-6)
        self.self_attention = nn.MultiheadAttention(config.hidden_dim, config.num_heads, batch_first=True)
        self.ln_2 = nn.LayerNorm(config.hidden_dim, eps=1e-6)
        self.mlp = MLPBlock(config.hidden_dim, config.mlp_dim)

    def forward(self, input: FakeTensor) -> FakeTensor:
        """``[B, N, d] -> [B, N, d]``."""
        x = self.ln_1(input)
        x, _ = self.self_attention(x, x, x, need_weights=False)
        x = x + input
        y = self.mlp(self.ln_2(x))
        return x + y  # type: ignore[no-any-return]


class Encoder(nn.Module):
    """Position embeddings, the layers, and the final LayerNorm."""

    def __init__(self, config: ViTConfig) -> None:
        super().__init__()
        self.grid = config.image_size // config.patch_size
        self.interpolate_pos_encoding = config.interpolate_pos_encoding
        self.pos_embedding = Parameter(make((1, self.grid * self.grid + 1, config.hidden_dim)))
        self.layers = nn.Sequential(
            OrderedDict((f"encoder_layer_{i}", EncoderBlock(config)) for i in range(config.num_layers))
        )
        self.ln = nn.LayerNorm(config.hidden_dim, eps=1e-6)

    def position_embeddings(self, grid_h: IntLike, grid_w: IntLike) -> FakeTensor:
        """The learned ``[1, 1 + grid*grid, d]`` embeddings, the patch part resized to ``grid_h x grid_w``."""
        if not self.interpolate_pos_encoding:
            return self.pos_embedding
        d = self.pos_embedding.shape[-1]
        class_pos = self.pos_embedding[:, :1]
        patch_pos = self.pos_embedding[:, 1:].reshape(1, self.grid, self.grid, d).permute(0, 3, 1, 2)
        patch_pos = F.interpolate(patch_pos, size=(grid_h, grid_w), mode="bicubic", align_corners=False)
        patch_pos = patch_pos.reshape(1, d, grid_h * grid_w).permute(0, 2, 1)
        return ops.cat((class_pos, patch_pos), dim=1)  # type: ignore[no-any-return]

    def forward(self, input: FakeTensor, grid_h: IntLike, grid_w: IntLike) -> FakeTensor:
        """``[B, 1 + grid_h*grid_w, d] -> [B, 1 + grid_h*grid_w, d]``."""
        input = input + self.position_embeddings(grid_h, grid_w)
        return self.ln(self.layers(input))  # type: ignore[no-any-return]


class VisionTransformer(nn.Module):
    """Images ``[B, 3, H, W]`` -> ImageNet logits ``[B, num_classes]``."""

    def __init__(self, config: ViTConfig) -> None:
        super().__init__()
        self.config = config
        self.patch_size = config.patch_size
        self.hidden_dim = config.hidden_dim
        self.conv_proj = nn.Conv2d(config.in_channels, config.hidden_dim, config.patch_size, stride=config.patch_size)
        self.class_token = Parameter(make((1, 1, config.hidden_dim)))
        self.encoder = Encoder(config)
        self.heads = nn.Sequential(OrderedDict(head=nn.Linear(config.hidden_dim, config.num_classes)))

    def forward(self, x: FakeTensor) -> FakeTensor:
        """Patchify, prepend the class token, encode, classify the class token."""
        n, _, h, w = x.shape
        if not self.config.interpolate_pos_encoding:
            if h != self.config.image_size or w != self.config.image_size:
                raise ValueError(f"Wrong image size: expected {self.config.image_size}, got {h}x{w}")
        x = self.conv_proj(x)  # [B, d, H/p, W/p]
        grid_h, grid_w = x.shape[2], x.shape[3]
        x = x.reshape(n, self.hidden_dim, grid_h * grid_w).permute(0, 2, 1)
        batch_class_token = self.class_token.expand(n, -1, -1)
        x = ops.cat([batch_class_token, x], dim=1)
        x = self.encoder(x, grid_h, grid_w)
        return self.heads(x[:, 0])  # type: ignore[no-any-return]


def build(config: ViTConfig) -> VisionTransformer:
    """The model for ``config``, in eval mode."""
    model = VisionTransformer(config)
    model.eval()
    return model


def inputs(config: ViTConfig, hints: Mapping[str, int]) -> tuple[FakeTensor, ...]:
    """``x``: float32 ``[batch, 3, height, width]``."""
    h, w = hints.get("height", DIMS["height"]), hints.get("width", DIMS["width"])
    return (make((hints.get("batch", DIMS["batch"]), config.in_channels, h, w), dtypes.float32),)


def dynamic(config: ViTConfig) -> Mapping[str, Mapping[int, str]]:
    """``x`` dims 0, 2, 3 are ``batch``, ``height``, ``width``."""
    return {"x": {0: "batch", 2: "height", 3: "width"}}
