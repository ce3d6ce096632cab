"""Where the plugin's path options point, and a rootdir they must not move.

The rule is pytest's own: a path typed on the command line or set in an environment
variable is relative to the folder pytest was started in; a path in the ini file is
relative to that file's folder; a default (the ``.practitest`` spool, the
``practitest.toml`` mapping file) is relative to the rootdir.

pytest chooses its rootdir and ini file before it loads plugins, from the arguments
that look like paths. In ``--practitest-spool DIR`` (the space form) it cannot know
that DIR belongs to an option, so an existing DIR outside the project moved the
rootdir: the project's ini settings were ignored and every node id changed.
``check_rootdir`` finds that case once the options are known and stops with the fix
(the ``=`` form), before a single test runs or a duplicate test is created.
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

import pytest

from ..mapping import DEFAULT_MAP
from ..options import OPTIONS
from ..settings import Settings

_VALUED = {option.cli for option in OPTIONS if option.kind != "bool"}


def anchored(config: pytest.Config, settings: Settings, key: str) -> Path | None:
    """``settings.<key>`` (a path) made absolute by where it was given."""
    value: Path | None = getattr(settings, key)
    if value is None:
        return None
    source = settings.sources.get(key, "")
    if source.startswith("ini "):
        base = config.inipath.parent if config.inipath is not None else config.rootpath
    elif source:
        base = config.invocation_params.dir
    else:
        base = config.rootpath
    return (base / value).resolve()


def mapping_path(config: pytest.Config, settings: Settings) -> Path | None:
    """The mapping file: the one given, else ``practitest.toml`` at the rootdir if it exists."""
    given = anchored(config, settings, "map")
    if given is not None:
        return given
    default = config.rootpath / DEFAULT_MAP
    return default if default.is_file() else None


def space_form_values(args: list[str]) -> list[tuple[str, str]]:
    """``(option, value)`` for each of our options given as ``--option VALUE``."""
    found = []
    for index, arg in enumerate(args[:-1]):
        if arg in _VALUED and not args[index + 1].startswith("-"):
            found.append((arg, args[index + 1]))
    return found


def check_rootdir(config: pytest.Config, args: list[str]) -> None:
    """Stop with the fix if a space-form path value moved pytest's rootdir or ini file."""
    here = config.invocation_params.dir
    taken = [
        (option, value) for option, value in space_form_values(args) if (here / value).exists()
    ]
    if not taken:
        return
    expected = _setup_without(config, [value for _, value in taken])
    if expected is not None and expected == (config.rootpath, config.inipath):
        return  # the value was read as a path but chose the same rootdir: no harm done
    option, value = taken[0]
    chosen = f"rootdir {config.rootpath}"
    if expected is not None:
        chosen += f" instead of {expected[0]}"
    raise pytest.UsageError(
        f"PractiTest: {option} {value}: pytest read {value} as a test path before the plugin "
        f"loaded and chose its {chosen}; write {option}={value}"
    )


def _setup_without(config: pytest.Config, values: list[str]) -> tuple[Path, Path | None] | None:
    """The (rootdir, ini file) pytest would have chosen had ``values`` not been paths."""
    try:
        from _pytest.config.findpaths import determine_setup

        known = config.known_args_namespace
        positional = [
            arg for arg in known.file_or_dir if arg not in values and not str(arg).startswith("-")
        ]
        candidates: dict[str, Any] = {
            "inifile": known.inifilename,
            "args": positional,
            "rootdir_cmd_arg": known.rootdir or None,
            "invocation_dir": config.invocation_params.dir,
            "override_ini": known.override_ini,
            "config": config,
        }
        accepted = inspect.signature(determine_setup).parameters
        found = determine_setup(**{k: v for k, v in candidates.items() if k in accepted})
        return Path(found[0]), (Path(found[1]) if found[1] is not None else None)
    except Exception:  # another pytest's internals: refuse, to be safe
        return None
