"""``symcore`` console script and ``python -m symcore``.

Today it has one command, ``demo`` (the default): a short tour of symbolic arithmetic and guards.
"""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    """Runs the command line; returns the process exit code."""
    parser = argparse.ArgumentParser(prog="symcore", description="Symbolic shapes on a Rust expression engine.")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("demo", help="a short tour of symbolic arithmetic and guards (the default)")
    args = parser.parse_args(argv)
    if args.command in (None, "demo"):
        from symcore.demo import run

        run(sys.stdout)
        return 0
    parser.error(f"unknown command {args.command!r}")
    return 2


if __name__ == "__main__":
    sys.exit(main())
