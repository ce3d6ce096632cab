"""Switches: answers the reference allows where the simulator's defaults are kinder."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from pytest_practitest.simulator import Simulator
from tests.helpers import Api, error_detail, pointers, run_item


def test_a_bulk_with_a_stale_instance_is_404_and_its_good_runs_are_stored(
    api: Api, sim: Simulator, instances: list[int]
) -> None:
    sim.switch(stale_bulk_status=404)
    body = {"data": [run_item(instances[0], **{"exit-code": 0}), run_item(399999)]}
    response = api.post(api.p("/runs.json"), body)
    assert response.status_code == 404
    assert error_detail(response) == "instance 399999 not found"
    assert pointers(response) == [""]
    assert [r["instance-id"] for r in sim.entities("runs")] == [instances[0]]


def test_by_default_a_stale_instance_is_422_with_a_pointer_and_nothing_stored(
    api: Api, sim: Simulator, instances: list[int]
) -> None:
    body = {"data": [run_item(instances[0]), run_item(399999)]}
    response = api.post(api.p("/runs.json"), body)
    assert response.status_code == 422
    assert pointers(response) == ["/data/1/attributes/instance-id"]
    assert sim.entities("runs") == []


@pytest.mark.parametrize(("shape", "expected"), [("object", dict), ("empty", type(None))])
def test_a_bulk_answered_as_one_object_or_empty(
    api: Api, sim: Simulator, instances: list[int], shape: str, expected: type
) -> None:
    sim.switch(bulk_answer=shape)
    body = {"data": [run_item(instances[0]), run_item(instances[1])]}
    response = api.post(api.p("/runs.json"), body)
    assert response.status_code == 200
    assert isinstance(response.json().get("data"), expected)
    assert len(sim.entities("runs")) == 2


def test_a_testers_token_may_run_but_not_list_fields_delete_or_create(
    api: Api, sim: Simulator, instances: list[int]
) -> None:
    sim.switch(permissions="tester")
    assert api.post(api.p("/runs.json"), {"data": [run_item(instances[0])]}).status_code == 200
    fields = api.get(api.p("/custom_fields.json"))
    assert fields.status_code == 403
    assert error_detail(fields) == (
        "Your API token is not authorized for this operation (needs customize fields)"
    )
    assert api.delete(api.p(f"/sets/{sim.info.set_id}.json")).status_code == 403
    new_test = {"data": {"type": "tests", "attributes": {"name": "t", "test-type": "ApiTest"}}}
    assert api.post(api.p("/tests.json"), new_test).status_code == 403
    auto = {
        "data": {
            "type": "instances",
            "attributes": {"set-id": sim.info.set_id, "exit-code": 0},
            "test-attributes": {"name": "A brand new test"},
        }
    }
    refused = api.post(api.p("/runs/auto_create.json"), auto)
    assert refused.status_code == 403
    assert error_detail(refused).endswith("(needs tests_editor)")


def test_test_ids_read_as_one_id(api: Api, sim: Simulator) -> None:
    listed = api.data(api.p("/instances.json"), **{"set-ids": sim.info.set_id})
    tests = [int(i["attributes"]["test-id"]) for i in listed[:3]]
    asked = {"set-ids": sim.info.set_id, "test-ids": ",".join(map(str, tests))}
    assert len(api.data(api.p("/instances.json"), **asked)) == 3
    sim.switch(single_test_ids=True)
    answered = api.data(api.p("/instances.json"), **asked)
    assert [int(i["attributes"]["test-id"]) for i in answered] == tests[:1]


def test_strict_refuses_what_the_reference_does_not_list(
    api: Api, sim: Simulator, instances: list[int]
) -> None:
    sim.switch(strict=True)
    user = next(iter(sim.info.users.values()))
    response = api.post(
        api.p("/runs.json"), {"data": [run_item(instances[0], **{"tester-id": user})]}
    )
    assert response.status_code == 422
    assert pointers(response) == ["/data/0/attributes/tester-id"]
    auto = {
        "data": {
            "type": "instances",
            "attributes": {"set-id": sim.info.set_id},
            "test-attributes": {"name": "New", "author-id": user},
        }
    }
    refused = api.post(api.p("/runs/auto_create.json"), auto)
    assert refused.status_code == 422
    assert pointers(refused) == ["/data/test-attributes/author-id"]


def test_a_smaller_body_limit_is_413(api: Api, sim: Simulator, instances: list[int]) -> None:
    sim.switch(max_body_bytes=1000)
    big = run_item(instances[0], **{"automated-execution-output": "x" * 200})
    response = api.post(api.p("/runs.json"), {"data": [big] * 6})
    assert response.status_code == 413


def test_switches_over_the_control_api(sim: Simulator) -> None:
    def control(body: object) -> tuple[int, Any]:
        answer = requests.post(f"{sim.url}/_sim/switches", json=body, timeout=5)
        return answer.status_code, answer.json()

    status, switches = control({"stale_bulk_status": 404, "max_body_bytes": 8388608})
    assert status == 200
    assert switches["stale_bulk_status"] == 404
    assert sim.max_body_bytes == 8388608
    status, refused = control({"stale_bulk_status": 410})
    assert status == 400
    assert refused["errors"][0]["detail"] == (
        "bad control request: switch stale_bulk_status: expected one of 422, 404, got 410"
    )
