"""The commands' flags are the plugin's options: ``--url`` for ``--practitest-url``.

One exception: the run version is ``--run-version`` in the commands, because
``practitest --version`` is the program's own version.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..options import BY_STEM

if TYPE_CHECKING:
    from ..settings import Settings

#: For commands that only read the test set (show, check, map): theirs is never created.
LOOKUP_ONLY = {
    "set-id": "the test set, by id",
    "set-name": "the test set by exact name (looked up, never created)",
}


def add_command_flags(
    parser: Any,
    stems: Sequence[str],
    default: str | None = None,
    helps: Mapping[str, str] | None = None,
    command: str = "pytest",
) -> None:
    """Add plugin options to a ``practitest`` command's parser: ``--url`` for ``--practitest-url``.

    The same setting, dest, help and environment variable, so the command resolves
    its flags with ``resolve`` exactly as the plugin does (``command_values``).
    ``default`` replaces the help's ``(default: ...)`` where the command has its own;
    ``helps`` replaces the help of some stems (``LOOKUP_ONLY``); ``command`` names the
    deadline's (``limits.DEADLINES``).
    """
    from ..limits import DEADLINES

    for stem in stems:
        option = BY_STEM[stem]
        how: dict[str, Any] = {"metavar": option.metavar or option.kind.upper()}
        if option.kind == "bool":  # None when absent: the environment may still say yes
            how = {"action": "store_true", "default": None}
        elif option.kind in ("fields", "values"):
            how["action"] = "append"
        text = option.described() if default is None else f"{option.help} (default: {default})"
        if helps and stem in helps:
            text = text.replace(option.help, helps[stem], 1)
        if stem == "deadline" and command in DEADLINES:
            seconds = f"{DEADLINES[command]:g}"
            text = f"seconds to finish delivering (default: {option.env}, else {seconds})"
        parser.add_argument(flag(stem), dest=option.dest, help=text, **how)


def flag(stem: str) -> str:
    """A command's flag for an option stem: ``--url``, ``--run-version``."""
    return "--run-version" if stem == "version" else f"--{stem}"


def command_values(args: Any, stems: Sequence[str]) -> dict[str, Any]:
    """What the command line gave for ``stems``, keyed as ``resolve`` expects."""
    return {BY_STEM[stem].dest: getattr(args, BY_STEM[stem].dest) for stem in stems}


def command_error(error: Exception, parser: Any) -> str:
    """A settings error in the command's words: ``--url`` for ``--practitest-url``, and no
    ``(or use --dry-run)`` where the command has no such flag."""
    text = str(error).replace("--practitest-", "--")
    actions = parser._actions if parser is not None else []
    known = {flag for action in actions for flag in action.option_strings}
    return re.sub(
        r" \(or use (--[a-z-]+)\)",
        lambda found: found.group(0) if found.group(1) in known else "",
        text,
    )


def command_settings(
    cli: Mapping[str, Any], command: str, env: Mapping[str, str] | None = None
) -> Settings:
    """A command's settings, in the plugin's one order: its flags (``cli``, keyed as
    ``command_values`` gives them), the environment, the pytest ini file of the folder
    it runs in (``ini.find``), the defaults (``command`` picks the deadline's).

    Paths set in the ini file are made relative to its folder, and default paths to
    that folder (pytest's rootdir), as the plugin reads them; those given on the
    command line or in the environment stay relative to the current folder.
    """
    from ..settings import resolve
    from .ini import find

    ini = find()
    settings = resolve(
        cli, ini.get, env, token_env=ini.get("practitest_token_env") or None, command=command
    )
    settings = in_command_words(settings)
    anchored: dict[str, Any] = {}
    for key in ("spool", "map"):
        value: Path | None = getattr(settings, key)
        source = settings.sources.get(key, "")
        if value is not None and ini.path is not None and (source.startswith("ini ") or not source):
            anchored[key] = ini.folder / value
    return settings._replace(**anchored) if anchored else settings


def in_command_words(settings: Settings) -> Settings:
    """``settings`` whose sources name the command's flags (``--set-id``, not the plugin's
    ``--practitest-set-id``), so a message that names a source names what was typed."""
    sources = {
        key: flag(source.removeprefix("--practitest-"))
        if source.startswith("--practitest-")
        else source
        for key, source in settings.sources.items()
    }
    return settings._replace(sources=sources)
