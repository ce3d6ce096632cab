"""Test sets and instances."""

from __future__ import annotations

from typing import Any

from . import crud, entities, payload
from .listing import filter_in, ids_param, name_filters, paginate
from .payload import MAX_NAME, Problems
from .response import Response
from .routing import Request
from .store import Entity, resource

SET_UPDATE_ATTRIBUTES = (
    "name",
    "description",
    "assigned-to-id",
    "assigned-to-type",
    "planned-execution",
    "version",
    "priority",
    "custom-fields",
    "tags",
    "milestone-id",
)
SET_CREATE_ATTRIBUTES = (*SET_UPDATE_ATTRIBUTES, "author-id", "status")
INSTANCE_UPDATE_ATTRIBUTES = (
    "planned-execution",
    "version",
    "priority",
    "assigned-to-id",
    "assigned-to-type",
    "custom-fields",
)
INSTANCE_CREATE_ATTRIBUTES = (*INSTANCE_UPDATE_ATTRIBUTES, "set-id", "test-id")
MAX_INSTANCES_PER_REQUEST = 20


def _seconds(value: str | None) -> int:
    if not value:
        return 0
    hours, minutes, seconds = (int(part) for part in value.split(":"))
    return hours * 3600 + minutes * 60 + seconds


def _hhmmss(total: int) -> str:
    return f"{total // 3600:02d}:{total % 3600 // 60:02d}:{total % 60:02d}"


def _render_set(request: Request, test_set: Entity) -> dict[str, Any]:
    data = resource("sets", test_set)
    if request.query.get("duration") == "true":
        instances = [
            i for i in request.store.table("instances").values() if i["set-id"] == test_set["id"]
        ]
        estimate = 0
        for instance in instances:
            test = request.store.get("tests", instance["test-id"])
            estimate += _seconds(test["duration-estimate"] if test else None)
        actual = sum(_seconds(i["last-run-duration"]) for i in instances)
        data["attributes"]["duration-estimate"] = _hhmmss(estimate)
        data["attributes"]["actual-duration"] = _hhmmss(actual)
    return data


def _check_common(
    request: Request, attributes: dict[str, Any], pointer: str, problems: Problems
) -> None:
    payload.one_of(attributes, "assigned-to-type", ("user", "group"), pointer, problems)
    payload.custom_fields(
        request.store,
        request.project_id,
        attributes.get("custom-fields"),
        f"{pointer}/custom-fields",
        problems,
    )


def list_sets(request: Request) -> Response:
    sets = request.store.in_project("sets", request.project_id)
    sets = filter_in(sets, "display-id", ids_param(request, "display-ids"))
    return paginate(
        request, "sets", name_filters(request, sets), render=lambda s: _render_set(request, s)
    )


def create_set(request: Request) -> Response:
    [(pointer, item)] = payload.data_items(request.json(), "sets")
    problems = Problems()
    payload.check_members(item, ("type", "attributes", "instances"), pointer, problems)
    attributes = item.get("attributes", {})
    at = f"{pointer}/attributes"
    payload.check_members(attributes, SET_CREATE_ATTRIBUTES, at, problems)
    payload.text(attributes, "name", at, problems, required=True, max_length=MAX_NAME)
    _check_common(request, attributes, at, problems)
    author_id = payload.author(
        request.store,
        request.principal,
        request.project_id,
        attributes,
        at,
        problems,
        required=False,
    )
    tests: list[Entity] = []
    instances = item.get("instances")
    if instances is not None:
        where = f"{pointer}/instances"
        test_ids = instances.get("test-ids") if isinstance(instances, dict) else None
        if not isinstance(test_ids, list):
            problems.add("instances must be an object with a test-ids list", where)
        else:
            for index, test_id in enumerate(test_ids):
                test = payload.reference(
                    request.store,
                    request.project_id,
                    "tests",
                    test_id,
                    f"{where}/test-ids/{index}",
                    problems,
                    "test-id",
                )
                if test is not None:
                    tests.append(test)
    problems.raise_if_any()
    test_set = entities.create_set(request.store, request.project_id, attributes, author_id)
    for test in tests:
        entities.create_instance(request.store, test_set, test)
    return Response(200, {"data": _render_set(request, test_set)})


