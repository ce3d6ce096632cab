"""Runs (one, a bulk of up to 20, auto-created) and step runs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from . import entities, payload, switches
from .api_tests import check_test_attributes, step_definitions
from .errors import APIError, bad_request
from .listing import filter_in, ids_param, name_filters, paginate
from .payload import MAX_NAME, Problems
from .response import Response
from .routing import Request, Route
from .store import Entity, resource

MAX_RUNS_PER_REQUEST = 20
STALE_INSTANCE = re.compile(r"^instance-id (\d+) does not exist")
MAX_OUTPUT = 255
RUN_TYPES = ("AutomatedRun", "ManualRun")
RUN_ATTRIBUTES = (
    "exit-code",
    "run-type",
    "run-date",
    "tester-id",
    "run-duration",
    "automated-execution-output",
    "version",
    "custom-fields",
)
STEP_RUN_MEMBERS = ("name", "description", "expected-results", "actual-results", "status", "files")
AUTO_TEST_ATTRIBUTES = (
    "name",
    "test-type",
    "description",
    "preconditions",
    "status",
    "priority",
    "version",
    "tags",
    "custom-fields",
    "scenario",
    "duration-estimate",
    "folder-id",
    "steps",
    "author-id",
)


@dataclass
class RunPlan:
    """A validated run, ready to store."""

    attributes: dict[str, Any]
    steps: list[dict[str, Any]]
    files: list[tuple[str, bytes]]
    tester_id: int | None
    instance: Entity | None = None


def _check_run(
    request: Request,
    item: dict[str, Any],
    pointer: str,
    problems: Problems,
    extra_members: tuple[str, ...],
    extra_attributes: tuple[str, ...],
) -> RunPlan:
    payload.check_members(
        item, ("type", "attributes", "steps", "files", *extra_members), pointer, problems
    )
    attributes: dict[str, Any] = item.get("attributes", {})
    at = f"{pointer}/attributes"
    payload.check_members(attributes, (*RUN_ATTRIBUTES, *extra_attributes), at, problems)
    exit_code = attributes.get("exit-code")
    if exit_code is not None and (isinstance(exit_code, bool) or not isinstance(exit_code, int)):
        problems.add(f"exit-code must be an integer, got {exit_code!r}", f"{at}/exit-code")
    payload.one_of(attributes, "run-type", RUN_TYPES, at, problems)
    manual = attributes.get("run-type") == "ManualRun"
    if request.store.strict and not manual and "tester-id" in attributes:
        problems.add("tester-id is for ManualRun only", f"{at}/tester-id")
    payload.duration(attributes, "run-duration", at, problems)
    payload.text(attributes, "automated-execution-output", at, problems, max_length=MAX_OUTPUT)
    payload.text(attributes, "version", at, problems)
    payload.text(attributes, "run-date", at, problems)
    if manual and "automated-execution-output" in attributes:
        problems.add(
            "automated-execution-output is for AutomatedRun only",
            f"{at}/automated-execution-output",
        )
    if not manual and "run-date" in attributes:
        problems.add("run-date is for ManualRun only", f"{at}/run-date")
    payload.custom_fields(
        request.store,
        request.project_id,
        attributes.get("custom-fields"),
        f"{at}/custom-fields",
        problems,
    )
    tester_id = payload.author(
        request.store,
        request.principal,
        request.project_id,
        attributes,
        at,
        problems,
        required=manual,
        key="tester-id",
    )
    return RunPlan(
        attributes=attributes,
        steps=_check_steps(item.get("steps"), f"{pointer}/steps", problems),
        files=payload.files(item.get("files"), f"{pointer}/files", problems),
        tester_id=tester_id,
    )


def _check_steps(container: Any, pointer: str, problems: Problems) -> list[dict[str, Any]]:
    if container is None:
        return []
    if not isinstance(container, dict) or not isinstance(container.get("data"), list):
        problems.add("steps must be an object with a data list", pointer)
        return []
    steps = []
    for index, step in enumerate(container["data"]):
        where = f"{pointer}/data/{index}"
        if not isinstance(step, dict):
            problems.add("step must be an object", where)
            continue
        payload.check_members(step, STEP_RUN_MEMBERS, where, problems)
        payload.text(step, "name", where, problems, required=True, max_length=MAX_NAME)
        for key in ("description", "expected-results", "actual-results"):
            payload.text(step, key, where, problems)
        status = step.get("status", "NO RUN")
        if status not in entities.STEP_STATUSES:
            problems.add(
                f"status must be one of {', '.join(entities.STEP_STATUSES)}; got {status!r}",
                f"{where}/status",
            )
        files = payload.files(step.get("files"), f"{where}/files", problems)
        steps.append({**step, "status": status, "_files": files})
    return steps


def _store(request: Request, plan: RunPlan, *, refresh_set: bool = True) -> Entity:
    assert plan.instance is not None
    return entities.create_run(
        request.store,
        plan.instance,
        plan.attributes,
        plan.steps,
        plan.files,
        plan.tester_id,
        refresh_set=refresh_set,
    )


def create_runs(request: Request) -> Response:
    items = payload.data_items(request.json(), "instances", bulk_max=MAX_RUNS_PER_REQUEST)
    problems = Problems()
    plans = []
    for pointer, item in items:
        plan = _check_run(request, item, pointer, problems, (), ("instance-id",))
        plan.instance = payload.reference(
            request.store,
            request.project_id,
            "instances",
            plan.attributes.get("instance-id"),
            f"{pointer}/attributes/instance-id",
            problems,
            "instance-id",
        )
        plans.append(plan)
    stale = _stale_instances(problems)
    if stale and request.store.stale_bulk_status == 404:
        # A server that stores what it can and answers 404 for the id it could not find.
        _store_all(request, [plan for plan in plans if plan.instance is not None])
        raise APIError(404, f"instance {stale[0]} not found")
    problems.raise_if_any()
    runs = _store_all(request, plans)
    if isinstance(request.json()["data"], list):
        answered = runs[::-1] if request.store.bulk_order == "reversed" else runs
        if request.store.bulk_answer == "empty":
            return Response(200, {})
        if request.store.bulk_answer == "object":
            return Response(200, {"data": resource("runs", answered[0])})
        return Response(200, {"data": [resource("runs", r) for r in answered]})
    return Response(200, {"data": resource("runs", runs[0])})


def _stale_instances(problems: Problems) -> list[str]:
    """The instance ids a bulk's only problems are (each a missing instance), else []."""
    found = []
    for item in problems.items:
        match = STALE_INSTANCE.match(item.detail)
        if match is None or not (item.pointer or "").endswith("/attributes/instance-id"):
            return []
        found.append(match.group(1))
    return found


