"""``symcore`` console script and ``python -m symcore``: see :mod:`symcore.cli`.

With no command it traces the whole model zoo (``symcore trace``); ``symcore demo`` is the tour of
symbolic arithmetic and guards; ``symcore list`` and ``symcore plot`` describe and chart the zoo.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the command line; returns the process exit code (see ``symcore.cli.EXIT_CODES``)."""
    from symcore.cli import main as cli_main

    return cli_main(argv)


if __name__ == "__main__":
    sys.exit(main())
