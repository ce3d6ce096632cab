"""Carry out a sync plan through the API client, one call at a time, resumable.

New tests go in bulks of 20: each test is created (its steps in the same call), its
mapping file line written at once (``on_mapped``), its requirements linked, then one
call adds the bulk's instances to the set. Stopped anywhere, the next sync finds
what this one made through the mapping file (by test id) or the set, and makes the
rest: never a test twice.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..errors import ConfigError, ValidationError
from ..limits import MAX_INSTANCES_PER_POST
from ..upload.index import fitted_name
from .definition import TestDefinition
from .diff import MAX_STEPS_PER_POST, Plan, StepChange

if TYPE_CHECKING:
    from ..api.client import Client

Mapped = Callable[[str, int, str], None]
Progress = Callable[[int], None]


class Applier:
    def __init__(
        self,
        client: Client,
        project_id: int,
        set_id: int,
        *,
        author_id: int | None = None,
        test_type: str = "ApiTest",
        on_mapped: Mapped = lambda key, test_id, name: None,
        on_call: Progress = lambda done: None,
        author_problem: Callable[[ValidationError], str | None] = lambda error: None,
    ) -> None:
        self.client = client
        self.project_id = project_id
        self.set_id = set_id
        self.author_id = author_id
        self.test_type = test_type
        self.on_mapped = on_mapped
        self.on_call = on_call
        self.author_problem = author_problem
        self.done = 0
        #: test id -> the instance this sync added to the set (for the mapping file's hints)
        self.placed: dict[int, int] = {}

    def _path(self, tail: str) -> str:
        return f"/projects/{self.project_id}{tail}"

    def _call(self, method: str, tail: str, body: Any) -> Any:
        answer = self.client.request(method, self._path(tail), body=body)
        self.done += 1
        self.on_call(self.done)
        return answer

    def apply(self, plan: Plan) -> None:
        for test_id, attributes in plan.update:
            self._call("PUT", f"/tests/{test_id}.json", _data("tests", attributes))
        for change in plan.steps:
            self._steps(change)
        for test_id, requirement_ids in plan.links:
            self._call(
                "PATCH",
                f"/tests/{test_id}/relationships/requirements.json",
                _links(requirement_ids),
            )
        for start in range(0, len(plan.create), MAX_INSTANCES_PER_POST):
            chunk = plan.create[start : start + MAX_INSTANCES_PER_POST]
            made = [
                self._create(definition, plan.new_links.get(definition.key)) for definition in chunk
            ]
            self._instances(made)
        for start in range(0, len(plan.instances), MAX_INSTANCES_PER_POST):
            self._instances(plan.instances[start : start + MAX_INSTANCES_PER_POST])

    def _create(self, definition: TestDefinition, links: list[int] | None) -> int:
        assert definition.target.name is not None
        name = fitted_name(definition.target.name)
        attributes: dict[str, Any] = {
            "name": name,
            "test-type": self.test_type,
            "description": definition.description or "",
            "tags": list(definition.tags),
            "automated-fields": dict(definition.automation),
        }
        if self.author_id is not None:
            attributes["author-id"] = self.author_id
        body: dict[str, Any] = {"type": "tests", "attributes": attributes}
        if definition.steps:
            body["steps"] = {"data": [step.to_api() for step in definition.steps]}
        try:
            created = self._call("POST", "/tests.json", {"data": body})
        except ValidationError as error:
            problem = self.author_problem(error)
            if problem is not None:
                raise ConfigError(problem) from None
            raise
        test_id = int(created["data"]["id"])
        self.on_mapped(definition.key, test_id, name)
        if links:
            self._call("POST", f"/tests/{test_id}/relationships/requirements.json", _links(links))
        return test_id

    def _instances(self, test_ids: list[int]) -> None:
        items = [
            {"type": "instances", "attributes": {"set-id": self.set_id, "test-id": test_id}}
            for test_id in test_ids
        ]
        if not items:
            return
        answer = self._call("POST", "/instances.json", {"data": items})
        try:
            for instance in answer["data"]:
                self.placed[int(instance["attributes"]["test-id"])] = int(instance["id"])
        except (KeyError, TypeError, ValueError):
            pass  # no hints from an answer without ids: the next sync's listing has them

    def _steps(self, change: StepChange) -> None:
        for step_id, step in change.update:
            self._call("PUT", f"/steps/{step_id}.json", _data("steps", step.to_api()))
        for start in range(0, len(change.add), MAX_STEPS_PER_POST):
            steps = [s.to_api() for s in change.add[start : start + MAX_STEPS_PER_POST]]
            body = {"type": "steps", "attributes": {"test-id": change.test_id, "steps": steps}}
            self._call("POST", "/steps.json", {"data": body})
        for step_id in change.remove:
            self._call("DELETE", f"/steps/{step_id}.json", None)


def _data(json_type: str, attributes: dict[str, Any]) -> dict[str, Any]:
    return {"data": {"type": json_type, "attributes": attributes}}


def _links(requirement_ids: list[int]) -> dict[str, Any]:
    return {"data": [{"id": str(i), "type": "requirements"} for i in requirement_ids]}
