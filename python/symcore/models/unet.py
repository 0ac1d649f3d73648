"""U-Net (Ronneberger et al., 2015): a contracting path of double 3x3 convs and 2x2 max pools, an
expanding path of 2x2 transposed convs, and skip connections concatenated across.

Who uses it: :mod:`symcore.models` (the ``unet`` entry). Two presets:

- ``base``: the widely used PyTorch U-Net (milesial/Pytorch-UNet, ``bilinear=False``): padded
  convs without bias, each followed by BatchNorm, 3 input channels, 2 classes. The output has the
  input's size; when a size is not a multiple of 16 the upsampled map is zero-padded to its skip's
  size (``F.pad`` by the symbolic difference).
- ``paper``: the network of the paper: unpadded convs with bias, no BatchNorm, 1 input channel, 2
  classes. Every conv loses a 2-pixel border, so each skip is center-cropped to the upsampled map
  (572x572 in, 388x388 out).

Examples:
    >>> from symcore.models import unet
    >>> unet.build(unet.PRESETS["paper"]).num_parameters()
    31030658
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import symcore.nn as nn
import symcore.nn.functional as F
from symcore import ops
from symcore.tensor import dtypes
from symcore.tensor.fake import FakeTensor, make

__all__ = ["DIMS", "PRESETS", "PUBLISHED_PARAMS", "UNet", "UNetConfig", "build", "dynamic", "inputs"]


@dataclass(frozen=True)
class UNetConfig:
    """A U-Net: channels in and out, the first level's width (doubled per level), and conv style."""

    in_channels: int = 3
    num_classes: int = 2
    base_channels: int = 64
    depth: int = 4
    padded: bool = True  # padded convs + BatchNorm (bias-free) vs. the paper's valid convs with bias


PRESETS: Mapping[str, UNetConfig] = {
    "base": UNetConfig(in_channels=3, num_classes=2, base_channels=64, padded=True),
    "paper": UNetConfig(in_channels=1, num_classes=2, base_channels=64, padded=False),
}
"""The common PyTorch U-Net (padded, BatchNorm) and the 2015 paper's network."""

# Widths c_i = 64 * 2**i, i = 0..4. Double conv (a -> b): 9*a*b + 9*b*b, plus 2*b + 2*b (two BNs,
# base) or b + b (two biases, paper). Encoder: DC(in, 64), DC(c_i, c_i+1) for i = 0..3; decoder per
# level i = 4..1: transposed conv 4*c_i*c_i-1 + c_i-1, DC(c_i, c_i-1); head 64*classes + classes.
PUBLISHED_PARAMS: Mapping[str, int] = {"base": 31_037_698, "paper": 31_030_658}

DIMS: Mapping[str, int] = {"batch": 2, "height": 256, "width": 256}
"""Dynamic dims and their default hints. ``paper`` needs at least 188x188 (its 4x4 output); the
paper uses 572x572."""


class DoubleConv(nn.Module):
    """``(conv3x3 -> [BN] -> ReLU) * 2``."""

    def __init__(self, in_channels: int, out_channels: int, padded: bool) -> None:
        super().__init__()
        if padded:
            self.double_conv = nn.Sequential(
                nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1, bias=False),
                nn.BatchNorm2d(out_channels),
                nn.ReLU(inplace=True),
                nn.Conv2d(out_channels, out_channels, kernel_size=3, padding=1, bias=False),
                nn.BatchNorm2d(out_channels),
                nn.ReLU(inplace=True),
            )
        else:
            self.double_conv = nn.Sequential(
                nn.Conv2d(in_channels, out_channels, kernel_size=3),
                nn.ReLU(inplace=True),
                nn.Conv2d(out_channels, out_channels, kernel_size=3),
                nn.ReLU(inplace=True),
            )

    def forward(self, x: FakeTensor) -> FakeTensor:
        """``[B, in, H, W] -> [B, out, H', W']`` (``H' = H`` padded, ``H - 4`` not)."""
        return self.double_conv(x)  # type: ignore[no-any-return]


