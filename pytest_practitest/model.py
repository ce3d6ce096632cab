"""Run records: what both entry points hand to the uploader. Plain data, no I/O."""

from __future__ import annotations

import base64
import itertools
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .settings import Settings


class Status(str, Enum):
    """PractiTest's step statuses (a run's status is derived from them)."""

    PASSED = "PASSED"
    FAILED = "FAILED"
    BLOCKED = "BLOCKED"
    NO_RUN = "NO RUN"
    NOT_APPLICABLE = "N/A"


def status_table(status_map: Mapping[str, str]) -> dict[str, Status]:
    """``outcomes.DEFAULT_STATUS_MAP`` (or the user's override) with Status members."""
    return {outcome: Status(value) for outcome, value in status_map.items()}


def run_status_of(statuses: Iterable[Status]) -> str:
    """The run status PractiTest derives from step statuses.

    Written independently of the simulator's copy on purpose: if the two
    disagreed, a test against the simulator would show it.
    """
    values = list(statuses)
    if Status.FAILED in values:
        return "FAILED"
    if Status.BLOCKED in values:
        return "BLOCKED"
    if all(v is Status.NO_RUN for v in values):
        return "NO RUN"
    if all(v is Status.NOT_APPLICABLE for v in values):
        return "N/A"
    if Status.NO_RUN in values:
        return "NOT COMPLETED"
    return "PASSED"


@dataclass(frozen=True, slots=True)
class Destination:
    """Where results go: the one type from collection through the spool to the upload.

    ``url`` None: not named (a deferred session given none; the publisher's applies).
    A test set is by id or by name, never both.
    """

    url: str | None = None
    project_id: int | None = None
    set_id: int | None = None
    set_name: str | None = None
    create_missing: bool = False
    author_id: int | None = None

    @classmethod
    def of(cls, settings: Settings, *, named_only: bool = False) -> Destination:
        """The settings' destination; ``named_only``: the URL only if it was given (a bundle)."""
        given = not named_only or "url" in settings.sources
        return cls(
            url=settings.url if given else None,
            project_id=settings.project_id or None,
            set_id=settings.set_id,
            set_name=settings.set_name if settings.set_id is None else None,
            create_missing=settings.create_missing,
            author_id=settings.author_id,
        )

    def test_set(self) -> str:
        """``test set 20000``, ``test set 'CI main'`` or ``no test set``."""
        if self.set_id is not None:
            return f"test set {self.set_id}"
        return f"test set {self.set_name!r}" if self.set_name else "no test set"


@dataclass(frozen=True, slots=True)
class FileRef:
    """A file to attach: a path on disk (read when its batch is built) or bytes."""

    name: str
    path: str | None = None
    data: bytes | None = None

    def __post_init__(self) -> None:
        if (self.path is None) == (self.data is None):
            raise ValueError("a FileRef needs exactly one of path or data")

    def to_json(self) -> dict[str, Any]:
        if self.path is not None:
            return {"name": self.name, "path": self.path}
        assert self.data is not None
        return {"name": self.name, "data": base64.b64encode(self.data).decode("ascii")}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FileRef:
        if "path" in data:
            return cls(data["name"], path=data["path"])
        return cls(data["name"], data=base64.b64decode(data["data"]))


@dataclass(frozen=True, slots=True)
class StepRecord:
    """One step run."""

    name: str
    status: Status = Status.PASSED
    description: str | None = None
    expected: str | None = None
    actual: str | None = None
    files: tuple[FileRef, ...] = ()

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"name": self.name, "status": self.status.value}
        for key in ("description", "expected", "actual"):
            if getattr(self, key) is not None:
                data[key] = getattr(self, key)
        if self.files:
            data["files"] = [f.to_json() for f in self.files]
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> StepRecord:
        return cls(
            name=data["name"],
            status=Status(data["status"]),
            description=data.get("description"),
            expected=data.get("expected"),
            actual=data.get("actual"),
            files=tuple(FileRef.from_json(f) for f in data.get("files", ())),
        )


@dataclass(frozen=True, slots=True)
class InstanceHint:
    """Test set ``set_id``'s instance of a test is ``instance_id`` (``practitest sync`` wrote it).

    An instance belongs to one set for ever, so this stays true until the instance is
    deleted: a session into that set needs no listing to place the test's results.
    """

    set_id: int
    instance_id: int

    def to_json(self) -> dict[str, int]:
        return {"set": self.set_id, "id": self.instance_id}


