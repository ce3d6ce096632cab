"""The commands' flags are the plugin's options: ``--url`` for ``--practitest-url``.

One exception: the run version is ``--run-version`` in the commands, because
``practitest --version`` is the program's own version.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..options import BY_STEM


def add_command_flags(parser: Any, stems: Sequence[str], default: str | None = None) -> None:
    """Add plugin options to a ``practitest`` command's parser: ``--url`` for ``--practitest-url``.

    The same setting, dest, help and environment variable, so the command resolves
    its flags with ``resolve`` exactly as the plugin does (``command_values``).
    ``default`` replaces the help's ``(default: ...)`` where the command has its own.
    """
    for stem in stems:
        option = BY_STEM[stem]
        how: dict[str, Any] = {"metavar": option.metavar or option.kind.upper()}
        if option.kind == "bool":  # None when absent: the environment may still say yes
            how = {"action": "store_true", "default": None}
        elif option.kind in ("fields", "values"):
            how["action"] = "append"
        text = option.described() if default is None else f"{option.help} (default: {default})"
        parser.add_argument(flag(stem), dest=option.dest, help=text, **how)


def flag(stem: str) -> str:
    """A command's flag for an option stem: ``--url``, ``--run-version``."""
    return "--run-version" if stem == "version" else f"--{stem}"


def command_values(args: Any, stems: Sequence[str]) -> dict[str, Any]:
    """What the command line gave for ``stems``, keyed as ``resolve`` expects."""
    return {BY_STEM[stem].dest: getattr(args, BY_STEM[stem].dest) for stem in stems}