class Down(nn.Module):
    """2x2 max pool, then a double conv."""

    def __init__(self, in_channels: int, out_channels: int, padded: bool) -> None:
        super().__init__()
        self.maxpool_conv = nn.Sequential(nn.MaxPool2d(2), DoubleConv(in_channels, out_channels, padded))

    def forward(self, x: FakeTensor) -> FakeTensor:
        """Halve the resolution, change the width."""
        return self.maxpool_conv(x)  # type: ignore[no-any-return]


class Up(nn.Module):
    """2x2 transposed conv (doubles the resolution, halves the width), join the skip, double conv."""

    def __init__(self, in_channels: int, out_channels: int, padded: bool) -> None:
        super().__init__()
        self.padded = padded
        self.up = nn.ConvTranspose2d(in_channels, in_channels // 2, kernel_size=2, stride=2)
        self.conv = DoubleConv(in_channels, out_channels, padded)

    def forward(self, x1: FakeTensor, x2: FakeTensor) -> FakeTensor:
        """``x1`` from below, ``x2`` the skip from the contracting path."""
        x1 = self.up(x1)
        if self.padded:
            # Pad the upsampled map to the skip's size (they differ by the pools' rounding).
            diffY = x2.size(2) - x1.size(2)
            diffX = x2.size(3) - x1.size(3)
            x1 = F.pad(x1, [diffX // 2, diffX - diffX // 2, diffY // 2, diffY - diffY // 2])
        else:
            # Center-crop the skip to the upsampled map (the unpadded convs shrank the upsampled map).
            h, w = x1.size(2), x1.size(3)
            top = (x2.size(2) - h) // 2
            left = (x2.size(3) - w) // 2
            x2 = x2[:, :, top : top + h, left : left + w]
        x = ops.cat([x2, x1], dim=1)
        return self.conv(x)  # type: ignore[no-any-return]


class UNet(nn.Module):
    """Images ``[B, in_channels, H, W]`` -> per-pixel logits ``[B, num_classes, H', W']``."""

    def __init__(self, config: UNetConfig) -> None:
        super().__init__()
        self.config = config
        c = [config.base_channels * 2**i for i in range(config.depth + 1)]
        self.inc = DoubleConv(config.in_channels, c[0], config.padded)
        self.downs = nn.ModuleList(Down(c[i], c[i + 1], config.padded) for i in range(config.depth))
        self.ups = nn.ModuleList(Up(c[i], c[i - 1], config.padded) for i in range(config.depth, 0, -1))
        self.outc = nn.Conv2d(c[0], config.num_classes, kernel_size=1)

    def forward(self, x: FakeTensor) -> FakeTensor:
        """Contract, keeping each level's output; expand, joining them back in reverse."""
        x = self.inc(x)
        skips = [x]
        for down in self.downs:
            x = down(x)
            skips.append(x)
        skips.pop()  # the bottom level is not a skip
        for up in self.ups:
            x = up(x, skips.pop())
        return self.outc(x)  # type: ignore[no-any-return]


def build(config: UNetConfig) -> UNet:
    """The model for ``config``, in eval mode."""
    model = UNet(config)
    model.eval()
    return model


def inputs(config: UNetConfig, hints: Mapping[str, int]) -> tuple[FakeTensor, ...]:
    """``x``: float32 ``[batch, in_channels, height, width]``."""
    h, w = hints.get("height", DIMS["height"]), hints.get("width", DIMS["width"])
    return (make((hints.get("batch", DIMS["batch"]), config.in_channels, h, w), dtypes.float32),)


def dynamic(config: UNetConfig) -> Mapping[str, Mapping[int, str]]:
    """``x`` dims 0, 2, 3 are ``batch``, ``height``, ``width``."""
    return {"x": {0: "batch", 2: "height", 3: "width"}}
