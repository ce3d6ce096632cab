"""The ``practitest`` command.

Exit codes: 0 success; 1 something was not delivered (commands that upload);
2 usage or input error.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from . import __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="practitest", description="Report test results to PractiTest, or simulate its API."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    from .simulator import cli as sim_cli

    sim = commands.add_parser(
        "sim",
        help="run the local PractiTest API v2 simulator",
        description="Run the local PractiTest API v2 simulator until Ctrl-C.",
    )
    sim_cli.add_arguments(sim)
    sim.set_defaults(run=sim_cli.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
