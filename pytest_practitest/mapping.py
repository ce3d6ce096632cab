"""Where a test's result goes: the hook, then markers, then the mapping file, then its node id.

The mapping file is TOML, keyed by node id; ``*`` and ``?`` are wildcards
(``[`` is literal, so parametrized ids need no escaping). An exact node id beats any
glob, wherever it is in the file; among globs, the first that matches wins::

    [tests]
    "tests/test_cart.py::test_add_item" = { instance_id = 300000 }
    "tests/test_login.py::*" = { test_id = 80006 }
    "tests/test_cart.py::test_remove" = { test_id = 80001, instance = { set = 20000, id = 300001 } }
    "tests/test_price.py::test_format[EUR]" = { name = "Catalog: price formatting" }
    "tests/test_pay.py::test_card" = { display_id = 3, fields = { Browser = "Chrome" } }

``instance`` (written by ``practitest sync``) is the test's instance in one set: a run
into that set posts to it without listing the set; into any other set it is ignored.
A test nothing maps goes to the instance whose test is named after its node
id (found or created with create-missing).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .model import InstanceHint, Target

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - pytest itself depends on tomli on 3.10
    import tomli as tomllib

KEYS = ("instance_id", "test_id", "display_id", "name")
#: read without an option: by the plugin at the rootdir, by import-junit in the current folder
DEFAULT_MAP = "practitest.toml"
MARKER_FORM = (
    "practitest(instance_id=ID | test_id=ID | display_id=N | name='...', fields={...}, "
    "tags=[...], requirements=[...], steps=[...])"
)
#: marker keys that describe the test for `practitest sync`; they choose no target
SYNC_KEYS = ("tags", "requirements", "steps")


def target_kwargs(kwargs: Mapping[str, Any]) -> dict[str, Any]:
    """A marker's keys that choose where results go (without the ones sync reads)."""
    return {key: value for key, value in kwargs.items() if key not in SYNC_KEYS}


@dataclass(frozen=True, slots=True)
class Mapped:
    """A target plus the custom fields that go with it, and where it came from."""

    target: Target
    fields: Mapping[str, Any] = field(default_factory=dict)
    source: str = "default"

    def to_json(self) -> dict[str, Any]:
        return {"target": self.target.to_json(), "fields": dict(self.fields), "source": self.source}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Mapped:
        return cls(
            Target.from_json(data["target"]), dict(data.get("fields", {})), data.get("source", "")
        )


def parse_entry(value: Any, where: str, form: str, *, hint: bool = False) -> Mapped:
    """One mapping (a marker's kwargs or a file entry) → Mapped; ConfigError naming ``where``.

    ``hint``: a file entry may give a test id's instance in one set (``instance = { set =
    S, id = I }``, as ``practitest sync`` writes it).
    """
    if not isinstance(value, Mapping):
        raise ConfigError(f"{where}: expected {form}")
    unknown = sorted(set(value) - {*KEYS, "fields", *(("instance",) if hint else ())})
    if unknown:
        raise ConfigError(f"{where}: unknown key {unknown[0]!r}; expected {form}")
    if value.get("instance") is not None and value.get("test_id") is None:
        raise ConfigError(f"{where}: instance = {{ set = S, id = I }} goes with test_id")
    given = [key for key in KEYS if value.get(key) is not None]
    if len(given) != 1:
        raise ConfigError(f"{where}: give exactly one of {', '.join(KEYS)}; expected {form}")
    key = given[0]
    raw = value[key]
    if key == "name":
        if not isinstance(raw, str) or not raw.strip():
            raise ConfigError(f"{where}: name must be a non-empty string")
    elif isinstance(raw, bool) or not isinstance(raw, int) or raw < 1:
        raise ConfigError(f"{where}: {key} must be a positive integer, got {raw!r}")
    fields = value.get("fields") or {}
    if not isinstance(fields, Mapping):
        raise ConfigError(f"{where}: fields must be a table of NAME = VALUE")
    if value.get("instance") is not None:
        return Mapped(Target(test_id=raw, hint=_hint(value, where)), dict(fields))
    return Mapped(Target(**{key: raw}), dict(fields))


def _hint(value: Mapping[str, Any], where: str) -> InstanceHint:
    """An entry's ``instance = { set = S, id = I }``: only with a test id."""
    hint = value["instance"]
    numbers = [hint.get(k) for k in ("set", "id")] if isinstance(hint, Mapping) else []
    if (
        not isinstance(hint, Mapping)
        or set(hint) != {"set", "id"}
        or any(isinstance(n, bool) or not isinstance(n, int) or n < 1 for n in numbers)
    ):
        raise ConfigError(
            f"{where}: instance must be {{ set = S, id = I }} (positive integers), got {hint!r}"
        )
    return InstanceHint(int(hint["set"]), int(hint["id"]))


