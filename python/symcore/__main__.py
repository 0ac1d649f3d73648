"""``symcore`` console script and ``python -m symcore``.

Today it has one command, ``demo`` (the default): a short tour of symbolic arithmetic and guards.
"""

from __future__ import annotations

import argparse
import os
import sys


def main(argv: list[str] | None = None) -> int:
    """Runs the command line; returns the process exit code."""
    parser = argparse.ArgumentParser(prog="symcore", description="Symbolic shapes on a Rust expression engine.")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("demo", help="a short tour of symbolic arithmetic and guards (the default)")
    args = parser.parse_args(argv)
    if args.command in (None, "demo"):
        from symcore.demo import run

        try:
            run(sys.stdout)
            sys.stdout.flush()
        except BrokenPipeError:  # `symcore | head`: the reader left; that is not an error
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        return 0
    parser.error(f"unknown command {args.command!r}")
    return 2


if __name__ == "__main__":
    sys.exit(main())