@dataclass(frozen=True, slots=True)
class Target:
    """Where a result goes: an instance id, or a test (by id, display id or name) in the set.

    ``hint``: with a test id, its instance in one set (``InstanceHint``); not part of
    equality, so a hinted target still finds its test wherever targets are compared.
    """

    instance_id: int | None = None
    test_id: int | None = None
    display_id: int | None = None
    name: str | None = None
    hint: InstanceHint | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        missing = (
            (self.instance_id is None)
            + (self.test_id is None)
            + (self.display_id is None)
            + (self.name is None)
        )
        if missing != 3:
            raise ValueError("a Target needs exactly one of instance_id, test_id, display_id, name")
        if self.hint is not None and self.test_id is None:
            raise ValueError("a Target's instance hint goes with a test id")

    def describe(self) -> str:
        if self.instance_id is not None:
            return f"instance {self.instance_id}"
        if self.test_id is not None:
            return f"test id {self.test_id}"
        if self.display_id is not None:
            return f"test display id {self.display_id}"
        return f"test {self.name!r}"

    def to_json(self) -> dict[str, Any]:
        if self.instance_id is not None:
            return {"instance_id": self.instance_id}
        if self.test_id is not None and self.hint is not None:
            return {"test_id": self.test_id, "instance": self.hint.to_json()}
        if self.test_id is not None:
            return {"test_id": self.test_id}
        if self.display_id is not None:
            return {"display_id": self.display_id}
        return {"name": self.name}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Target:
        hint = data.get("instance")
        if hint is None:
            return cls(**data)
        found = InstanceHint(int(hint["set"]), int(hint["id"]))
        return cls(**{k: v for k, v in data.items() if k != "instance"}, hint=found)


_KEY_PREFIX = uuid.uuid4().hex[:16]
_key_counter = itertools.count(1)


def new_key() -> str:
    """A key unique to this process's records (one random prefix, then a counter)."""
    return f"{_KEY_PREFIX}{next(_key_counter):08x}"


@dataclass(slots=True)
class RunRecord:
    """One result to deliver as one PractiTest run; changed only by ``replace`` (a copy).

    Not a frozen dataclass: frozen ``__init__`` sets each field through
    ``object.__setattr__`` and cost 2.3 µs more per record, 0.12 s of a
    50,000-testcase import (bench P5). Nothing hashes records, and nothing
    assigns to one.

    ``status`` is what the run must show. PASSED and FAILED without steps go as
    an exit code; any other status, or a status the steps alone would not
    produce, gets a final step that carries it (PractiTest derives a run's
    status from its steps).
    """

    target: Target
    status: Status
    label: str = ""
    key: str = field(default_factory=new_key)
    duration: float = 0.0
    output: str = ""
    steps: tuple[StepRecord, ...] = ()
    files: tuple[FileRef, ...] = ()
    custom_fields: Mapping[str, Any] = field(default_factory=dict)
    version: str | None = None
    tester_id: int | None = None

    def with_target(self, target: Target) -> RunRecord:
        return replace(self, target=target)

    def with_files(self, change: Callable[[FileRef], FileRef]) -> RunRecord:
        """The record with ``change`` applied to each of its files and its steps' files."""
        if not self.files and not any(step.files for step in self.steps):
            return self
        return replace(
            self,
            files=tuple(change(f) for f in self.files),
            steps=tuple(
                replace(s, files=tuple(change(f) for f in s.files)) if s.files else s
                for s in self.steps
            ),
        )

    def all_files(self) -> tuple[FileRef, ...]:
        """The run's files, then its steps' files, in that order."""
        if not self.steps:
            return self.files
        return (*self.files, *(f for step in self.steps for f in step.files))

    def to_json(self) -> dict[str, Any]:
        """JSON for the spool; empty and default members are left out (one line per test)."""
        data: dict[str, Any] = {
            "key": self.key,
            "label": self.label,
            "target": self.target.to_json(),
            "status": self.status.value,
        }
        if self.duration:
            data["duration"] = self.duration
        if self.output:
            data["output"] = self.output
        if self.steps:
            data["steps"] = [s.to_json() for s in self.steps]
        if self.files:
            data["files"] = [f.to_json() for f in self.files]
        if self.custom_fields:
            data["custom_fields"] = dict(self.custom_fields)
        if self.version is not None:
            data["version"] = self.version
        if self.tester_id is not None:
            data["tester_id"] = self.tester_id
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RunRecord:
        return cls(
            key=data["key"],
            label=data.get("label", ""),
            target=Target.from_json(data["target"]),
            status=Status(data["status"]),
            duration=float(data.get("duration", 0.0)),
            output=data.get("output", ""),
            steps=tuple(StepRecord.from_json(s) for s in data.get("steps", ())),
            files=tuple(FileRef.from_json(f) for f in data.get("files", ())),
            custom_fields=dict(data.get("custom_fields", {})),
            version=data.get("version"),
            tester_id=data.get("tester_id"),
        )


def hhmmss(seconds: float) -> str:
    """A duration as PractiTest's HH:MM:SS (rounded to whole seconds)."""
    total = max(0, round(seconds))
    return f"{total // 3600:02d}:{total % 3600 // 60:02d}:{total % 60:02d}"
