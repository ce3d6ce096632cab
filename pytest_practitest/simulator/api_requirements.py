"""Requirements, and the requirements linked to a test (test traceability).

A test's links are kept on the test (``_requirement-ids``, never shown as an
attribute) and shown as JSON:API ``relationships`` when a test is read with
``relationships=true``, in the shape the reference shows for issues and milestones.
"""

from __future__ import annotations

from typing import Any

from . import crud, payload
from .errors import APIError
from .listing import filter_in, ids_param, name_filters, paginate
from .payload import MAX_NAME, Problems
from .response import Response
from .routing import Request, Route
from .store import Entity, Store, resource

REQUIREMENT_UPDATE_ATTRIBUTES = (
    "name",
    "description",
    "assigned-to-id",
    "assigned-to-type",
    "version",
    "priority",
    "custom-fields",
    "parent-id",
    "tags",
)
REQUIREMENT_CREATE_ATTRIBUTES = (*REQUIREMENT_UPDATE_ATTRIBUTES, "author-id")
LINKS = "_requirement-ids"


def create_requirement(
    store: Store, project_id: int, attributes: dict[str, Any], author_id: int | None
) -> Entity:
    """A requirement (for seeds and the create endpoint; input already checked)."""
    now = store.now_iso()
    return store.insert(
        "requirements",
        {
            "project-id": project_id,
            "display-id": store.next_display_id(f"requirements:{project_id}"),
            "name": attributes["name"],
            "description": attributes.get("description"),
            "author-id": author_id,
            "instances-count": 0,
            "run-status": "NO RUN",
            "last-run": None,
            "assigned-to-id": attributes.get("assigned-to-id"),
            "assigned-to-type": attributes.get("assigned-to-type"),
            "planned-execution": None,
            "version": attributes.get("version"),
            "priority": attributes.get("priority"),
            "custom-fields": dict(attributes.get("custom-fields") or {}),
            "tags": list(attributes.get("tags") or []),
            "parent-id": attributes.get("parent-id"),
            "folder-id": None,
            "created-at": now,
            "updated-at": now,
        },
    )


def linked_ids(test: Entity) -> list[int]:
    return list(test.get(LINKS) or [])


def test_with_relationships(request: Request, test: Entity) -> dict[str, Any]:
    """A test as a resource; with ``relationships=true``, its linked requirements too."""
    shown = resource("tests", test)
    if request.query.get("relationships") == "true":
        shown["relationships"] = {
            "requirements": {
                "data": [{"id": str(i), "type": "requirements"} for i in linked_ids(test)]
            }
        }
    return shown


def _check(request: Request, attributes: dict[str, Any], at: str, problems: Problems) -> None:
    payload.one_of(attributes, "assigned-to-type", ("user", "group"), at, problems)
    payload.custom_fields(
        request.store, request.project_id, attributes.get("custom-fields"), f"{at}/custom-fields",
        problems,
    )  # fmt: skip
    tags = attributes.get("tags")
    if tags is not None and not (isinstance(tags, list) and all(isinstance(t, str) for t in tags)):
        problems.add("tags must be a list of strings", f"{at}/tags")
    if attributes.get("parent-id") is not None:
        payload.reference(
            request.store, request.project_id, "requirements", attributes["parent-id"],
            f"{at}/parent-id", problems, "requirement",
        )  # fmt: skip


def list_requirements(request: Request) -> Response:
    found = request.store.in_project("requirements", request.project_id)
    found = filter_in(found, "display-id", ids_param(request, "display-ids"))
    return paginate(request, "requirements", name_filters(request, found))


def create(request: Request) -> Response:
    [(pointer, item)] = payload.data_items(request.json(), "requirements")
    problems = Problems()
    payload.check_members(item, ("type", "attributes", "traceability"), pointer, problems)
    attributes = item.get("attributes", {})
    at = f"{pointer}/attributes"
    payload.check_members(attributes, REQUIREMENT_CREATE_ATTRIBUTES, at, problems)
    payload.text(attributes, "name", at, problems, required=True, max_length=MAX_NAME)
    _check(request, attributes, at, problems)
    author_id = payload.author(
        request.store, request.principal, request.project_id, attributes, at, problems,
        required=True,
    )  # fmt: skip
    tests: list[Entity] = []
    traceability = item.get("traceability")
    if traceability is not None:
        where = f"{pointer}/traceability"
        if not isinstance(traceability, dict):
            problems.add("traceability must be an object", where)
        else:
            payload.check_members(traceability, ("test-ids",), where, problems)
            raw = traceability.get("test-ids") or []
            if not isinstance(raw, list):
                problems.add("test-ids must be a list of test ids", f"{where}/test-ids")
                raw = []
            for index, value in enumerate(raw):
                test = payload.reference(
                    request.store, request.project_id, "tests", value,
                    f"{where}/test-ids/{index}", problems, "test",
                )  # fmt: skip
                if test is not None:
                    tests.append(test)
    problems.raise_if_any()
    with request.store.lock:
        requirement = create_requirement(request.store, request.project_id, attributes, author_id)
        for test in tests:
            _link(test, [requirement["id"]])
    return Response(200, {"data": resource("requirements", requirement)})


