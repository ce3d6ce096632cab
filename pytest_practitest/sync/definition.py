"""What the code says a PractiTest test should be: one ``TestDefinition`` per test.

Made on the pytest side (``collect/definitions``), carried to ``practitest sync`` as
JSON, compared there with what PractiTest holds (``sync/diff``). Fields that are
None are not managed: a test with no ``steps=[...]`` keeps the steps it has.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..model import Target

#: the Automation Info fields sync writes (tests.md: automated-fields); others are kept
AUTOMATION_KEYS = ("script_path", "script_name", "script_repository")


@dataclass(frozen=True)
class StepDefinition:
    name: str
    description: str | None = None
    expected: str | None = None

    def to_api(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description or "",
            "expected-results": self.expected or "",
        }


@dataclass(frozen=True)
class TestDefinition:
    """One PractiTest test as the code declares it.

    ``key`` is the node id (or the function's, one test per function) that the
    mapping file is written under; ``node_ids`` every collected test it stands for.
    ``target`` is where results go, by the rule reporting uses; a test is created
    only for a target by name.
    """

    __test__ = False  # not a pytest test class, whatever its name says

    key: str
    target: Target
    node_ids: tuple[str, ...]
    description: str | None = None
    tags: tuple[str, ...] = ()
    automation: Mapping[str, str] = field(default_factory=dict)
    requirements: tuple[str, ...] | None = None  # as written: "REQ-12"
    steps: tuple[StepDefinition, ...] | None = None
    #: True when the target came from the default rule (named after the key): the mapping
    #: file gets a line for it, by test id, once the test exists
    default_target: bool = False

    @property
    def label(self) -> str:
        return self.key

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "target": self.target.to_json(),
            "node_ids": list(self.node_ids),
            "description": self.description,
            "tags": list(self.tags),
            "automation": dict(self.automation),
            "requirements": None if self.requirements is None else list(self.requirements),
            "steps": None
            if self.steps is None
            else [[s.name, s.description, s.expected] for s in self.steps],
            "default_target": self.default_target,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TestDefinition:
        steps = data.get("steps")
        requirements = data.get("requirements")
        return cls(
            key=str(data["key"]),
            target=Target.from_json(data["target"]),
            node_ids=tuple(data.get("node_ids") or ()),
            description=data.get("description"),
            tags=tuple(data.get("tags") or ()),
            automation=dict(data.get("automation") or {}),
            requirements=None if requirements is None else tuple(requirements),
            steps=None if steps is None else tuple(StepDefinition(*s) for s in steps),
            default_target=bool(data.get("default_target")),
        )


def requirement_display_id(label: str) -> int | None:
    """``"REQ-12"``, ``"12"`` or ``"#12"`` → 12: the number users see; None if there is none."""
    digits = str(label).strip().rsplit("-", 1)[-1].lstrip("#")
    return int(digits) if digits.isdigit() and int(digits) > 0 else None
