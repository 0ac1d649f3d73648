"""Tensor-layer benchmark: time to trace GPT-style decoders (2, 12, 48 layers) and a ResNet-50-style
conv net with symbolic batch and sequence (or H, W) dims.

Each row is the median of several complete runs of ``symcore.tensor.trace`` (model construction is
timed separately and excluded; the traced module is compiled, as ``trace`` always does). Nodes/s
counts the nodes of the final graph (after dead-code elimination). Peak memory is measured by
tracemalloc in a separate run, because tracing under tracemalloc is slower.

    python benchmarks/bench_tensor.py            # the table
    python benchmarks/bench_tensor.py --quick    # CI smoke run: one repeat, fewer layers
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
import tracemalloc

import symcore.nn as nn
import symcore.nn.functional as F
from symcore import ops
from symcore.tensor import empty, long, trace


class Attention(nn.Module):
    def __init__(self, d, h):
        super().__init__()
        self.c_attn = nn.Linear(d, 3 * d)
        self.c_proj = nn.Linear(d, d)
        self.h, self.d = h, d

    def forward(self, x):
        B, T, C = x.size()
        q, k, v = self.c_attn(x).split(self.d, dim=2)
        q = q.view(B, T, self.h, C // self.h).transpose(1, 2)
        k = k.view(B, T, self.h, C // self.h).transpose(1, 2)
        v = v.view(B, T, self.h, C // self.h).transpose(1, 2)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.c_proj(y.transpose(1, 2).contiguous().view(B, T, C))


class Block(nn.Module):
    def __init__(self, d, h):
        super().__init__()
        self.ln_1, self.attn = nn.LayerNorm(d), Attention(d, h)
        self.ln_2 = nn.LayerNorm(d)
        self.mlp = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(approximate="tanh"), nn.Linear(4 * d, d))

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class GPT(nn.Module):
    def __init__(self, layers, d=768, h=12, vocab=50257, ctx=1024):
        super().__init__()
        self.wte, self.wpe = nn.Embedding(vocab, d), nn.Embedding(ctx, d)
        self.h = nn.ModuleList([Block(d, h) for _ in range(layers)])
        self.ln_f = nn.LayerNorm(d)
        self.lm_head = nn.Linear(d, vocab, bias=False)

    def forward(self, idx):
        _, t = idx.size()
        x = self.wte(idx) + self.wpe(ops.arange(0, t, dtype=long))
        for block in self.h:
            x = block(x)
        return self.lm_head(self.ln_f(x))


class Bottleneck(nn.Module):
    def __init__(self, inp, planes, stride=1):
        super().__init__()
        self.conv1, self.bn1 = nn.Conv2d(inp, planes, 1, bias=False), nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride=stride, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3, self.bn3 = nn.Conv2d(planes, planes * 4, 1, bias=False), nn.BatchNorm2d(planes * 4)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = None
        if stride != 1 or inp != planes * 4:
            self.downsample = nn.Sequential(
                nn.Conv2d(inp, planes * 4, 1, stride=stride, bias=False), nn.BatchNorm2d(planes * 4)
            )

    def forward(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        return self.relu(out + (x if self.downsample is None else self.downsample(x)))


class ResNet50(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(
            nn.Conv2d(3, 64, 7, stride=2, padding=3, bias=False), nn.BatchNorm2d(64), nn.ReLU(),
            nn.MaxPool2d(3, stride=2, padding=1),
        )  # fmt: skip
        blocks, inp = [], 64
        for planes, n, stride in ((64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2)):
            for i in range(n):
                blocks.append(Bottleneck(inp, planes, stride if i == 0 else 1))
                inp = planes * 4
        self.blocks = nn.Sequential(*blocks)
        self.pool, self.fc = nn.AdaptiveAvgPool2d((1, 1)), nn.Linear(2048, 1000)

    def forward(self, x):
        return self.fc(ops.flatten(self.pool(self.blocks(self.stem(x))), 1))


def measure(name, make, inputs, dynamic, repeat=7):
    t0 = time.perf_counter()
    model = make()
    construct = time.perf_counter() - t0
    trace(model, *inputs, dynamic=dynamic)  # warm-up (first-call costs: imports, caches)
    times, nodes = [], 0
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        gm = trace(model, *inputs, dynamic=dynamic)
        times.append(time.perf_counter() - t0)
        nodes = len(gm.graph.nodes)
    tracemalloc.start()
    trace(model, *inputs, dynamic=dynamic)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    t = statistics.median(times)
    guards = len(gm.shape_env.produce_guards())
    print(
        f"| {name:<24} | {construct * 1e3:9.2f} | {t * 1e3:9.2f} | {min(times) * 1e3:8.2f} | {nodes:6d} | "
        f"{nodes / t:9.0f} | {peak / 2**20:8.2f} | {guards:6d} |"
    )
    return t


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one repeat, 2 and 12 layers only (smoke run)")
    args = parser.parse_args()
    repeat = 1 if args.quick else 7
    depths = (2, 12) if args.quick else (2, 12, 48)
    print("| model                    | build ms  | trace ms  |  min ms  | nodes  |  nodes/s  | peak MiB | guards |")
    print("|--------------------------|-----------|-----------|----------|--------|-----------|----------|--------|")
    ids = empty(4, 128, dtype=long)
    gpt_dyn = {"idx": {0: "batch", 1: "seq"}}
    per_layer = {}
    for layers in depths:
        make = lambda n=layers: GPT(n)  # noqa: E731
        per_layer[layers] = measure(f"GPT decoder, {layers} layers", make, (ids,), gpt_dyn, repeat)
    measure("ResNet-50 (N, H, W)", ResNet50, ((2, 3, 224, 224),), {"x": {0: "N", 2: "H", 3: "W"}}, repeat)
    early = (per_layer[12] - per_layer[2]) / 10
    text = f"\nper-layer trace cost: {early * 1e3:.2f} ms (2 -> 12 layers)"
    if 48 in per_layer:
        text += f", {(per_layer[48] - per_layer[12]) / 36 * 1e3:.2f} ms (12 -> 48 layers)"
    print(text)


if __name__ == "__main__":
    main()