def list_instances(request: Request) -> Response:
    instances = request.store.in_project_where(
        "instances", request.project_id, "set-id", ids_param(request, "set-ids")
    )
    test_ids = ids_param(request, "test-ids")
    if test_ids is not None and request.store.single_test_ids:
        # documented as "a certain test_id": a server may read the first of a list only
        first = request.query["test-ids"].split(",")[0].strip()
        test_ids = {int(first)}
    instances = filter_in(instances, "test-id", test_ids)
    instances = filter_in(instances, "test-display-id", ids_param(request, "test-display-ids"))
    display_id = request.query.get("display-id")
    if display_id is not None:
        instances = [i for i in instances if i["display-id"] == display_id]
    return paginate(request, "instances", name_filters(request, instances))


def create_instances(request: Request) -> Response:
    items = payload.data_items(request.json(), "instances", bulk_max=MAX_INSTANCES_PER_REQUEST)
    problems = Problems()
    planned: list[tuple[Entity, Entity, dict[str, Any]]] = []
    for pointer, item in items:
        payload.check_members(item, ("type", "attributes"), pointer, problems)
        attributes = item.get("attributes", {})
        at = f"{pointer}/attributes"
        payload.check_members(attributes, INSTANCE_CREATE_ATTRIBUTES, at, problems)
        _check_common(request, attributes, at, problems)
        test_set = payload.reference(
            request.store,
            request.project_id,
            "sets",
            attributes.get("set-id"),
            f"{at}/set-id",
            problems,
            "set-id",
        )
        test = payload.reference(
            request.store,
            request.project_id,
            "tests",
            attributes.get("test-id"),
            f"{at}/test-id",
            problems,
            "test-id",
        )
        if test_set is not None and test is not None:
            planned.append((test_set, test, attributes))
    problems.raise_if_any()
    created = [entities.create_instance(request.store, s, t, a) for s, t, a in planned]
    if isinstance(request.json()["data"], list):
        return Response(200, {"data": [resource("instances", i) for i in created]})
    return Response(200, {"data": resource("instances", created[0])})


def _check_set_update(
    request: Request, attributes: dict[str, Any], at: str, problems: Problems, test_set: Entity
) -> None:
    payload.text(attributes, "name", at, problems, max_length=MAX_NAME)
    _check_common(request, attributes, at, problems)


def _check_instance_update(
    request: Request, attributes: dict[str, Any], at: str, problems: Problems, instance: Entity
) -> None:
    _check_common(request, attributes, at, problems)


show_set = crud.show("sets", "set_id", "test set", _render_set)
update_set = crud.update(
    "sets", "set_id", "test set", "sets", SET_UPDATE_ATTRIBUTES, _check_set_update, _render_set
)
show_instance = crud.show("instances", "instance_id", "instance")
update_instance = crud.update(
    "instances",
    "instance_id",
    "instance",
    "instances",
    INSTANCE_UPDATE_ATTRIBUTES,
    _check_instance_update,
)

ROUTES = [
    *crud.routes(
        "sets",
        "set_id",
        listing=list_sets,
        create=create_set,
        show_one=show_set,
        update_one=update_set,
        delete_one=crud.delete("sets", "set_id", "test set"),
        list_params=frozenset({"display-ids", "name_exact", "name_like", "duration"}),
        show_params=frozenset({"duration"}),
        unsupported=crud.UNMODELLED_FILTERS,
    ),
    *crud.routes(
        "instances",
        "instance_id",
        listing=list_instances,
        create=create_instances,
        show_one=show_instance,
        update_one=update_instance,
        delete_one=crud.delete("instances", "instance_id", "instance"),
        list_params=frozenset(
            {"set-ids", "test-ids", "name_exact", "name_like", "display-id", "test-display-ids"}
        ),
        unsupported=frozenset({"set-filter-id", "set-filter-user-id"}),
    ),
]
