"""Test sets and instances."""

from __future__ import annotations

from typing import Any

from pytest_practitest.simulator import Simulator
from tests.helpers import Api, error_detail, pointers


def set_body(**attributes: Any) -> dict[str, Any]:
    return {"data": {"type": "sets", "attributes": attributes}}


def instance_item(set_id: Any, test_id: Any, **extra: Any) -> dict[str, Any]:
    return {"type": "instances", "attributes": {"set-id": set_id, "test-id": test_id, **extra}}


def all_test_ids(api: Api) -> list[int]:
    return [int(t["id"]) for t in api.data(api.p("/tests.json"))]


def test_list_sets_filters(api: Api, sim: Simulator) -> None:
    api.post(api.p("/sets.json"), set_body(name="Smoke"))
    assert [s["attributes"]["name"] for s in api.data(api.p("/sets.json"))] == [
        "Nightly regression",
        "Smoke",
    ]
    assert len(api.data(api.p("/sets.json"), name_exact="Smoke")) == 1
    assert len(api.data(api.p("/sets.json"), name_like="nightly")) == 1
    assert [
        s["attributes"]["display-id"] for s in api.data(api.p("/sets.json"), **{"display-ids": "2"})
    ] == [2]


def test_create_set_with_instances(api: Api) -> None:
    tests = all_test_ids(api)[:3]
    body = set_body(name="Release 2.0", priority="highest")
    body["data"]["instances"] = {"test-ids": tests}
    created = api.post(api.p("/sets.json"), body)
    assert created.status_code == 200
    test_set = created.json()["data"]
    assert test_set["attributes"]["instances-count"] == 3
    assert test_set["attributes"]["run-status"] == "NO RUN"
    instances = api.data(api.p("/instances.json"), **{"set-ids": test_set["id"]})
    display = test_set["attributes"]["display-id"]
    assert [i["attributes"]["display-id"] for i in instances] == [
        f"{display}:1",
        f"{display}:2",
        f"{display}:3",
    ]
    assert [i["attributes"]["test-id"] for i in instances] == tests


def test_create_set_with_unknown_test_is_422_and_creates_nothing(api: Api) -> None:
    body = set_body(name="Broken")
    body["data"]["instances"] = {"test-ids": [all_test_ids(api)[0], 42]}
    response = api.post(api.p("/sets.json"), body)
    assert response.status_code == 422
    assert pointers(response) == ["/data/instances/test-ids/1"]
    assert api.data(api.p("/sets.json"), name_exact="Broken") == []


def test_create_set_requires_name(api: Api) -> None:
    response = api.post(api.p("/sets.json"), set_body(description="no name"))
    assert response.status_code == 422
    assert error_detail(response) == "name is required"


def test_set_show_with_duration_update_delete(api: Api, sim: Simulator) -> None:
    path = api.p(f"/sets/{sim.info.set_id}.json")
    assert "duration-estimate" not in api.data(path)["attributes"]
    shown = api.data(path, duration="true")["attributes"]
    assert shown["duration-estimate"] == "00:00:00"
    assert shown["actual-duration"] == "00:00:00"
    updated = api.put(path, set_body(version="1.5", name="Nightly"))
    assert updated.json()["data"]["attributes"]["name"] == "Nightly"
    assert api.delete(path).status_code == 200
    assert api.get(path).status_code == 404
    assert api.data(api.p("/instances.json"), **{"set-ids": sim.info.set_id}) == []


def test_instance_filters(api: Api, sim: Simulator) -> None:
    instances = api.data(api.p("/instances.json"), **{"set-ids": sim.info.set_id})
    assert len(instances) == 8
    first = instances[0]["attributes"]
    by_test = api.data(api.p("/instances.json"), **{"test-ids": first["test-id"]})
    assert [i["id"] for i in by_test] == [instances[0]["id"]]
    by_display = api.data(api.p("/instances.json"), **{"display-id": first["display-id"]})
    assert [i["id"] for i in by_display] == [instances[0]["id"]]
    by_test_display = api.data(api.p("/instances.json"), **{"test-display-ids": "1,2"})
    assert len(by_test_display) == 2
    assert len(api.data(api.p("/instances.json"), name_like="login")) == 2
    assert len(api.data(api.p("/instances.json"), name_exact="Login: locked account")) == 1
    combined = api.data(api.p("/instances.json"), **{"set-ids": "1"}, name_like="login")
    assert combined == []


