"""What PractiTest holds for the tests the code defines: read with listings only.

- the test set's instances (100 per call);
- the tests the definitions point at, with their linked requirements
  (``relationships=true``): by display id, 100 per call; the project's whole
  listing only when a test is known by a name no instance of the set has (a
  first sync); one call per test known by id that has no instance in the set
  (after an interrupted sync: at most one bulk of tests);
- the steps of the tests that declare steps, 100 tests per call;
- the requirements named, by display id, 100 per call.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..errors import NotFoundError
from ..limits import PAGE_SIZE
from ..upload.index import fitted_name
from .definition import TestDefinition, requirement_display_id

if TYPE_CHECKING:
    from ..api.client import Client


@dataclass(frozen=True)
class RemoteTest:
    id: int
    display_id: int
    name: str
    description: str | None
    tags: tuple[str, ...]
    automation: Mapping[str, Any]
    requirement_ids: tuple[int, ...]

    @classmethod
    def from_api(cls, test: Mapping[str, Any]) -> RemoteTest:
        attributes = test["attributes"]
        linked = ((test.get("relationships") or {}).get("requirements") or {}).get("data") or []
        return cls(
            id=int(test["id"]),
            display_id=int(attributes["display-id"]),
            name=str(attributes["name"]),
            description=attributes.get("description"),
            tags=tuple(attributes.get("tags") or ()),
            automation=dict(attributes.get("automated-fields") or {}),
            requirement_ids=tuple(int(r["id"]) for r in linked),
        )


@dataclass
class Remote:
    """PractiTest's side, indexed the ways a definition's target can name a test."""

    set_id: int | None = None
    #: (instance id, test id, test display id, name) of each instance of the set
    instances: list[tuple[int, int, int, str]] = field(default_factory=list)
    tests: dict[int, RemoteTest] = field(default_factory=dict)
    by_name: dict[str, int] = field(default_factory=dict)
    by_display: dict[int, int] = field(default_factory=dict)
    #: requirement display id -> requirement id, for those named (and found)
    requirements: dict[int, int] = field(default_factory=dict)
    #: test id -> its steps in order: (step id, name, description, expected results)
    steps: dict[int, list[tuple[int, str, str | None, str | None]]] = field(default_factory=dict)
    missing_tests: set[int] = field(default_factory=set)

    def add_test(self, test: Mapping[str, Any]) -> None:
        found = RemoteTest.from_api(test)
        self.tests[found.id] = found
        self.by_display[found.display_id] = found.id
        self.by_name.setdefault(found.name, found.id)
        if self.by_name[found.name] > found.id:  # the oldest of a name, as uploads choose
            self.by_name[found.name] = found.id

    def test_of(self, definition: TestDefinition) -> RemoteTest | None:
        target = definition.target
        test_id: int | None = None
        if target.test_id is not None:
            test_id = target.test_id
        elif target.display_id is not None:
            test_id = self.by_display.get(target.display_id)
        elif target.instance_id is not None:
            test_id = next((t for i, t, _, _ in self.instances if i == target.instance_id), None)
        elif target.name is not None:
            test_id = self.by_name.get(fitted_name(target.name))
        return None if test_id is None else self.tests.get(test_id)

    @property
    def instance_of_test(self) -> dict[int, int]:
        found: dict[int, int] = {}
        for instance_id, test_id, _, _ in sorted(self.instances):
            found.setdefault(test_id, instance_id)
        return found


def _chunks(values: Sequence[int]) -> Iterator[list[int]]:
    for start in range(0, len(values), PAGE_SIZE):
        yield list(values[start : start + PAGE_SIZE])


class Reader:
    """Reads ``Remote`` for a list of definitions; counts its calls."""

    def __init__(self, client: Client, project_id: int) -> None:
        self.client = client
        self.project_id = project_id

    def _path(self, tail: str) -> str:
        return f"/projects/{self.project_id}{tail}"

    def _list(self, tail: str, params: Mapping[str, Any]) -> Iterable[dict[str, Any]]:
        return list(self.client.paginate(self._path(tail), params))

    def read(self, set_id: int | None, definitions: Sequence[TestDefinition]) -> Remote:
        self.remote = remote = Remote(set_id)
        if set_id is not None:
            for instance in self._list("/instances.json", {"set-ids": set_id}):
                attributes = instance["attributes"]
                remote.instances.append(
                    (
                        int(instance["id"]),
                        int(attributes["test-id"]),
                        int(attributes["test-display-id"]),
                        str(attributes["name"]),
                    )
                )
        self._read_tests(definitions)
        self._read_steps(definitions)
        self._read_requirements(definitions)
        return remote

    def _read_tests(self, definitions: Sequence[TestDefinition]) -> None:
        remote = self.remote
        names = {name for _, _, _, name in remote.instances}
        targets = [d.target for d in definitions]
        if any(t.name is not None and fitted_name(t.name) not in names for t in targets):
            for test in self._list("/tests.json", {"relationships": "true"}):
                remote.add_test(test)
            return
        wanted_names = {fitted_name(t.name) for t in targets if t.name is not None}
        wanted_ids = {t.test_id for t in targets if t.test_id is not None}
        wanted_instances = {t.instance_id for t in targets if t.instance_id is not None}
        # The listing filters by display id; the set's instances say each test's.
        displays = {t.display_id for t in targets if t.display_id is not None}
        in_set = set()
        for instance_id, test_id, display_id, name in remote.instances:
            in_set.add(test_id)
            if name in wanted_names or test_id in wanted_ids or instance_id in wanted_instances:
                displays.add(display_id)
        for chunk in _chunks(sorted(displays)):
            params = {"display-ids": ",".join(map(str, chunk)), "relationships": "true"}
            for test in self._list("/tests.json", params):
                remote.add_test(test)
        for test_id in sorted(wanted_ids - in_set):
            try:
                path = self._path(f"/tests/{test_id}.json")
                test = self.client.get(path, {"relationships": "true"})
            except NotFoundError:
                remote.missing_tests.add(test_id)
                continue
            remote.add_test(test["data"])

    def _read_steps(self, definitions: Sequence[TestDefinition]) -> None:
        remote = self.remote
        ids = []
        for definition in definitions:
            test = remote.test_of(definition)
            if definition.steps is not None and test is not None:
                ids.append(test.id)
                remote.steps[test.id] = []
        for chunk in _chunks(sorted(set(ids))):
            listed = self._list("/steps.json", {"test-ids": ",".join(map(str, chunk))})
            for step in sorted(listed, key=lambda s: int(s["attributes"]["position"])):
                attributes = step["attributes"]
                remote.steps[int(attributes["test-id"])].append(
                    (
                        int(step["id"]),
                        str(attributes["name"]),
                        attributes.get("description"),
                        attributes.get("expected-results"),
                    )
                )

    def _read_requirements(self, definitions: Sequence[TestDefinition]) -> None:
        displays = {
            number
            for definition in definitions
            for label in definition.requirements or ()
            if (number := requirement_display_id(label)) is not None
        }
        for chunk in _chunks(sorted(displays)):
            listed = self._list("/requirements.json", {"display-ids": ",".join(map(str, chunk))})
            for requirement in listed:
                display = int(requirement["attributes"]["display-id"])
                self.remote.requirements[display] = int(requirement["id"])
