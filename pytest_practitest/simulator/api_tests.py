"""Tests and their steps."""

from __future__ import annotations

from typing import Any

from . import crud, entities, payload
from .api_requirements import test_with_relationships
from .errors import APIError
from .listing import filter_in, ids_param, name_filters, paginate
from .payload import MAX_NAME, Problems
from .response import Response
from .routing import Request
from .store import Entity, resource

TEST_UPDATE_ATTRIBUTES = (
    "name",
    "description",
    "test-type",
    "assigned-to-id",
    "assigned-to-type",
    "planned-execution",
    "status",
    "version",
    "priority",
    "duration-estimate",
    "custom-fields",
    "automated-fields",
    "tags",
)
TEST_CREATE_ATTRIBUTES = (*TEST_UPDATE_ATTRIBUTES, "author-id", "scenario", "folder-id")
STEP_ATTRIBUTES = ("name", "description", "expected-results")
#: tests.md: "available fields" of automated-fields (Automation Info)
AUTOMATED_FIELDS = (
    "automated_test_design",
    "script_repository",
    "num_of_results",
    "suite_path",
    "client_type",
    "script_path",
    "results_path",
    "script_name",
)
MAX_STEPS_PER_REQUEST = 100


def check_test_attributes(
    request: Request,
    attributes: dict[str, Any],
    pointer: str,
    problems: Problems,
    *,
    creating: bool,
    own_id: int | None = None,
) -> None:
    """Shared by test creation, update and auto-created runs."""
    name = payload.text(
        attributes, "name", pointer, problems, required=creating, max_length=MAX_NAME
    )
    payload.one_of(attributes, "test-type", entities.TEST_TYPES, pointer, problems)
    payload.one_of(attributes, "assigned-to-type", ("user", "group"), pointer, problems)
    payload.duration(attributes, "duration-estimate", pointer, problems)
    payload.custom_fields(
        request.store,
        request.project_id,
        attributes.get("custom-fields"),
        f"{pointer}/custom-fields",
        problems,
    )
    tags = attributes.get("tags")
    if tags is not None and not (isinstance(tags, list) and all(isinstance(t, str) for t in tags)):
        problems.add("tags must be a list of strings", f"{pointer}/tags")
    automated = attributes.get("automated-fields")
    if automated is not None:
        if not isinstance(automated, dict):
            problems.add("automated-fields must be an object", f"{pointer}/automated-fields")
        else:
            payload.check_members(
                automated, AUTOMATED_FIELDS, f"{pointer}/automated-fields", problems
            )
    if name:
        unique_test_name(request, name, f"{pointer}/name", problems, own_id)


def unique_test_name(
    request: Request, name: str, pointer: str, problems: Problems, own_id: int | None = None
) -> None:
    if not request.store.unique_test_names:
        return
    for test in request.store.find("tests", {"project-id": request.project_id, "name": name}):
        if test["id"] != own_id:
            problems.add(f"name {name!r} has already been taken (test {test['id']})", pointer)


def step_definitions(container: Any, pointer: str, problems: Problems) -> list[dict[str, Any]]:
    """Test step definitions: ``[{name, description, expected-results}]``."""
    if container is None:
        return []
    if not isinstance(container, list):
        problems.add("steps must be a list", pointer)
        return []
    steps = []
    for index, step in enumerate(container):
        where = f"{pointer}/{index}"
        if not isinstance(step, dict):
            problems.add("step must be an object", where)
            continue
        payload.check_members(step, (*STEP_ATTRIBUTES, "position"), where, problems)
        payload.text(step, "name", where, problems, required=True, max_length=MAX_NAME)
        payload.text(step, "description", where, problems)
        payload.text(step, "expected-results", where, problems)
        steps.append(step)
    return steps


def list_tests(request: Request) -> Response:
    exact = request.query.get("name_exact")
    tests = (
        request.store.in_project("tests", request.project_id)
        if exact is None
        else request.store.find("tests", {"project-id": request.project_id, "name": exact})
    )
    tests = filter_in(tests, "display-id", ids_param(request, "display-ids"))
    return paginate(
        request,
        "tests",
        name_filters(request, tests),
        lambda test: test_with_relationships(request, test),
    )


