"""``symcore demo``: a short tour of symbolic arithmetic and guards.

Newcomers run ``symcore demo`` (or ``python -m symcore demo``) and see what the engine does in a
few seconds: symbols with hints, canonical forms, exact Python semantics, and the guards a shape
computation relied on. (``symcore`` alone traces the model zoo: see :mod:`symcore.cli`.)
"""

from __future__ import annotations

import time
from typing import TextIO

from symcore import ShapeEnv, SymInt, sym_max


def conv_out(size: SymInt | int, kernel: int, stride: int, padding: int) -> SymInt | int:
    """Output length of a convolution, as every framework computes it."""
    return (size + 2 * padding - kernel) // stride + 1


def attention_blocks(seq: SymInt | int, block: int) -> SymInt | int:
    """Number of key blocks a blocked attention kernel visits; branches on the size."""
    if seq % block == 0:
        return seq // block
    return seq // block + 1


def run(out: TextIO) -> None:
    """Prints the tour to ``out``."""
    env = ShapeEnv()
    batch = env.symint("batch", hint=8, min=1)
    seq = env.symint("seq", hint=512, min=1)
    height = env.symint("height", hint=224, min=1)

    def show(label: str, value: object) -> None:
        out.write(f"  {label:<34} {value}\n")

    out.write("symcore demo: symbolic sizes with exact Python semantics\n\n")
    out.write("symbols\n")
    for name, (hint, lo, hi) in env.symbols.items():
        show(name, f"hint={hint} range=[{lo}, {'inf' if hi is None else hi}]")

    out.write("\ncanonical forms (equal polynomials are one expression)\n")
    show("(seq+1)*(seq+1) - seq*seq - 2*seq", (seq + 1) * (seq + 1) - seq * seq - 2 * seq)
    show("(4*seq + 3) // 4", (4 * seq + 3) // 4)
    show("(8*seq + batch) % 8", (8 * seq + batch) % 8)
    show("tokens = batch * seq", batch * seq)
    show("sym_max(seq, 128) + 0", sym_max(seq, 128) + 0)

    out.write("\nshape formulas\n")
    h1 = conv_out(height, kernel=7, stride=2, padding=3)
    h2 = conv_out(h1, kernel=3, stride=2, padding=1)
    show("resnet stem height", h2)
    show("  at the hint", h2.hint if isinstance(h2, SymInt) else h2)
    show("  at height=1000", env.evaluate(h2, {"height": 1000, "batch": 1, "seq": 1}))

    out.write("\nguards: facts a branch relied on, recorded with their source line\n")
    blocks = attention_blocks(seq, 128)
    show("attention blocks", blocks)
    for guard in env.guards:
        show(str(guard), f"({guard.origin.rsplit('/', 1)[-1] if guard.origin else '?'})")

    out.write("\nspeed\n")
    start = time.perf_counter()
    n = 20_000
    acc: SymInt | int = height
    for i in range(n):
        # A deep stack of convolutions with varying kernels and strides, like a sweep over
        # architectures would build.
        acc = conv_out(acc, kernel=1 + 2 * (i % 3), stride=1 + (i % 4 == 0), padding=i % 3)
    elapsed = time.perf_counter() - start
    show(f"{n} stacked conv_out formulas", f"{elapsed * 1e3:.1f} ms ({elapsed / n * 1e9:.0f} ns per layer)")
    out.write("\nnext: `python -m pytest` runs the test suite; benchmarks/ compares with sympy and symengine.\n")