def _pattern(key: str) -> re.Pattern[str] | None:
    if "*" not in key and "?" not in key:
        return None
    return re.compile("^" + re.escape(key).replace(r"\*", ".*").replace(r"\?", ".") + "$")


@dataclass
class MappingFile:
    """A loaded, validated mapping file."""

    path: Path
    exact: dict[str, Mapped] = field(default_factory=dict)
    patterns: list[tuple[str, re.Pattern[str], Mapped]] = field(default_factory=list)

    @classmethod
    def load(cls, path: Path) -> MappingFile:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(
                f"{path}: cannot read the mapping file ({exc.strerror or exc})"
            ) from None
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            found = re.search(r"\(at line (\d+), column \d+\)", str(exc))
            line = found.group(1) if found else "?"
            message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
            raise ConfigError(f"{path}:{line}: {message}") from None
        unknown = sorted(set(data) - {"tests"})
        if unknown:
            raise ConfigError(
                f"{path}:{_line_of(text, unknown[0])}: unknown section {unknown[0]!r}; "
                "put entries under [tests]"
            )
        mapping = cls(path)
        tests = data.get("tests", {})
        if not isinstance(tests, dict):
            raise ConfigError(f"{path}: [tests] must be a table of node id = {{ ... }}")
        form = (
            '"node id" = { instance_id = N } (or test_id, display_id, name; '
            "optional fields = { ... })"
        )
        for key, value in tests.items():
            mapped = parse_entry(value, f"{path}:{_line_of(text, key)}: {key!r}", form, hint=True)
            mapped = Mapped(mapped.target, mapped.fields, f"{path.name}:{_line_of(text, key)}")
            pattern = _pattern(key)
            if pattern is None:
                mapping.exact[key] = mapped
            else:
                mapping.patterns.append((key, pattern, mapped))
        return mapping

    def targets(self) -> list[Target]:
        """Every entry's target (exact node ids first, then globs)."""
        return [m.target for m in [*self.exact.values(), *(m for _, _, m in self.patterns)]]

    def lookup(self, node_id: str) -> Mapped | None:
        if node_id in self.exact:
            return self.exact[node_id]
        for _, pattern, mapped in self.patterns:
            if pattern.match(node_id):
                return mapped
        return None

    def problems(self, node_ids: Iterable[str]) -> list[str]:
        """Entries matching none of ``node_ids`` (in collected files); tests matched twice.

        An exact node id beats any glob; among globs the first in the file wins. An entry
        whose file part names no collected file (a run of part of the suite) is not
        reported; for a glob, its file part is matched as a glob too.
        """
        ids = list(node_ids)
        files = {node_id.split("::", 1)[0] for node_id in ids}
        found = []
        for key in [*self.exact, *(k for k, _, _ in self.patterns)]:
            pattern = _pattern(key)
            file_part = key.split("::", 1)[0]
            file_pattern = _pattern(file_part)
            collected = (
                any(file_pattern.match(f) for f in files) if file_pattern else file_part in files
            )
            if collected and not any((pattern.match(i) if pattern else i == key) for i in ids):
                found.append(f"{self.path}: {key!r} matches no collected test")
        for node_id in ids:
            hits = ([node_id] if node_id in self.exact else []) + [
                k for k, p, _ in self.patterns if p.match(node_id)
            ]
            if len(hits) > 1:
                rule = (
                    "an exact node id beats a glob"
                    if node_id in self.exact
                    else "the first glob in the file wins"
                )
                found.append(
                    f"{self.path}: {node_id} matches {len(hits)} entries "
                    f"({', '.join(repr(h) for h in hits)}); {hits[0]!r} is used ({rule})"
                )
        return found


def _line_of(text: str, key: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith((f'"{key}"', f"'{key}'", f"{key} ", f"{key}=", f"[{key}]")):
            return number
    return 0


def base_node_id(node_id: str) -> str:
    """The node id without its parameter part: ``test_x[1-2]`` → ``test_x``."""
    return node_id.split("[", 1)[0] if node_id.endswith("]") else node_id


#: the ``<property>`` names import-junit reads a target from (``junit/convert.py``), and the
#: plugin writes into pytest's ``--junitxml`` for a marker or hook (``collect/worker.py``)
JUNIT_PROPERTIES = {
    "instance_id": "practitest_instance_id",
    "test_id": "practitest_test_id",
    "display_id": "practitest_display_id",
    "name": "practitest_name",
}


def junit_property(target: Target) -> tuple[str, str]:
    """``target`` as a property of pytest's ``--junitxml``, as import-junit reads it (an
    instance hint is left out: a marker or the hook gives none, and the test id decides)."""
    key, value = next(iter(target.to_json().items()))
    return JUNIT_PROPERTIES[key], str(value)
