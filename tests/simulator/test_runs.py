"""Runs: creation (one, bulk, auto_create), validation rules, state updates."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests

from pytest_practitest.simulator import Simulator
from tests.helpers import Api, b64, error_detail, pointers, run_item


def test_exit_code_zero_passes_and_updates_instance_set_and_test(
    api: Api, sim: Simulator, instances: list[int]
) -> None:
    run = api.run(instances[0], **{"exit-code": 0, "run-duration": "00:01:05", "version": "1.2"})
    attributes = run["attributes"]
    assert run["type"] == "runs"
    assert attributes["status"] == "PASSED"
    assert attributes["run-type"] == "AutomatedRun"
    assert attributes["run-duration"] == "00:01:05"
    assert attributes["version"] == "1.2"
    instance = api.data(api.p(f"/instances/{instances[0]}.json"))["attributes"]
    assert instance["run-status"] == "PASSED"
    assert instance["last-run"] == attributes["created-at"]
    assert instance["last-run-duration"] == "00:01:05"
    test_set = api.data(api.p(f"/sets/{sim.info.set_id}.json"))["attributes"]
    # Seven instances have not run yet.
    assert test_set["run-status"] == "NOT COMPLETED"
    assert test_set["last-run"] == attributes["created-at"]
    test = api.data(api.p(f"/tests/{instance['test-id']}.json"))["attributes"]
    assert test["run-status"] == "PASSED"


def test_nonzero_exit_code_fails(api: Api, instances: list[int]) -> None:
    assert api.run(instances[0], **{"exit-code": 3})["attributes"]["status"] == "FAILED"


def test_no_exit_code_and_no_steps_is_no_run(api: Api, instances: list[int]) -> None:
    assert api.run(instances[0])["attributes"]["status"] == "NO RUN"


def test_set_status_when_every_instance_passed_or_one_failed(
    api: Api, sim: Simulator, instances: list[int]
) -> None:
    for instance_id in instances:
        api.run(instance_id, **{"exit-code": 0})
    path = api.p(f"/sets/{sim.info.set_id}.json")
    assert api.data(path)["attributes"]["run-status"] == "PASSED"
    api.run(instances[3], **{"exit-code": 1})
    assert api.data(path)["attributes"]["run-status"] == "FAILED"


def test_set_status_follows_deleted_instances_and_survives_a_missing_count(
    api: Api, sim: Simulator, instances: list[int]
) -> None:
    from pytest_practitest.simulator import entities

    for instance_id in instances:
        api.run(instance_id, **{"exit-code": 0})
    api.run(instances[3], **{"exit-code": 1})
    path = api.p(f"/sets/{sim.info.set_id}.json")
    assert api.data(path)["attributes"]["run-status"] == "FAILED"
    assert "_statuses" not in api.data(path)["attributes"]  # the counts are never shown
    api.delete(api.p(f"/instances/{instances[3]}.json")).raise_for_status()
    assert api.data(path)["attributes"]["run-status"] == "PASSED"
    # A state file written before the counts existed: they are rebuilt from the instances.
    [test_set] = [s for s in sim.store.table("sets").values() if s["id"] == sim.info.set_id]
    del test_set["_statuses"]
    entities.refresh_set_status(sim.store, test_set)
    assert test_set["_statuses"] == {"PASSED": len(instances) - 1}
    api.run(instances[0], **{"exit-code": 1})
    assert api.data(path)["attributes"]["run-status"] == "FAILED"


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        (["PASSED", "PASSED"], "PASSED"),
        (["PASSED", "FAILED", "BLOCKED"], "FAILED"),
        (["PASSED", "BLOCKED"], "BLOCKED"),
        (["PASSED", "NO RUN"], "NOT COMPLETED"),
        (["NO RUN", "NO RUN"], "NO RUN"),
        (["N/A", "N/A"], "N/A"),
        (["PASSED", "N/A"], "PASSED"),
    ],
)
def test_steps_override_exit_code(
    api: Api, instances: list[int], statuses: list[str], expected: str
) -> None:
    item = run_item(instances[0], **{"exit-code": 0})
    item["steps"] = {"data": [{"name": f"s{i}", "status": s} for i, s in enumerate(statuses)]}
    response = api.post(api.p("/runs.json"), {"data": item})
    assert response.status_code == 200, response.text
    assert response.json()["data"]["attributes"]["status"] == expected


def test_step_runs_are_stored_with_positions_and_files(
    api: Api, sim: Simulator, instances: list[int]
) -> None:
    screenshot = bytes(range(256)) * 40
    item = run_item(instances[0])
    item["steps"] = {
        "data": [
            {
                "name": "open cart",
                "description": "d",
                "expected-results": "e",
                "actual-results": "a",
                "status": "PASSED",
            },
            {
                "name": "pay",
                "status": "FAILED",
                "files": {"data": [{"filename": "screen.png", "content_encoded": b64(screenshot)}]},
            },
        ]
    }
    item["files"] = {"data": [{"filename": "log.txt", "content_encoded": b64(b"line 1\nline 2\n")}]}
    run = api.post(api.p("/runs.json"), {"data": item}).json()["data"]
    assert run["attributes"]["status"] == "FAILED"
    step_runs = api.data(api.p("/step_runs.json"), **{"run-ids": run["id"]})
    assert [
        (s["type"], s["attributes"]["name"], s["attributes"]["position"], s["attributes"]["status"])
        for s in step_runs
    ] == [("step-runs", "open cart", 1, "PASSED"), ("step-runs", "pay", 2, "FAILED")]
    assert step_runs[0]["attributes"]["actual-results"] == "a"
    run_files = api.data(api.p("/attachments.json"), entity="run", **{"entity-id": run["id"]})
    assert [(a["attributes"]["name"], a["attributes"]["size"]) for a in run_files] == [
        ("log.txt", 14)
    ]
    step_files = api.data(
        api.p("/attachments.json"), entity="step-run", **{"entity-id": step_runs[1]["id"]}
    )
    assert [a["attributes"]["name"] for a in step_files] == ["screen.png"]
    download = api.get(api.p(f"/attachments/{step_files[0]['id']}"))
    assert download.status_code == 200
    assert download.content == screenshot
    assert api.get(api.p(f"/attachments/{run_files[0]['id']}")).content == b"line 1\nline 2\n"


def test_base64_wrapped_at_76_columns_is_accepted(api: Api, instances: list[int]) -> None:
    import base64

    content = b"x" * 300
    wrapped = base64.encodebytes(content).decode("ascii")  # newline every 76 characters
    item = run_item(instances[0], **{"exit-code": 0})
    item["files"] = {"data": [{"filename": "big.log", "content_encoded": wrapped}]}
    response = api.post(api.p("/runs.json"), {"data": item})
    assert response.status_code == 200, response.text


def test_bulk_of_20_runs(api: Api, sim: Simulator, instances: list[int]) -> None:
    items = [run_item(instances[i % 8], **{"exit-code": i % 2}) for i in range(20)]
    response = api.post(api.p("/runs.json"), {"data": items})
    assert response.status_code == 200
    data = response.json()["data"]
    assert len(data) == 20
    assert [r["attributes"]["status"] for r in data[:2]] == ["PASSED", "FAILED"]
    assert len(sim.entities("runs")) == 20


def test_run_with_custom_fields_and_manual_run(
    api: Api, sim: Simulator, instances: list[int]
) -> None:
    browser = f"---f-{sim.info.custom_fields['Browser']}"
    tester = sim.info.users["qa.engineer@example.com"]
    run = api.run(instances[0], **{"exit-code": 0, "custom-fields": {browser: "Chrome"}})
    assert run["attributes"]["custom-fields"] == {browser: "Chrome"}
    manual = api.run(
        instances[1], **{"run-type": "ManualRun", "tester-id": tester, "run-date": "2026-11-27"}
    )
    assert manual["attributes"]["run-type"] == "ManualRun"
    assert manual["attributes"]["tester-id"] == tester


def test_personal_token_run_records_its_owner_as_tester(
    sim: Simulator, instances: list[int]
) -> None:
    token = sim.info.personal_tokens["qa.engineer@example.com"]
    with Api(sim.url, token, sim.info.project_id) as personal:
        run = personal.run(instances[0], **{"exit-code": 0})
    assert run["attributes"]["tester-id"] == sim.info.users["qa.engineer@example.com"]


VALIDATION_CASES = [
    # (id, attribute overrides, extra members, pointer, detail)
    (
        "missing instance-id",
        {"instance-id": None},
        {},
        "/data/attributes/instance-id",
        "instance-id is required",
    ),
    (
        "unknown instance-id",
        {"instance-id": 123},
        {},
        "/data/attributes/instance-id",
        "instance-id 123 does not exist in project 4500",
    ),
    (
        "display id as instance-id",
        {"instance-id": "1:1"},
        {},
        "/data/attributes/instance-id",
        "instance-id must be an integer id, got '1:1'",
    ),
    (
        "bad step status",
        {},
        {"steps": {"data": [{"name": "s", "status": "passed"}]}},
        "/data/steps/data/0/status",
        "status must be one of PASSED, FAILED, BLOCKED, NO RUN, N/A; got 'passed'",
    ),
    (
        "step without name",
        {},
        {"steps": {"data": [{"status": "PASSED"}]}},
        "/data/steps/data/0/name",
        "name is required",
    ),
    (
        "output over 255",
        {"automated-execution-output": "x" * 256},
        {},
        "/data/attributes/automated-execution-output",
        "automated-execution-output is 256 characters; at most 255 are allowed",
    ),
    (
        "file without filename",
        {},
        {"files": {"data": [{"content_encoded": "aGk="}]}},
        "/data/files/data/0/filename",
        "filename is required",
    ),
    (
        "file with invalid base64",
        {},
        {"files": {"data": [{"filename": "a.txt", "content_encoded": "@@@"}]}},
        "/data/files/data/0/content_encoded",
        "content_encoded is not valid base64",
    ),
    (
        "step file with invalid base64",
        {},
        {
            "steps": {
                "data": [
                    {
                        "name": "s",
                        "status": "PASSED",
                        "files": {"data": [{"filename": "a", "content_encoded": "%"}]},
                    }
                ]
            }
        },
        "/data/steps/data/0/files/data/0/content_encoded",
        "content_encoded is not valid base64",
    ),
    (
        "files not a list",
        {},
        {"files": [{"filename": "a"}]},
        "/data/files",
        "files must be an object with a data list",
    ),
    (
        "exit-code not an integer",
        {"exit-code": "0"},
        {},
        "/data/attributes/exit-code",
        "exit-code must be an integer, got '0'",
    ),
    (
        "bad duration",
        {"run-duration": "65 seconds"},
        {},
        "/data/attributes/run-duration",
        "run-duration must be HH:MM:SS, got '65 seconds'",
    ),
    (
        "bad run-type",
        {"run-type": "Robot"},
        {},
        "/data/attributes/run-type",
        "run-type must be one of AutomatedRun, ManualRun; got 'Robot'",
    ),
    (
        "manual run without tester",
        {"run-type": "ManualRun"},
        {},
        "/data/attributes/tester-id",
        "tester-id is required when using an account token",
    ),
    (
        "run-date on automated run",
        {"run-date": "2026-01-01"},
        {},
        "/data/attributes/run-date",
        "run-date is for ManualRun only",
    ),
    (
        "misspelt attribute",
        {"exit_code": 0},
        {},
        "/data/attributes/exit_code",
        "unknown member 'exit_code'",
    ),
    (
        "unknown custom field",
        {"custom-fields": {"---f-1": "x"}},
        {},
        "/data/attributes/custom-fields/---f-1",
        "unknown custom field '---f-1' in project 4500",
    ),
    (
        "version not a string",
        {"version": 2},
        {},
        "/data/attributes/version",
        "version must be a string",
    ),
]


@pytest.mark.parametrize(
    ("overrides", "members", "pointer", "detail"),
    [case[1:] for case in VALIDATION_CASES],
    ids=[case[0] for case in VALIDATION_CASES],
)
def test_run_validation(
    api: Api,
    sim: Simulator,
    instances: list[int],
    overrides: dict[str, Any],
    members: dict[str, Any],
    pointer: str,
    detail: str,
) -> None:
    item = run_item(instances[0], **{"exit-code": 0})
    for key, value in overrides.items():
        if value is None:
            item["attributes"].pop(key)
        else:
            item["attributes"][key] = value
    item.update(members)
    response = api.post(api.p("/runs.json"), {"data": item})
    assert response.status_code == 422
    assert pointers(response) == [pointer]
    assert error_detail(response) == detail
    assert sim.entities("runs") == []


def test_bulk_of_21_runs_is_422(api: Api, sim: Simulator, instances: list[int]) -> None:
    items = [run_item(instances[0], **{"exit-code": 0}) for _ in range(21)]
    response = api.post(api.p("/runs.json"), {"data": items})
    assert response.status_code == 422
    assert error_detail(response) == "at most 20 entries per request, got 21"
    assert sim.entities("runs") == []


def test_one_bad_entry_rejects_the_bulk_and_names_it(
    api: Api, sim: Simulator, instances: list[int]
) -> None:
    items = [run_item(instances[i % 8], **{"exit-code": 0}) for i in range(20)]
    items[13]["attributes"]["instance-id"] = 99
    response = api.post(api.p("/runs.json"), {"data": items})
    assert response.status_code == 422
    assert pointers(response) == ["/data/13/attributes/instance-id"]
    assert sim.entities("runs") == []


def test_wrong_type_is_422(api: Api, instances: list[int]) -> None:
    response = api.post(
        api.p("/runs.json"), {"data": {"type": "runs", "attributes": {"instance-id": instances[0]}}}
    )
    assert response.status_code == 422
    assert error_detail(response) == "type must be 'instances', got 'runs'"
    assert pointers(response) == ["/data/type"]


def test_missing_data_is_422(api: Api) -> None:
    response = api.post(api.p("/runs.json"), {"runs": []})
    assert response.status_code == 422
    assert error_detail(response) == "data is required and must be an object"


def test_empty_bulk_is_422(api: Api) -> None:
    response = api.post(api.p("/runs.json"), {"data": []})
    assert response.status_code == 422
    assert error_detail(response) == "data must not be an empty list"


def test_malformed_json_is_400(api: Api, sim: Simulator) -> None:
    response = requests.post(
        api.url(api.p("/runs.json")),
        data=b'{"data": {',
        timeout=5,
        headers={"PTToken": sim.token, "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert error_detail(response).startswith("malformed JSON at line 1 column 11")


def test_non_json_content_type_is_400(api: Api, sim: Simulator, instances: list[int]) -> None:
    body = json.dumps({"data": run_item(instances[0])})
    response = requests.post(
        api.url(api.p("/runs.json")),
        data=body,
        timeout=5,
        headers={"PTToken": sim.token, "Content-Type": "text/plain"},
    )
    assert response.status_code == 400
    assert error_detail(response) == "Content-Type must be application/json, got text/plain"


def test_list_runs_filters(api: Api, sim: Simulator, instances: list[int]) -> None:
    first = api.run(instances[0], **{"exit-code": 0})
    api.run(instances[1], **{"exit-code": 1})
    tester = sim.info.users["owner@example.com"]
    api.run(instances[1], **{"run-type": "ManualRun", "tester-id": tester})
    assert len(api.data(api.p("/runs.json"))) == 3
    assert [r["id"] for r in api.data(api.p("/runs.json"), **{"instance-ids": instances[0]})] == [
        first["id"]
    ]
    test_id = first["attributes"]["test-id"]
    assert [r["id"] for r in api.data(api.p("/runs.json"), **{"test-ids": test_id})] == [
        first["id"]
    ]
    assert len(api.data(api.p("/runs.json"), **{"set-ids": sim.info.set_id})) == 3
    assert len(api.data(api.p("/runs.json"), **{"run-type": "ManualRun"})) == 1
    assert len(api.data(api.p("/runs.json"), **{"updated-hours-ago": "1"})) == 3
    assert api.get(api.p("/runs.json"), **{"run-type": "Manual"}).status_code == 400


def test_step_run_filters(api: Api, instances: list[int]) -> None:
    item = run_item(instances[0])
    item["steps"] = {
        "data": [{"name": "Login", "status": "PASSED"}, {"name": "Logout", "status": "FAILED"}]
    }
    run_id = api.post(api.p("/runs.json"), {"data": item}).json()["data"]["id"]
    assert len(api.data(api.p("/step_runs.json"), status="FAILED")) == 1
    assert api.data(api.p("/step_runs.json"), status="failed") == []
    assert len(api.data(api.p("/step_runs.json"), name_like="log")) == 2
    assert len(api.data(api.p("/step_runs.json"), name_exact="Login", **{"run-ids": run_id})) == 1


def auto_body(**attributes: Any) -> dict[str, Any]:
    return {"data": {"type": "instances", "attributes": attributes}}


def test_auto_create_with_existing_test_and_instance(api: Api, sim: Simulator) -> None:
    test_id = api.data(api.p("/tests.json"))[0]["id"]
    response = api.post(
        api.p("/runs/auto_create.json"),
        auto_body(**{"set-id": sim.info.set_id, "test-id": int(test_id), "exit-code": 0}),
    )
    assert response.status_code == 200, response.text
    assert response.json()["meta"] == {}
    assert response.json()["data"]["attributes"]["status"] == "PASSED"


def test_auto_create_finds_test_by_name_and_creates_instance(api: Api, sim: Simulator) -> None:
    new_set = api.post(
        api.p("/sets.json"), {"data": {"type": "sets", "attributes": {"name": "CI"}}}
    ).json()["data"]
    body = auto_body(**{"set-id": int(new_set["id"]), "exit-code": 1})
    body["data"]["test-attributes"] = {"name": "Login: valid credentials"}
    response = api.post(api.p("/runs/auto_create.json"), body)
    assert response.status_code == 200, response.text
    meta = response.json()["meta"]
    assert set(meta) == {"created-instance"}
    assert response.json()["data"]["attributes"]["instance-id"] == meta["created-instance"]
    # A second run reuses the instance.
    again = api.post(api.p("/runs/auto_create.json"), body).json()
    assert again["meta"] == {}


def test_auto_create_creates_a_missing_test(api: Api, sim: Simulator) -> None:
    owner = sim.info.users["owner@example.com"]
    body = auto_body(**{"set-id": sim.info.set_id})
    body["data"]["test-attributes"] = {
        "name": "Brand new",
        "author-id": owner,
        "test-type": "ApiTest",
    }
    body["data"]["steps"] = {"data": [{"name": "one", "status": "PASSED"}]}
    response = api.post(api.p("/runs/auto_create.json"), body)
    assert response.status_code == 200, response.text
    meta = response.json()["meta"]
    assert set(meta) == {"created-test", "created-instance"}
    assert (
        api.data(api.p(f"/tests/{meta['created-test']}.json"))["attributes"]["name"] == "Brand new"
    )


def test_auto_create_new_test_with_account_token_needs_author(api: Api, sim: Simulator) -> None:
    body = auto_body(**{"set-id": sim.info.set_id, "exit-code": 0})
    body["data"]["test-attributes"] = {"name": "Nobody's test"}
    response = api.post(api.p("/runs/auto_create.json"), body)
    assert response.status_code == 422
    assert pointers(response) == ["/data/test-attributes/author-id"]
    assert api.data(api.p("/tests.json"), name_exact="Nobody's test") == []


def test_auto_create_with_personal_token_authors_as_owner(sim: Simulator) -> None:
    token = sim.info.personal_tokens["qa.engineer@example.com"]
    with Api(sim.url, token, sim.info.project_id) as personal:
        body = auto_body(**{"set-id": sim.info.set_id, "exit-code": 0})
        body["data"]["test-attributes"] = {"name": "PAT test"}
        response = personal.post(personal.p("/runs/auto_create.json"), body)
        assert response.status_code == 200, response.text
        test = personal.data(personal.p(f"/tests/{response.json()['meta']['created-test']}.json"))
    assert test["attributes"]["author-id"] == sim.info.users["qa.engineer@example.com"]


@pytest.mark.parametrize(
    ("body", "pointer", "detail"),
    [
        (
            auto_body(**{"exit-code": 0, "test-id": 80000}),
            "/data/attributes/set-id",
            "set-id is required",
        ),
        (auto_body(**{"set-id": 20000}), "/data/test-attributes/name", "name is required"),
        (
            auto_body(**{"set-id": 20000, "test-id": 5}),
            "/data/attributes/test-id",
            "test-id 5 does not exist in project 4500",
        ),
        (
            {"data": [auto_body(**{"set-id": 20000, "test-id": 80000})["data"]]},
            "/data",
            "data must be a single object here",
        ),
    ],
    ids=["no set-id", "no test-id or name", "unknown test-id", "bulk"],
)
def test_auto_create_validation(api: Api, body: dict[str, Any], pointer: str, detail: str) -> None:
    response = api.post(api.p("/runs/auto_create.json"), body)
    assert response.status_code == 422
    assert pointers(response) == [pointer]
    assert error_detail(response) == detail