def _store_all(request: Request, plans: list[RunPlan]) -> list[Entity]:
    runs = [_store(request, plan, refresh_set=False) for plan in plans]
    for set_id in {plan.instance["set-id"] for plan in plans if plan.instance is not None}:
        test_set = request.store.get("sets", set_id)
        if test_set is not None:
            entities.refresh_set_status(request.store, test_set)
    return runs


def auto_create_run(request: Request) -> Response:
    [(pointer, item)] = payload.data_items(request.json(), "instances")
    problems = Problems()
    plan = _check_run(request, item, pointer, problems, ("test-attributes",), ("set-id", "test-id"))
    at = f"{pointer}/attributes"
    test_set = payload.reference(
        request.store,
        request.project_id,
        "sets",
        plan.attributes.get("set-id"),
        f"{at}/set-id",
        problems,
        "set-id",
    )
    test = payload.reference(
        request.store,
        request.project_id,
        "tests",
        plan.attributes.get("test-id"),
        f"{at}/test-id",
        problems,
        "test-id",
        required=False,
    )
    test_attributes = item.get("test-attributes", {})
    ta = f"{pointer}/test-attributes"
    new_test: dict[str, Any] | None = None
    if not isinstance(test_attributes, dict):
        problems.add("test-attributes must be an object", ta)
    elif "test-id" not in plan.attributes:
        allowed: tuple[str, ...] = AUTO_TEST_ATTRIBUTES
        if not request.store.auto_create_author or request.store.strict:
            allowed = tuple(a for a in allowed if a != "author-id")
        payload.check_members(test_attributes, allowed, ta, problems)
        name = payload.text(
            test_attributes, "name", ta, problems, required=True, max_length=MAX_NAME
        )
        matches = request.store.find("tests", {"project-id": request.project_id, "name": name})
        if matches:
            test = matches[0]
        elif name and request.store.permissions == "tester":
            raise switches.refused("tests_editor")
        elif name:
            new_test = _check_new_test(request, test_attributes, ta, problems)
    problems.raise_if_any()
    assert test_set is not None
    meta: dict[str, int] = {}
    if new_test is not None:
        test = entities.create_test(
            request.store, request.project_id, new_test, new_test["_author"], new_test["_steps"]
        )
        meta["created-test"] = test["id"]
    assert test is not None
    instance = next(
        iter(request.store.find("instances", {"set-id": test_set["id"], "test-id": test["id"]})),
        None,
    )
    if instance is None and request.store.permissions == "tester":
        raise switches.refused("instances_editor")
    if instance is None:
        instance = entities.create_instance(request.store, test_set, test)
        meta["created-instance"] = instance["id"]
    plan.instance = instance
    run = _store(request, plan)
    return Response(200, {"data": resource("runs", run), "meta": meta})