def test_create_one_instance(api: Api, sim: Simulator) -> None:
    test_id = all_test_ids(api)[0]
    response = api.post(api.p("/instances.json"), {"data": instance_item(sim.info.set_id, test_id)})
    assert response.status_code == 200
    instance = response.json()["data"]
    assert instance["type"] == "instances"
    assert instance["attributes"]["display-id"] == "1:9"
    test_set = api.data(api.p(f"/sets/{sim.info.set_id}.json"))
    assert test_set["attributes"]["instances-count"] == 9


def test_create_bulk_of_20_instances(api: Api) -> None:
    test_set = api.post(api.p("/sets.json"), set_body(name="Bulk")).json()["data"]
    tests = all_test_ids(api)
    items = [instance_item(int(test_set["id"]), tests[i % len(tests)]) for i in range(20)]
    response = api.post(api.p("/instances.json"), {"data": items})
    assert response.status_code == 200
    assert len(response.json()["data"]) == 20


def test_bulk_of_21_instances_is_422(api: Api, sim: Simulator) -> None:
    test_id = all_test_ids(api)[0]
    items = [instance_item(sim.info.set_id, test_id) for _ in range(21)]
    response = api.post(api.p("/instances.json"), {"data": items})
    assert response.status_code == 422
    assert error_detail(response) == "at most 20 entries per request, got 21"
    assert pointers(response) == ["/data"]


def test_instance_with_unknown_ids_is_422_naming_each(api: Api, sim: Simulator) -> None:
    items = [
        instance_item(sim.info.set_id, all_test_ids(api)[0]),
        instance_item(sim.info.set_id, 1),
        instance_item(7, all_test_ids(api)[0]),
        {"type": "instances", "attributes": {"set-id": sim.info.set_id}},
    ]
    response = api.post(api.p("/instances.json"), {"data": items})
    assert response.status_code == 422
    assert pointers(response) == [
        "/data/1/attributes/test-id",
        "/data/2/attributes/set-id",
        "/data/3/attributes/test-id",
    ]
    assert "test-id is required" in error_detail(response)
    # Nothing of the bulk was stored.
    assert len(api.data(api.p("/instances.json"), **{"set-ids": sim.info.set_id})) == 8


def test_test_id_given_as_instance_id_range_is_rejected(api: Api, sim: Simulator) -> None:
    instance_id = api.data(api.p("/instances.json"))[0]["id"]
    response = api.post(
        api.p("/instances.json"), {"data": instance_item(sim.info.set_id, instance_id)}
    )
    assert response.status_code == 422
    assert (
        error_detail(response)
        == f"test-id {instance_id} does not exist in project {api.project_id}"
    )


def test_instance_show_update_delete(api: Api, sim: Simulator) -> None:
    instance = api.data(api.p("/instances.json"))[0]
    path = api.p(f"/instances/{instance['id']}.json")
    assert api.data(path)["attributes"]["name"] == instance["attributes"]["name"]
    browser = sim.info.custom_fields["Browser"]
    body = {
        "data": {
            "type": "instances",
            "attributes": {"version": "1.5", "custom-fields": {f"---f-{browser}": "Firefox"}},
        }
    }
    updated = api.put(path, body).json()["data"]["attributes"]
    assert updated["custom-fields"] == {f"---f-{browser}": "Firefox"}
    bad = {
        "data": {"type": "instances", "attributes": {"custom-fields": {f"---f-{browser}": "Opera"}}}
    }
    response = api.put(path, bad)
    assert response.status_code == 422
    assert error_detail(response) == (
        f"'Opera' is not a value of ---f-{browser} (Browser); allowed: Chrome, Firefox, Safari"
    )
    assert api.delete(path).status_code == 200
    assert api.get(path).status_code == 404
    assert api.data(api.p(f"/sets/{sim.info.set_id}.json"))["attributes"]["instances-count"] == 7
