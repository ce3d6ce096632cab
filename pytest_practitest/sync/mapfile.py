"""The mapping file's instance hints: each test's instance in the synced set, in place.

``practitest sync`` knows, for every test id, its instance in the set it synced (an
instance belongs to one set for ever). It writes it into the entry that names the
test: ``{ test_id = 80000 }`` becomes ``{ test_id = 80000, instance = { set = 20001,
id = 300042 } }``, so a run into that set posts without listing it (``upload/testset``).
Only ``test_id`` entries change, one line each, checked by reading the line back:
a line this cannot rewrite exactly (an unusual layout) is left as it is, and
comments, order and hand-written entries survive.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - pytest itself depends on tomli on 3.10
    import tomli as tomllib

ENTRY = re.compile(r"\btest_id\s*=\s*(\d+)(\s*,\s*instance\s*=\s*\{[^{}]*\})?")


def hinted(test_id: int, set_id: int, instance_id: int) -> str:
    """An entry's value with its hint, as the mapping file holds it."""
    return f"{{ test_id = {test_id}, instance = {{ set = {set_id}, id = {instance_id} }} }}"


def write_hints(path: Path, set_id: int, instances: Mapping[int, int]) -> int:
    """Give each ``test_id`` entry of ``path`` its test's instance in ``set_id`` (``instances``:
    test id -> instance id); the number of entries changed."""
    if not path.is_file():
        return 0
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    changed = 0
    section = ""
    for number, line in enumerate(lines):
        if line.lstrip().startswith("["):
            section = line.strip()
        elif section == "[tests]" and "test_id" in line:
            new = _with_hint(line, set_id, instances)
            if new is not None:
                lines[number] = new
                changed += 1
    if changed:
        path.write_text("".join(lines), encoding="utf-8")
    return changed


def _with_hint(line: str, set_id: int, instances: Mapping[int, int]) -> str | None:
    """``line`` with its test's hint for ``set_id``; None: nothing to change (or unsure)."""
    entry = _entry(line)
    if entry is None:
        return None
    key, value = entry
    test_id = value.get("test_id")
    instance_id = instances.get(test_id) if isinstance(test_id, int) else None
    want = {"set": set_id, "id": instance_id}
    if instance_id is None or value.get("instance") == want:
        return None
    hint = f"instance = {{ set = {set_id}, id = {instance_id} }}"
    new = ENTRY.sub(lambda _: f"test_id = {test_id}, {hint}", line, count=1)
    return new if _entry(new) == (key, {**value, "instance": want}) else None


def _entry(line: str) -> tuple[str, dict[str, Any]] | None:
    try:
        parsed = tomllib.loads(line)
    except tomllib.TOMLDecodeError:
        return None
    if len(parsed) != 1:
        return None
    [(key, value)] = parsed.items()
    return (key, value) if isinstance(value, dict) and "test_id" in value else None