def _check_new_test(
    request: Request, attributes: dict[str, Any], pointer: str, problems: Problems
) -> dict[str, Any]:
    check_test_attributes(request, attributes, pointer, problems, creating=True)
    author_id = payload.author(
        request.store,
        request.principal,
        request.project_id,
        attributes,
        pointer,
        problems,
        required=True,
    )
    steps = step_definitions(attributes.get("steps"), f"{pointer}/steps", problems)
    return {**attributes, "_author": author_id, "_steps": steps}


def list_runs(request: Request) -> Response:
    runs = request.store.in_project_where(
        "runs", request.project_id, "instance-id", ids_param(request, "instance-ids")
    )
    runs = filter_in(runs, "test-id", ids_param(request, "test-ids"))
    set_ids = ids_param(request, "set-ids")
    if set_ids is not None:
        instances = request.store.table("instances")
        runs = [r for r in runs if instances[r["instance-id"]]["set-id"] in set_ids]
    run_type = request.query.get("run-type")
    if run_type is not None:
        if run_type not in RUN_TYPES:
            raise bad_request(
                f"run-type must be one of {', '.join(RUN_TYPES)}", parameter="run-type"
            )
        runs = [r for r in runs if r["run-type"] == run_type]
    hours = request.query.get("updated-hours-ago")
    if hours is not None:
        if not hours.isdigit():
            raise bad_request(
                "updated-hours-ago must be a whole number", parameter="updated-hours-ago"
            )
        since = request.store.now() - timedelta(hours=int(hours))
        runs = [r for r in runs if datetime.fromisoformat(r["updated-at"]) >= since]
    return paginate(request, "runs", runs)


def list_step_runs(request: Request) -> Response:
    step_runs = request.store.in_project_where(
        "step_runs", request.project_id, "run-id", ids_param(request, "run-ids")
    )
    status = request.query.get("status")
    if status is not None:
        step_runs = [s for s in step_runs if s["status"] == status]
    return paginate(request, "step_runs", name_filters(request, step_runs))


ROUTES = [
    Route(
        "GET",
        "/projects/{project_id}/runs",
        list_runs,
        paginated=True,
        params=frozenset({"test-ids", "set-ids", "instance-ids", "run-type", "updated-hours-ago"}),
        unsupported=frozenset({"set-filter-id", "set-filter-user-id"}),
    ),
    Route("POST", "/projects/{project_id}/runs", create_runs),
    Route("POST", "/projects/{project_id}/runs/auto_create", auto_create_run),
    Route(
        "GET",
        "/projects/{project_id}/step_runs",
        list_step_runs,
        paginated=True,
        params=frozenset({"run-ids", "status", "name_exact", "name_like"}),
    ),
]
