"""Code against PractiTest: each difference in one line, and the calls that remove them.

Only what the code declares is compared: the description (docstring), the tags,
the Automation Info fields sync writes, and requirements and steps when the test
declares them. The plan holds exactly the calls the differences need, so a sync
with nothing changed has none.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..limits import MAX_INSTANCES_PER_POST
from .definition import StepDefinition, TestDefinition, requirement_display_id
from .remote import Remote, RemoteTest

#: steps.md: "Users can create 100 steps(maximum) by sending one request"
MAX_STEPS_PER_POST = 100


@dataclass(frozen=True)
class StepChange:
    """How one test's steps become the declared ones: rename in place, add, remove."""

    test_id: int
    update: tuple[tuple[int, StepDefinition], ...] = ()
    add: tuple[StepDefinition, ...] = ()
    remove: tuple[int, ...] = ()

    @property
    def calls(self) -> int:
        return len(self.update) + math.ceil(len(self.add) / MAX_STEPS_PER_POST) + len(self.remove)


@dataclass
class Plan:
    create: list[TestDefinition] = field(default_factory=list)
    #: requirement ids to link to each new test, by definition key
    new_links: dict[str, list[int]] = field(default_factory=dict)
    update: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    steps: list[StepChange] = field(default_factory=list)
    links: list[tuple[int, list[int]]] = field(default_factory=list)
    #: existing tests with no instance in the set
    instances: list[int] = field(default_factory=list)
    #: mapping file lines to add: definition key -> (test id, test name)
    mapped: dict[str, tuple[int, str]] = field(default_factory=dict)
    differences: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    #: the set's instances no test in the code stands for: said, never a difference (sync
    #: never deletes them, so a set that plans manual tests would fail ``--check`` forever)
    unmatched: list[str] = field(default_factory=list)

    @property
    def write_calls(self) -> int:
        bulks = math.ceil(len(self.create) / MAX_INSTANCES_PER_POST)
        bulks += math.ceil(len(self.instances) / MAX_INSTANCES_PER_POST)
        return (
            len(self.create)
            + len(self.new_links)
            + len(self.update)
            + sum(change.calls for change in self.steps)
            + len(self.links)
            + bulks
        )


def _text(value: str | None) -> str:
    return (value or "").strip()


def step_change(test_id: int, declared: Sequence[StepDefinition], held: list[Any]) -> StepChange:
    update = []
    for (step_id, name, description, expected), want in zip(held, declared, strict=False):
        if (name, _text(description), _text(expected)) != (
            want.name,
            _text(want.description),
            _text(want.expected),
        ):
            update.append((step_id, want))
    return StepChange(
        test_id,
        tuple(update),
        tuple(declared[len(held) :]),
        tuple(step_id for step_id, *_ in held[len(declared) :]),
    )


def _labels(ids: Sequence[int], displays: dict[int, int]) -> str:
    by_id = {requirement: display for display, requirement in displays.items()}
    shown = [f"REQ-{by_id[i]}" if i in by_id else f"requirement id {i}" for i in ids]
    return ", ".join(sorted(shown)) or "none"


class Differ:
    def __init__(self, remote: Remote, project_id: int) -> None:
        self.remote = remote
        self.project_id = project_id
        self.plan = Plan()

    def diff(self, definitions: Sequence[TestDefinition]) -> Plan:
        plan = self.plan
        in_set = self.remote.instance_of_test
        used: set[int] = set()
        for definition in definitions:
            wanted = self._requirements(definition)
            test = self.remote.test_of(definition)
            if test is None:
                self._missing(definition, wanted)
                continue
            used.add(test.id)
            self._compare(definition, test, wanted)
            if test.id not in in_set and self.remote.set_id is not None:
                plan.instances.append(test.id)
                plan.differences.append(f"not in the test set: {definition.key} (test {test.id})")
            elif test.id not in in_set:
                plan.instances.append(test.id)
            if definition.default_target:
                plan.mapped[definition.key] = (test.id, test.name)
        for instance_id, test_id, _, name in self.remote.instances:
            if test_id not in used:
                plan.unmatched.append(f"{name!r} (instance {instance_id})")
        return plan

    def _missing(self, definition: TestDefinition, wanted: list[int] | None) -> None:
        target = definition.target
        if target.name is None:
            self.plan.problems.append(
                f"{definition.key}: {target.describe()} does not exist in project "
                f"{self.project_id} (or is not in the test set); sync creates tests known by "
                "name only: remove the entry to have it created"
            )
            return
        self.plan.create.append(definition)
        self.plan.differences.append(f"new test: {definition.key}")
        if wanted:
            self.plan.new_links[definition.key] = wanted

    def _requirements(self, definition: TestDefinition) -> list[int] | None:
        if definition.requirements is None:
            return None
        found = []
        for label in definition.requirements:
            display = requirement_display_id(label)
            requirement = None if display is None else self.remote.requirements.get(display)
            if requirement is None:
                self.plan.problems.append(
                    f"{definition.key}: requirement {label!r} does not exist in project "
                    f"{self.project_id}; not linked"
                )
            elif requirement not in found:
                found.append(requirement)
        return found

    def _compare(
        self, definition: TestDefinition, test: RemoteTest, wanted: list[int] | None
    ) -> None:
        plan, where = self.plan, f"{definition.key} (test {test.id})"
        attributes: dict[str, Any] = {}
        if _text(definition.description) != _text(test.description):
            attributes["description"] = definition.description or ""
            plan.differences.append(f"changed description: {where}")
        if sorted(definition.tags) != sorted(test.tags):
            attributes["tags"] = list(definition.tags)
            plan.differences.append(
                f"changed tags: {where}: {', '.join(sorted(test.tags)) or 'none'} -> "
                f"{', '.join(definition.tags) or 'none'}"
            )
        if any(test.automation.get(k) != v for k, v in definition.automation.items()):
            attributes["automated-fields"] = {**test.automation, **definition.automation}
            plan.differences.append(f"changed Automation Info: {where}")
        if attributes:
            plan.update.append((test.id, attributes))
        if definition.steps is not None:
            change = step_change(test.id, definition.steps, self.remote.steps.get(test.id, []))
            if change.calls:
                plan.steps.append(change)
                held = len(self.remote.steps.get(test.id, []))
                plan.differences.append(
                    f"changed steps: {where}: {held} in PractiTest, {len(definition.steps)} in "
                    f"the code, {len(change.update)} changed"
                )
        if wanted is not None and sorted(wanted) != sorted(test.requirement_ids):
            plan.links.append((test.id, wanted))
            displays = self.remote.requirements
            plan.differences.append(
                f"changed requirements: {where}: {_labels(test.requirement_ids, displays)} -> "
                f"{_labels(wanted, displays)}"
            )