def _link(test: Entity, ids: list[int]) -> None:
    current = linked_ids(test)
    test[LINKS] = current + [i for i in ids if i not in current]


def _check_update(
    request: Request, attributes: dict[str, Any], at: str, problems: Problems, _: Entity
) -> None:
    payload.text(attributes, "name", at, problems, max_length=MAX_NAME)
    _check(request, attributes, at, problems)


def delete(request: Request) -> Response:
    requirement = request.lookup(
        "requirements", request.path_params["requirement_id"], "requirement"
    )
    with request.store.lock:
        request.store.table("requirements").pop(requirement["id"], None)
        for test in request.store.in_project("tests", request.project_id):
            if requirement["id"] in linked_ids(test):
                test[LINKS] = [i for i in linked_ids(test) if i != requirement["id"]]
    return Response(200, {"data": resource("requirements", requirement)})


# -- a test's linked requirements ----------------------------------------------


def _relationship_ids(request: Request) -> list[int]:
    """The requirement ids of a relationship body: ``{"data": [{"id", "type"}]}``, all checked."""
    data = payload.body_object(request.json()).get("data")
    if not isinstance(data, list):
        raise APIError(422, "data must be a list of requirement identifiers", pointer="/data")
    problems = Problems()
    ids: list[int] = []
    for index, item in enumerate(data):
        where = f"/data/{index}"
        if not isinstance(item, dict):
            problems.add("must be an object with id and type", where)
            continue
        payload.check_members(item, ("id", "type"), where, problems)
        if item.get("type") != "requirements":
            problems.add(f"type must be 'requirements', got {item.get('type')!r}", f"{where}/type")
        found = payload.reference(
            request.store, request.project_id, "requirements", item.get("id"), f"{where}/id",
            problems, "requirement",
        )  # fmt: skip
        if found is not None and found["id"] not in ids:
            ids.append(int(found["id"]))
    problems.raise_if_any()
    return ids


def _linked(request: Request, test: Entity) -> Response:
    table = request.store.table("requirements")
    shown = [resource("requirements", table[i]) for i in linked_ids(test) if i in table]
    return Response(200, {"data": shown})


def show_links(request: Request) -> Response:
    return _linked(request, request.lookup("tests", request.path_params["test_id"], "test"))


def add_links(request: Request) -> Response:
    test = request.lookup("tests", request.path_params["test_id"], "test")
    ids = _relationship_ids(request)
    if not ids:
        raise APIError(422, "data must name at least one requirement", pointer="/data")
    with request.store.lock:
        _link(test, ids)
    return _linked(request, test)


def replace_links(request: Request) -> Response:
    test = request.lookup("tests", request.path_params["test_id"], "test")
    ids = _relationship_ids(request)
    with request.store.lock:
        test[LINKS] = ids
    return _linked(request, test)


def remove_links(request: Request) -> Response:
    test = request.lookup("tests", request.path_params["test_id"], "test")
    ids = _relationship_ids(request)
    with request.store.lock:
        test[LINKS] = [i for i in linked_ids(test) if i not in ids]
    return _linked(request, test)


LINKS_PATH = "/projects/{project_id}/tests/{test_id}/relationships/requirements"

ROUTES = [
    *crud.routes(
        "requirements",
        "requirement_id",
        listing=list_requirements,
        create=create,
        show_one=crud.show("requirements", "requirement_id", "requirement"),
        update_one=crud.update(
            "requirements",
            "requirement_id",
            "requirement",
            "requirements",
            REQUIREMENT_UPDATE_ATTRIBUTES,
            _check_update,
            accepted_only=("updated-by-user-id",),
        ),
        delete_one=delete,
        list_params=frozenset({"display-ids", "name_exact", "name_like", "relationships"}),
        show_params=frozenset({"relationships"}),
        unsupported=crud.UNMODELLED_FILTERS,
    ),
    Route("GET", LINKS_PATH, show_links),
    Route("POST", LINKS_PATH, add_links),
    Route("PATCH", LINKS_PATH, replace_links),
    Route("DELETE", LINKS_PATH, remove_links),
]
