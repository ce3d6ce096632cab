"""Spool lines checked as they are read: a bad line is named and left out, never a traceback.

A spool may come from elsewhere (a bundle from a CI job), so every line is
input: a record line that lacks a member, has one of the wrong type or names a
status PractiTest does not have rejects that record only (``Spool.open`` names
the file, the line and why); the rest of the spool is read on.
"""

from __future__ import annotations

import binascii
import json
import re
from collections.abc import Mapping
from typing import Any

from ..model import FileRef, InstanceHint, RunRecord, Status, StepRecord, Target

#: a key as the plugin and the importer make it; it ends every run's output (``[pt KEY]``)
KEY = re.compile(r"[0-9A-Za-z_-]{1,40}")
_STATUSES = ", ".join(s.value for s in Status)


class BadLine(ValueError):
    """A spool line that is left out; its text says why."""


def _text(data: Mapping[str, Any], name: str, *, optional: bool = True) -> str | None:
    value = data.get(name)
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise BadLine(f"{name!r} is not text" if name in data else f"no {name!r}")
    return value


def _int(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadLine(f"{what} is not a whole number")
    return value


def status(value: Any) -> Status:
    try:
        return Status(value)
    except (ValueError, TypeError):
        raise BadLine(f"status {value!r} is not one of {_STATUSES}") from None


def key(value: Any) -> str:
    if value is None:
        raise BadLine("no 'key'")
    if not isinstance(value, str) or not KEY.fullmatch(value):
        raise BadLine(f"key {value!r} is not 1 to 40 letters, digits, '-' or '_'")
    return value


def _list(data: Mapping[str, Any], name: str) -> list[Any]:
    value = data.get(name, [])
    if not isinstance(value, list):
        raise BadLine(f"{name!r} is not a list")
    return value


def _object(value: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise BadLine(f"{what} is not an object")
    return value


def file_ref(value: Any) -> FileRef:
    data = _object(value, "a file")
    name = _text(data, "name", optional=False)
    assert name is not None
    if ("path" in data) == ("data" in data):
        raise BadLine(f"file {name!r} needs exactly one of 'path' and 'data'")
    if "path" in data:
        path = _text(data, "path", optional=False)
        if not path or "\0" in path:
            raise BadLine(f"file {name!r} has an empty path or a NUL in it")
        return FileRef(name, path=path)
    try:
        return FileRef.from_json(data)
    except (binascii.Error, TypeError, ValueError):
        raise BadLine(f"file {name!r}: its data is not base64") from None


def target(value: Any) -> Target:
    data = _object(value, "the target")
    if "instance" in data and "test_id" in data and len(data) == 2:
        # ``practitest sync``'s hint: the test's instance in one set (model.InstanceHint)
        hint = _object(data["instance"], "the target's instance")
        if set(hint) != {"set", "id"}:
            raise BadLine("the target's instance names not exactly 'set' and 'id'")
        found = InstanceHint(_int(hint["set"], "its set"), _int(hint["id"], "its id"))
        return Target(test_id=_int(data["test_id"], "the target's test_id"), hint=found)
    if len(data) != 1:
        raise BadLine("the target names not exactly one of instance_id, test_id, display_id, name")
    [(kind, given)] = data.items()
    if kind == "name":
        if not isinstance(given, str) or not given:
            raise BadLine("the target's name is not text")
        return Target(name=given)
    if kind not in ("instance_id", "test_id", "display_id"):
        raise BadLine(f"the target has an unknown member {kind!r}")
    number = _int(given, f"the target's {kind}")
    if kind == "instance_id":
        return Target(instance_id=number)
    return Target(test_id=number) if kind == "test_id" else Target(display_id=number)


def step(value: Any) -> StepRecord:
    data = _object(value, "a step")
    name = _text(data, "name", optional=False)
    assert name is not None
    return StepRecord(
        name=name,
        status=status(data.get("status")),
        description=_text(data, "description"),
        expected=_text(data, "expected"),
        actual=_text(data, "actual"),
        files=tuple(file_ref(f) for f in _list(data, "files")),
    )


def record(value: Any) -> RunRecord:
    """The RunRecord a spool's ``record`` member holds; BadLine saying what is wrong."""
    data = _object(value, "the record")
    duration = data.get("duration", 0.0)
    if isinstance(duration, bool) or not isinstance(duration, (int, float)) or duration < 0:
        raise BadLine("'duration' is not a number of seconds")
    fields = data.get("custom_fields", {})
    if not isinstance(fields, dict) or not all(
        isinstance(v, (str, int, float, list)) and not isinstance(v, bool) for v in fields.values()
    ):
        raise BadLine("'custom_fields' is not an object of texts, numbers or lists")
    tester = data.get("tester_id")
    return RunRecord(
        key=key(data.get("key")),
        label=_text(data, "label") or "",
        target=target(data.get("target")),
        status=status(data.get("status")),
        duration=float(duration),
        output=_text(data, "output") or "",
        steps=tuple(step(s) for s in _list(data, "steps")),
        files=tuple(file_ref(f) for f in _list(data, "files")),
        custom_fields=dict(fields),
        version=_text(data, "version"),
        tester_id=None if tester is None else _int(tester, "'tester_id'"),
    )


def keys(value: Any) -> list[str]:
    """The keys of an ``attempt`` or ``unsent`` line."""
    if not isinstance(value, list):
        raise BadLine("'keys' is not a list")
    return [key(k) for k in value]


def run_id(value: Any) -> int:
    return _int(value, "'run_id'")


def reason(value: Any) -> str:
    if not isinstance(value, str):
        raise BadLine("'reason' is not text")
    return value


def moment(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise BadLine("'at' is not a time")
    return float(value)


def meta(line: str | bytes, types: Mapping[str, str], version: int) -> dict[str, Any]:
    """The members of a spool's first line, each of the type ``types`` names for it.

    BadLine when it is not a meta line of format ``version`` (the whole spool is skipped).
    """
    try:
        data = json.loads(line)
    except json.JSONDecodeError:
        data = None
    if not isinstance(data, dict) or data.get("type") != "meta":
        raise BadLine("not a pytest-practitest spool (no meta line)")
    members = dict(data)
    if members.pop("format", None) != version:
        raise BadLine(f"spool format is not {version}")
    members.pop("type")
    for name, value in members.items():
        if name not in types:
            raise BadLine(f"bad meta line (unknown member {name!r})")
        if not _fits(value, types[name]):
            raise BadLine(f"bad meta line ({name} is {value!r})")
    return members


def _fits(value: Any, kind: str) -> bool:
    """Whether a meta value has the type its field names (``int | None``, ``bool``...)."""
    if value is None:
        return "None" in kind
    if kind.startswith("bool"):
        return isinstance(value, bool)
    if kind.startswith("int"):
        return isinstance(value, int) and not isinstance(value, bool)
    if kind.startswith("str"):
        return isinstance(value, str)
    return True  # a kind this check does not know: the dataclass takes it as it is
