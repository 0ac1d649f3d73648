"""ResNet (He et al., 2016), as torchvision's ``resnet18`` / ``resnet50`` / ``resnet152`` write it:
a 7x7 stem with max pooling, four stages of basic (18, 34) or bottleneck (50, 101, 152) blocks
with the stride on the 3x3 conv (ResNet v1.5), global average pooling and a linear head.

Who uses it: :mod:`symcore.models` (the ``resnet`` entry). Parameter names follow torchvision
(``layer1.0.conv1``, ``layer2.0.downsample.0``); BatchNorm running statistics are buffers, not
parameters.

Examples:
    >>> from symcore.models import resnet
    >>> resnet.build(resnet.PRESETS["18"]).num_parameters()
    11689512
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import symcore.nn as nn
from symcore import ops
from symcore.tensor import dtypes
from symcore.tensor.fake import FakeTensor, make

__all__ = ["DIMS", "PRESETS", "PUBLISHED_PARAMS", "ResNet", "ResNetConfig", "build", "dynamic", "inputs"]


@dataclass(frozen=True)
class ResNetConfig:
    """A ResNet: its block kind and the number of blocks per stage."""

    block: str = "basic"  # "basic" or "bottleneck"
    layers: tuple[int, int, int, int] = (2, 2, 2, 2)
    num_classes: int = 1000
    in_channels: int = 3


PRESETS: Mapping[str, ResNetConfig] = {
    "18": ResNetConfig(block="basic", layers=(2, 2, 2, 2)),
    "50": ResNetConfig(block="bottleneck", layers=(3, 4, 6, 3)),
    "152": ResNetConfig(block="bottleneck", layers=(3, 8, 36, 3)),
}
"""ResNet-18, -50 and -152 with the ImageNet-1k head."""

# Stem 3*64*7*7 + 2*64; basic block (in, p): 9*in*p + 9*p*p + 4*p; bottleneck (in, p):
# in*p + 9*p*p + p*4p + 2*(p + p + 4p); first block of a stage whose shape changes adds
# in*out + 2*out (1x1 conv + BN); head 1000*c + 1000 with c = 512 (basic) or 2048 (bottleneck).
PUBLISHED_PARAMS: Mapping[str, int] = {"18": 11_689_512, "50": 25_557_032, "152": 60_192_808}

DIMS: Mapping[str, int] = {"batch": 2, "height": 224, "width": 224}
"""Dynamic dims and their default hints."""


def conv3x3(in_planes: int, out_planes: int, stride: int = 1) -> nn.Conv2d:
    """3x3 convolution with padding 1, no bias."""
    return nn.Conv2d(in_planes, out_planes, kernel_size=3, stride=stride, padding=1, bias=False)


def conv1x1(in_planes: int, out_planes: int, stride: int = 1) -> nn.Conv2d:
    """1x1 convolution, no bias."""
    return nn.Conv2d(in_planes, out_planes, kernel_size=1, stride=stride, bias=False)


class BasicBlock(nn.Module):
    """Two 3x3 convs with a residual."""

    expansion = 1

    def __init__(self, inplanes: int, planes: int, stride: int = 1, downsample: nn.Module | None = None) -> None:
        super().__init__()
        self.conv1 = conv3x3(inplanes, planes, stride)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = conv3x3(planes, planes)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = downsample

    def forward(self, x: FakeTensor) -> FakeTensor:
        """``relu(bn2(conv2(relu(bn1(conv1(x))))) + identity)``."""
        identity = x
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        if self.downsample is not None:
            identity = self.downsample(x)
        return self.relu(out + identity)  # type: ignore[no-any-return]


class Bottleneck(nn.Module):
    """1x1 reduce, 3x3 (strided), 1x1 expand by 4, with a residual."""

    expansion = 4

    def __init__(self, inplanes: int, planes: int, stride: int = 1, downsample: nn.Module | None = None) -> None:
        super().__init__()
        self.conv1 = conv1x1(inplanes, planes)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = conv3x3(planes, planes, stride)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = conv1x1(planes, planes * self.expansion)
        self.bn3 = nn.BatchNorm2d(planes * self.expansion)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample

    def forward(self, x: FakeTensor) -> FakeTensor:
        """The three convs, then the residual and a ReLU."""
        identity = x
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        if self.downsample is not None:
            identity = self.downsample(x)
        return self.relu(out + identity)  # type: ignore[no-any-return]


class ResNet(nn.Module):
    """Images ``[B, 3, H, W]`` -> logits ``[B, num_classes]``."""

    def __init__(self, config: ResNetConfig) -> None:
        super().__init__()
        self.config = config
        block = BasicBlock if config.block == "basic" else Bottleneck
        self.inplanes = 64
        self.conv1 = nn.Conv2d(config.in_channels, 64, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(block, 64, config.layers[0])
        self.layer2 = self._make_layer(block, 128, config.layers[1], stride=2)
        self.layer3 = self._make_layer(block, 256, config.layers[2], stride=2)
        self.layer4 = self._make_layer(block, 512, config.layers[3], stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(512 * block.expansion, config.num_classes)

    def _make_layer(
        self, block: type[BasicBlock | Bottleneck], planes: int, blocks: int, stride: int = 1
    ) -> nn.Sequential:
        downsample = None
        if stride != 1 or self.inplanes != planes * block.expansion:
            downsample = nn.Sequential(
                conv1x1(self.inplanes, planes * block.expansion, stride), nn.BatchNorm2d(planes * block.expansion)
            )
        layers: list[nn.Module] = [block(self.inplanes, planes, stride, downsample)]
        self.inplanes = planes * block.expansion
        layers.extend(block(self.inplanes, planes) for _ in range(1, blocks))
        return nn.Sequential(*layers)

    def forward(self, x: FakeTensor) -> FakeTensor:
        """Stem, four stages, pool, classify."""
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer1(x)
        x = self.layer2(x)
        x = self.layer3(x)
        x = self.layer4(x)
        x = ops.flatten(self.avgpool(x), 1)
        return self.fc(x)  # type: ignore[no-any-return]


def build(config: ResNetConfig) -> ResNet:
    """The model for ``config``, in eval mode (BatchNorm uses its running statistics)."""
    model = ResNet(config)
    model.eval()
    return model


def inputs(config: ResNetConfig, hints: Mapping[str, int]) -> tuple[FakeTensor, ...]:
    """``x``: float32 ``[batch, 3, height, width]``."""
    h, w = hints.get("height", DIMS["height"]), hints.get("width", DIMS["width"])
    return (make((hints.get("batch", DIMS["batch"]), config.in_channels, h, w), dtypes.float32),)


def dynamic(config: ResNetConfig) -> Mapping[str, Mapping[int, str]]:
    """``x`` dims 0, 2, 3 are ``batch``, ``height``, ``width``."""
    return {"x": {0: "batch", 2: "height", 3: "width"}}
