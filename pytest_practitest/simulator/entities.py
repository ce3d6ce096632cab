"""Domain operations on the store: create, aggregate, cascade-delete.

Handlers validate a request, then call these; seeds call them directly. They
assume valid input and keep derived state (counts, run statuses, display ids)
consistent.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .store import Entity, Store

STEP_STATUSES = ("PASSED", "FAILED", "BLOCKED", "NO RUN", "N/A")
TEST_TYPES = ("ScriptedTest", "ApiTest", "FireCracker", "xBotTest", "EggplantTest", "BDDTest")
ATTACHMENT_ENTITIES = {
    # API entity name -> table
    "issue": None,
    "requirement": None,
    "test": "tests",
    "testset": "sets",
    "instance": "instances",
    "step": "steps",
    "run": "runs",
    "step-run": "step_runs",
}


def run_status_from_steps(statuses: Iterable[str]) -> str:
    """A run's status from its steps' statuses (the simulator's documented rule).

    FAILED if any step failed; else BLOCKED if any is blocked; else NO RUN if
    no step ran; else N/A if every step is N/A; else NOT COMPLETED if some
    steps did not run; else PASSED.
    """
    values = list(statuses)
    if "FAILED" in values:
        return "FAILED"
    if "BLOCKED" in values:
        return "BLOCKED"
    if all(v == "NO RUN" for v in values):
        return "NO RUN"
    if all(v == "N/A" for v in values):
        return "N/A"
    if "NO RUN" in values:
        return "NOT COMPLETED"
    return "PASSED"


def aggregate_status(statuses: Iterable[str]) -> str:
    """A test set's run status from its instances' run statuses."""
    values = list(statuses)
    if not values or all(v == "NO RUN" for v in values):
        return "NO RUN"
    for status in ("FAILED", "BLOCKED"):
        if status in values:
            return status
    if any(v in ("NO RUN", "NOT COMPLETED") for v in values):
        return "NOT COMPLETED"
    return "PASSED"


def create_project(store: Store, name: str) -> Entity:
    return store.insert(
        "projects",
        {
            "name": name,
            "created-at": store.now_iso(),
            "automation-support": True,
            "enable-delete-issues": False,
            "time-management-support": False,
        },
    )


def create_user(store: Store, email: str, display_name: str | None = None) -> Entity:
    return store.insert(
        "users",
        {
            "first-name": None,
            "last-name": None,
            "display-name": display_name or email,
            "email": email,
            "time-zone": "UTC",
            "created-at": store.now_iso(),
        },
    )


def create_custom_field(
    store: Store,
    project_id: int,
    name: str,
    field_format: str,
    possible_values: list[str] | None,
    entities: list[str],
) -> Entity:
    now = store.now_iso()
    return store.insert(
        "custom_fields",
        {
            "name": name,
            "field-format": field_format,
            "project-id": project_id,
            "possible-values": possible_values,
            "parent-list-id": None,
            "possible-values-parent-cf-id": None,
            "created-at": now,
            "updated-at": now,
            "_entities": entities,
        },
    )


def create_test(
    store: Store,
    project_id: int,
    attributes: dict[str, Any],
    author_id: int,
    steps: list[dict[str, Any]] | None = None,
) -> Entity:
    now = store.now_iso()
    with store.lock:
        test = store.insert(
            "tests",
            {
                "project-id": project_id,
                "display-id": store.next_display_id(f"tests:{project_id}"),
                "name": attributes["name"],
                "description": attributes.get("description"),
                "steps-count": 0,
                "status": attributes.get("status", "Draft"),
                "run-status": "NO RUN",
                "last-run": None,
                "author-id": author_id,
                "assigned-to-id": attributes.get("assigned-to-id"),
                "assigned-to-type": attributes.get("assigned-to-type"),
                "cloned-from-id": None,
                "planned-execution": attributes.get("planned-execution"),
                "version": attributes.get("version"),
                "priority": attributes.get("priority"),
                "duration-estimate": attributes.get("duration-estimate", "00:00:00"),
                "test-type": attributes.get("test-type", "ApiTest"),
                "custom-fields": dict(attributes.get("custom-fields") or {}),
                "tags": list(attributes.get("tags") or []),
                "automated-fields": dict(attributes.get("automated-fields") or {}),
                "folder-id": attributes.get("folder-id"),
                "created-at": now,
                "updated-at": now,
            },
        )
        add_steps(store, test, steps or [])
    return test


def add_steps(store: Store, test: Entity, steps: list[dict[str, Any]]) -> list[Entity]:
    created = []
    with store.lock:
        for step in steps:
            test["steps-count"] += 1
            now = store.now_iso()
            created.append(
                store.insert(
                    "steps",
                    {
                        "project-id": test["project-id"],
                        "kind": "ManualStep",
                        "test-id": test["id"],
                        "test-to-call-id": None,
                        "name": step["name"],
                        "description": step.get("description"),
                        "expected-results": step.get("expected-results"),
                        "position": test["steps-count"],
                        "created-at": now,
                        "updated-at": now,
                    },
                )
            )
    return created


def create_set(
    store: Store, project_id: int, attributes: dict[str, Any], author_id: int | None
) -> Entity:
    now = store.now_iso()
    return store.insert(
        "sets",
        {
            "project-id": project_id,
            "display-id": store.next_display_id(f"sets:{project_id}"),
            "name": attributes["name"],
            "description": attributes.get("description"),
            "instances-count": 0,
            "_statuses": {},  # instances per run status (see refresh_set_status)
            "run-status": "NO RUN",
            "last-run": None,
            "author-id": author_id,
            "assigned-to-id": attributes.get("assigned-to-id"),
            "assigned-to-type": attributes.get("assigned-to-type"),
            "planned-execution": attributes.get("planned-execution"),
            "status": attributes.get("status"),
            "version": attributes.get("version"),
            "priority": attributes.get("priority"),
            "custom-fields": dict(attributes.get("custom-fields") or {}),
            "tags": list(attributes.get("tags") or []),
            "folder-id": None,
            "milestone-id": attributes.get("milestone-id"),
            "created-at": now,
            "updated-at": now,
        },
    )


def create_instance(
    store: Store, test_set: Entity, test: Entity, attributes: dict[str, Any] | None = None
) -> Entity:
    attributes = attributes or {}
    now = store.now_iso()
    with store.lock:
        number = store.next_display_id(f"set:{test_set['id']}")
        test_set["instances-count"] += 1
        _count_status(test_set, "NO RUN", +1)
        test_set["updated-at"] = now
        return store.insert(
            "instances",
            {
                "name": test["name"],
                "project-id": test_set["project-id"],
                "set-id": test_set["id"],
                "set-display-id": test_set["display-id"],
                "test-id": test["id"],
                "test-display-id": test["display-id"],
                "custom-fields": dict(attributes.get("custom-fields") or {}),
                "display-id": f"{test_set['display-id']}:{number}",
                "tester-id": None,
                "priority": attributes.get("priority"),
                "last-run-duration": "00:00:00",
                "last-run": None,
                "run-status": "NO RUN",
                "planned-execution": attributes.get("planned-execution"),
                "version": attributes.get("version"),
                "assigned-to-id": attributes.get("assigned-to-id"),
                "assigned-to-type": attributes.get("assigned-to-type"),
                "created-at": now,
                "updated-at": now,
            },
        )


def create_attachment(
    store: Store, project_id: int, entity: str, entity_id: int, filename: str, content: bytes
) -> Entity:
    return store.insert(
        "attachments",
        {
            "name": filename,
            "size": len(content),
            "project-id": project_id,
            "_entity": entity,
            "_entity-id": entity_id,
            "_content": content,
            "created-at": store.now_iso(),
        },
    )


def create_run(
    store: Store,
    instance: Entity,
    attributes: dict[str, Any],
    steps: list[dict[str, Any]],
    files: list[tuple[str, bytes]],
    tester_id: int | None,
    *,
    refresh_set: bool = True,
) -> Entity:
    """Store a run with its step runs and files; update instance, set and test.

    A bulk passes ``refresh_set=False`` and calls ``refresh_set_status`` once per
    set afterwards: recomputing a set's status scans all its instances.
    """
    if steps:
        status = run_status_from_steps(s["status"] for s in steps)
    elif "exit-code" in attributes:
        status = "PASSED" if attributes["exit-code"] == 0 else "FAILED"
    else:
        status = "NO RUN"
    now = store.now_iso()
    project_id = instance["project-id"]
    with store.lock:
        run = store.insert(
            "runs",
            {
                "project-id": project_id,
                "status": status,
                "tester-id": tester_id,
                "instance-id": instance["id"],
                "preconditions": None,
                "version": attributes.get("version"),
                "test-id": instance["test-id"],
                "run-type": attributes.get("run-type", "AutomatedRun"),
                "custom-fields": dict(attributes.get("custom-fields") or {}),
                "automated-execution-output": attributes.get("automated-execution-output"),
                "run-duration": attributes.get("run-duration", "00:00:00"),
                "run-date": attributes.get("run-date"),
                "created-at": now,
                "updated-at": now,
                "_exit-code": attributes.get("exit-code"),
            },
        )
        for position, step in enumerate(steps, start=1):
            step_run = store.insert(
                "step_runs",
                {
                    "project-id": project_id,
                    "run-id": run["id"],
                    "name": step["name"],
                    "description": step.get("description"),
                    "expected-results": step.get("expected-results"),
                    "actual-results": step.get("actual-results"),
                    "status": step["status"],
                    "position": position,
                    "created-at": now,
                    "updated-at": now,
                },
            )
            for filename, content in step.get("_files", []):
                create_attachment(store, project_id, "step-run", step_run["id"], filename, content)
        for filename, content in files:
            create_attachment(store, project_id, "run", run["id"], filename, content)
        _record_run_on_targets(store, instance, run, refresh_set)
    return run


def _record_run_on_targets(store: Store, instance: Entity, run: Entity, refresh_set: bool) -> None:
    test_set = store.get("sets", instance["set-id"])
    if test_set is not None:
        _count_status(test_set, instance["run-status"], -1)
        _count_status(test_set, run["status"], +1)
    instance.update(
        {
            "run-status": run["status"],
            "last-run": run["created-at"],
            "last-run-duration": run["run-duration"],
            "tester-id": run["tester-id"],
            "updated-at": run["created-at"],
        }
    )
    if test_set is not None:
        if refresh_set:
            refresh_set_status(store, test_set)
        test_set["last-run"] = run["created-at"]
    test = store.get("tests", instance["test-id"])
    if test is not None:
        test["run-status"] = run["status"]
        test["last-run"] = run["created-at"]


def _count_status(test_set: Entity, status: str, change: int) -> None:
    counts = test_set.get("_statuses")
    if counts is not None:
        counts[status] = counts.get(status, 0) + change


def refresh_set_status(store: Store, test_set: Entity) -> None:
    """The set's run status from how many of its instances have each status.

    The counts live on the set (``_statuses``, never shown) and change with each
    instance and run, so a bulk of runs costs the same in a set of 10 or 10,000
    instances; they are rebuilt by one scan when missing (a state file from before).
    """
    counts = test_set.get("_statuses")
    if counts is None:
        counts = {}
        for instance in store.table("instances").values():
            if instance["set-id"] == test_set["id"]:
                counts[instance["run-status"]] = counts.get(instance["run-status"], 0) + 1
        test_set["_statuses"] = counts
    test_set["run-status"] = aggregate_status(status for status, n in counts.items() if n > 0)


def delete(store: Store, table: str, entity_id: int) -> None:
    """Delete an entity and everything that hangs off it."""
    with store.lock:
        entity = store.table(table).pop(entity_id, None)
        if entity is None:
            return
        children: list[tuple[str, str]] = {
            "tests": [("instances", "test-id"), ("steps", "test-id")],
            "sets": [("instances", "set-id")],
            "instances": [("runs", "instance-id")],
            "runs": [("step_runs", "run-id")],
        }.get(table, [])
        for child_table, key in children:
            for child_id in [
                c["id"] for c in store.table(child_table).values() if c[key] == entity_id
            ]:
                delete(store, child_table, child_id)
        _delete_attachments_of(store, table, entity_id)
        if table == "instances":
            test_set = store.get("sets", entity["set-id"])
            if test_set is not None:
                test_set["instances-count"] -= 1
                _count_status(test_set, entity["run-status"], -1)
                refresh_set_status(store, test_set)
        if table == "steps":
            test = store.get("tests", entity["test-id"])
            if test is not None:
                test["steps-count"] -= 1


def _delete_attachments_of(store: Store, table: str, entity_id: int) -> None:
    names = [name for name, tbl in ATTACHMENT_ENTITIES.items() if tbl == table]
    attachments = store.table("attachments")
    for attachment_id in [
        a["id"]
        for a in attachments.values()
        if a["_entity"] in names and a["_entity-id"] == entity_id
    ]:
        attachments.pop(attachment_id)
