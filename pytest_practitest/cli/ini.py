"""The pytest ini file the commands read, found as pytest finds it, without importing pytest.

``practitest check`` (or ``map``, ``show``, ``upload``...) run in a project read the
same ``practitest_*`` settings as ``pytest --practitest`` there: walking up from the
current folder, the first folder that holds one of these files, in pytest's order
within a folder, is the one:

- ``pytest.toml`` or ``.pytest.toml`` (its ``[pytest]`` table; pytest 9),
- ``pytest.ini`` or ``.pytest.ini`` (even without a ``[pytest]`` section, as pytest does),
- ``pyproject.toml`` with a ``[tool.pytest.ini_options]`` (or pytest 9's ``[tool.pytest]``) table,
- ``tox.ini`` with a ``[pytest]`` section,
- ``setup.cfg`` with a ``[tool:pytest]`` section.

A path set there (``practitest_spool``, ``practitest_map``) is relative to the file's
folder, as pytest reads it (``collect/paths.py``). ``PYTEST_ADDOPTS``, ``-c`` and
``--rootdir`` are pytest's own and not read here.
"""

from __future__ import annotations

import configparser
import sys
from pathlib import Path
from typing import Any

from ..errors import ConfigError

INI_FILES = (
    "pytest.toml",
    ".pytest.toml",
    "pytest.ini",
    ".pytest.ini",
    "pyproject.toml",
    "tox.ini",
    "setup.cfg",
)
SECTIONS = {"pytest.ini": "pytest", ".pytest.ini": "pytest", "tox.ini": "pytest"}


class IniFile:
    """The ``practitest_*`` values of one ini file (or none: ``path`` is None)."""

    def __init__(self, path: Path | None = None, values: dict[str, Any] | None = None) -> None:
        self.path = path
        self.values = values or {}

    @property
    def folder(self) -> Path:
        """Where a relative path set in the file starts: its folder (or the current one)."""
        return self.path.parent if self.path is not None else Path.cwd()

    def get(self, name: str) -> Any:
        value = self.values.get(name)
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (int, float)):
            return str(value)
        if isinstance(value, str) and name == "practitest_fields":
            return [line for line in value.splitlines() if line.strip()] or None
        return value


def find(start: Path | None = None) -> IniFile:
    """The ini file pytest would use when started in ``start`` (default: the current folder).

    Raises ConfigError (one line) when that file cannot be read.
    """
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        for name in INI_FILES:
            path = folder / name
            if path.is_file():
                values = _read(path)
                if values is not None:
                    return IniFile(path, values)
    return IniFile()


def _toml(path: Path) -> dict[str, Any] | None:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - older interpreters
        import tomli as tomllib
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    if path.name != "pyproject.toml":  # pytest.toml: always the file, even when empty
        table = data.get("pytest")
        return dict(table) if isinstance(table, dict) else {}
    tool = data.get("tool", {}).get("pytest")
    if not isinstance(tool, dict):
        return None
    ini_options = tool.get("ini_options")
    native = {key: value for key, value in tool.items() if key != "ini_options"}
    if isinstance(ini_options, dict):
        return {**dict(ini_options), **native}
    return native


def _read(path: Path) -> dict[str, Any] | None:
    """The file's pytest settings; None when it has no pytest section (not the ini file)."""
    try:
        if path.suffix == ".toml":
            return _toml(path)
        parser = configparser.ConfigParser(interpolation=None)
        parser.read_string(path.read_text(encoding="utf-8"), source=str(path))
    except (OSError, UnicodeDecodeError, ValueError, configparser.Error) as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise ConfigError(f"{path}: cannot read it as pytest's ini file ({reason})") from None
    section = SECTIONS.get(path.name, "tool:pytest")
    if parser.has_section(section):
        return dict(parser.items(section))
    if path.name in ("pytest.ini", ".pytest.ini"):
        return {}  # pytest takes it even without the section
    return None