def create_test(request: Request) -> Response:
    [(pointer, item)] = payload.data_items(request.json(), "tests")
    problems = Problems()
    payload.check_members(item, ("type", "attributes", "steps"), pointer, problems)
    attributes = item.get("attributes", {})
    at = f"{pointer}/attributes"
    payload.check_members(attributes, TEST_CREATE_ATTRIBUTES, at, problems)
    check_test_attributes(request, attributes, at, problems, creating=True)
    author_id = payload.author(
        request.store,
        request.principal,
        request.project_id,
        attributes,
        at,
        problems,
        required=True,
    )
    steps_container = item.get("steps")
    steps: list[dict[str, Any]] = []
    if steps_container is not None:
        if not isinstance(steps_container, dict):
            problems.add("steps must be an object with a data list", f"{pointer}/steps")
        else:
            steps = step_definitions(steps_container.get("data"), f"{pointer}/steps/data", problems)
    problems.raise_if_any()
    assert author_id is not None
    test = entities.create_test(request.store, request.project_id, attributes, author_id, steps)
    return Response(200, {"data": resource("tests", test)})


def list_steps(request: Request) -> Response:
    steps = request.store.in_project_where(
        "steps", request.project_id, "test-id", ids_param(request, "test-ids")
    )
    steps.sort(key=lambda s: (s["test-id"], s["position"]))
    return paginate(request, "steps", name_filters(request, steps))


def create_steps(request: Request) -> Response:
    [(pointer, item)] = payload.data_items(request.json(), "steps")
    problems = Problems()
    payload.check_members(item, ("type", "attributes"), pointer, problems)
    attributes = item.get("attributes", {})
    at = f"{pointer}/attributes"
    payload.check_members(attributes, ("test-id", "steps"), at, problems)
    test = payload.reference(
        request.store,
        request.project_id,
        "tests",
        attributes.get("test-id"),
        f"{at}/test-id",
        problems,
        "test-id",
    )
    raw_steps = attributes.get("steps")
    if isinstance(raw_steps, list) and len(raw_steps) > MAX_STEPS_PER_REQUEST:
        raise APIError(
            422,
            f"at most {MAX_STEPS_PER_REQUEST} steps per request, got {len(raw_steps)}",
            pointer=f"{at}/steps",
        )
    if not raw_steps:
        problems.add("steps is required and must be a non-empty list", f"{at}/steps")
    steps = step_definitions(raw_steps, f"{at}/steps", problems)
    problems.raise_if_any()
    assert test is not None
    created = entities.add_steps(request.store, test, steps)
    return Response(200, {"data": [resource("steps", s) for s in created]})


def _check_test_update(
    request: Request, attributes: dict[str, Any], at: str, problems: Problems, test: Entity
) -> None:
    check_test_attributes(request, attributes, at, problems, creating=False, own_id=test["id"])


def _check_step_update(
    request: Request, attributes: dict[str, Any], at: str, problems: Problems, step: Entity
) -> None:
    payload.text(attributes, "name", at, problems, max_length=MAX_NAME)


show_test = crud.show("tests", "test_id", "test", test_with_relationships)
update_test = crud.update(
    "tests",
    "test_id",
    "test",
    "tests",
    TEST_UPDATE_ATTRIBUTES,
    _check_test_update,
    test_with_relationships,
    accepted_only=("updated-by-user-id",),
)
show_step = crud.show("steps", "step_id", "step")
update_step = crud.update("steps", "step_id", "step", "steps", STEP_ATTRIBUTES, _check_step_update)

ROUTES = [
    *crud.routes(
        "tests",
        "test_id",
        listing=list_tests,
        create=create_test,
        show_one=show_test,
        update_one=update_test,
        delete_one=crud.delete("tests", "test_id", "test"),
        list_params=frozenset({"display-ids", "name_exact", "name_like", "relationships"}),
        show_params=frozenset({"relationships"}),
        unsupported=crud.UNMODELLED_FILTERS,
    ),
    *crud.routes(
        "steps",
        "step_id",
        listing=list_steps,
        create=create_steps,
        show_one=show_step,
        update_one=update_step,
        delete_one=crud.delete("steps", "step_id", "step"),
        list_params=frozenset({"test-ids", "name_exact", "name_like"}),
    ),
]
