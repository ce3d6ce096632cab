"""The collected tests as PractiTest tests: what ``practitest sync`` makes PractiTest hold.

Runs inside ``pytest --collect-only`` (the plugin loaded, reporting off) and writes
one JSON file: a definition per PractiTest test (the fields of
``sync.definition.TestDefinition``, which reads it back) and the problems found.

- name: where results go, by the rule reporting uses (``target_of``);
- description: the test function's docstring;
- tags: the test's markers (pytest's own left out) and ``practitest(tags=[...])``;
- Automation Info: the file, the node id, and the repository URL when git knows one;
- requirements: ``practitest(requirements=["REQ-12", ...])``, by display id;
- steps: ``practitest(steps=["Open a product", {"name": ..., "expected": ...}])``.

Several collected tests that report to one PractiTest test (a glob in the mapping
file, a parametrized test under a ``name=`` marker) are one definition: the first
test's docstring and steps, every test's tags and requirements.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest

from ..errors import ConfigError
from ..mapping import MappingFile, base_node_id
from ..model import Target
from ..options import OPTIONS
from ..settings import resolve
from ..spool.redact import Redactor
from .paths import mapping_path
from .target import target_of

#: pytest's own markers say how a test runs, not what it is about: never tags
PYTEST_MARKERS = frozenset(
    {"parametrize", "skip", "skipif", "xfail", "usefixtures", "filterwarnings", "practitest"}
)
STEP_KEYS = ("name", "description", "expected")


def _target(
    item: pytest.Item, mapping: MappingFile | None, parametrized: str, mask: Callable[[str], str]
) -> Target:
    """The one place sync asks where an item's result goes (the rule reporting uses, a
    secret in the name masked as reporting masks it)."""
    return target_of(item, mapping, parametrized, mask)


def sync_values(item: pytest.Item, key: str) -> list[Any] | None:
    """Every ``practitest(<key>=[...])`` value on the item, closest first; None if none."""
    found: list[Any] | None = None
    for marker in item.iter_markers("practitest"):
        if key in marker.kwargs:
            value = marker.kwargs[key]
            if not isinstance(value, (list, tuple)):
                raise ConfigError(f"{item.nodeid}: practitest({key}=...) must be a list")
            found = [*(found or []), *value]
    return found


def tags_of(item: pytest.Item) -> list[str]:
    names = [m.name for m in item.iter_markers() if m.name not in PYTEST_MARKERS]
    names += [str(tag) for tag in sync_values(item, "tags") or []]
    return sorted(set(names))


def steps_of(item: pytest.Item) -> list[list[str | None]] | None:
    declared = sync_values(item, "steps")
    if declared is None:
        return None
    steps: list[list[str | None]] = []
    for index, step in enumerate(declared, start=1):
        if isinstance(step, str) and step.strip():
            steps.append([step, None, None])
        elif isinstance(step, dict) and isinstance(step.get("name"), str) and step["name"].strip():
            unknown = sorted(set(step) - set(STEP_KEYS))
            if unknown:
                raise ConfigError(
                    f"{item.nodeid}: step {index}: unknown key {unknown[0]!r}; "
                    "expected name, description, expected"
                )
            steps.append([step["name"], step.get("description"), step.get("expected")])
        else:
            raise ConfigError(
                f"{item.nodeid}: step {index} must be a name or "
                "{'name': ..., 'description': ..., 'expected': ...}"
            )
    return steps


def description_of(item: pytest.Item) -> str | None:
    function = getattr(item, "function", None)
    doc = inspect.getdoc(function) if function is not None else None
    return doc.strip() or None if doc else None


def definition_of(
    item: pytest.Item,
    mapping: MappingFile | None,
    parametrized: str,
    repository: str | None,
    mask: Callable[[str], str] = str,
) -> dict[str, Any]:
    """What ``item`` declares; ``mask`` is applied to what PractiTest gets of its node id."""
    per_function = parametrized == "function" and getattr(item, "callspec", None) is not None
    key = base_node_id(item.nodeid) if per_function else item.nodeid
    target = _target(item, mapping, parametrized, mask)
    automation = {"script_path": item.nodeid.split("::", 1)[0], "script_name": mask(key)}
    if repository:
        automation["script_repository"] = repository
    requirements = sync_values(item, "requirements")
    return {
        "key": key,
        "target": target.to_json(),
        "node_ids": [item.nodeid],
        "description": description_of(item),
        "tags": tags_of(item),
        "automation": automation,
        "requirements": None if requirements is None else [str(r) for r in requirements],
        "steps": steps_of(item),
        "default_target": target == Target(name=key),
    }


def merged(definitions: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """One definition per target, in collection order."""
    by_target: dict[str, dict[str, Any]] = {}
    for definition in definitions:
        # One test, whatever instance hint each entry gives for it (Target equality).
        named = {k: v for k, v in definition["target"].items() if k != "instance"}
        target = json.dumps(named, sort_keys=True)
        first = by_target.setdefault(target, definition)
        if first is definition:
            continue
        first["node_ids"].append(definition["node_ids"][0])
        first["tags"] = sorted({*first["tags"], *definition["tags"]})
        if definition["requirements"] is not None:
            first["requirements"] = list(
                dict.fromkeys([*(first["requirements"] or []), *definition["requirements"]])
            )
    return list(by_target.values())


class DefinitionWriter:
    """Registered by ``practitest sync``'s collection: writes the definitions to ``path``."""

    def __init__(self, path: str) -> None:
        self.path = Path(path)

    @pytest.hookimpl(trylast=True)
    def pytest_collection_finish(self, session: pytest.Session) -> None:
        config = session.config
        problems: list[str] = []
        parametrized, mapping, map_file = "instance", None, None
        mask: Callable[[str], str] = str
        try:
            settings = resolve(
                {option.dest: config.getoption(option.dest) for option in OPTIONS},
                lambda name: config.getini(name),
                token_env=config.getini("practitest_token_env") or None,
            )
            parametrized = settings.parametrized
            mask = Redactor.for_settings(settings).text
            map_file = mapping_path(config, settings)
            # A file named but not there yet is the one sync is about to write.
            if map_file is not None and map_file.exists():
                mapping = MappingFile.load(map_file)
        except ConfigError as error:
            problems.append(str(error))
        definitions = []
        repository = repository_url(config.rootpath)
        for item in session.items:
            try:
                definitions.append(definition_of(item, mapping, parametrized, repository, mask))
            except ConfigError as error:
                problems.append(str(error))
        self.path.write_text(
            json.dumps(
                {
                    "rootdir": str(config.rootpath),
                    "map_file": str(map_file) if map_file is not None else None,
                    "definitions": merged(definitions),
                    "problems": problems,
                }
            ),
            encoding="utf-8",
        )


def repository_url(cwd: Path) -> str | None:
    """The URL of git's ``origin`` remote, without any user or token in it; None if none."""
    import subprocess
    from urllib.parse import urlsplit, urlunsplit

    try:
        found = subprocess.run(
            ["git", "config", "--get", "remote.origin.url"],  # noqa: S607 - git from PATH
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    url = found.stdout.strip()
    if found.returncode != 0 or not url:
        return None
    parts = urlsplit(url)
    if parts.scheme and "@" in parts.netloc:  # https://user:token@host/...: never sent
        parts = parts._replace(netloc=parts.netloc.rsplit("@", 1)[1])
        url = urlunsplit(parts)
    return url
