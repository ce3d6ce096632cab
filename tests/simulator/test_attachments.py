"""Attachments: list by entity, download through the redirect, create, delete."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from pytest_practitest.simulator import Simulator
from tests.helpers import Api, b64, error_detail, pointers


def attach_body(entity: str, entity_id: Any, *files: tuple[str, bytes]) -> dict[str, Any]:
    return {
        "entity": entity,
        "entity-id": entity_id,
        "data": {
            "type": "attachments",
            "files": {
                "data": [
                    {"filename": name, "content_encoded": b64(content)} for name, content in files
                ]
            },
        },
    }


def test_create_list_download_delete(api: Api, sim: Simulator) -> None:
    test_id = api.data(api.p("/tests.json"))[0]["id"]
    content = b"\x00\x01binary\xff" * 1000
    created = api.post(
        api.p("/attachments.json"),
        attach_body("test", test_id, ("a.bin", content), ("b.txt", b"hi")),
    )
    assert created.status_code == 200, created.text
    assert [a["attributes"]["name"] for a in created.json()["data"]] == ["a.bin", "b.txt"]
    listed = api.data(api.p("/attachments.json"), entity="test", **{"entity-id": test_id})
    assert [(a["type"], a["attributes"]["name"], a["attributes"]["size"]) for a in listed] == [
        ("attachments", "a.bin", len(content)),
        ("attachments", "b.txt", 2),
    ]
    # The download redirects, like PractiTest's, to a URL that needs no token.
    first = api.get(api.p(f"/attachments/{listed[0]['id']}"))
    assert first.history[0].status_code == 302
    assert first.content == content
    assert first.headers["Content-Type"] == "application/octet-stream"
    location = first.history[0].headers["Location"]
    assert sim.token not in location
    assert requests.get(location, timeout=5).content == content
    assert requests.get(location.replace("signature=", "signature=x"), timeout=5).status_code == 403
    assert api.delete(api.p(f"/attachments/{listed[0]['id']}.json")).status_code == 200
    assert len(api.data(api.p("/attachments.json"), entity="test", **{"entity-id": test_id})) == 1


def test_list_needs_entity_and_entity_id(api: Api) -> None:
    response = api.get(api.p("/attachments.json"), entity="test")
    assert response.status_code == 400
    assert error_detail(response) == "entity-id is required"


def test_list_unknown_entity_type_is_400(api: Api) -> None:
    response = api.get(api.p("/attachments.json"), entity="widget", **{"entity-id": "1"})
    assert response.status_code == 400
    assert error_detail(response).startswith("entity must be one of issue, requirement, test,")


def test_list_for_missing_entity_is_404(api: Api) -> None:
    response = api.get(api.p("/attachments.json"), entity="run", **{"entity-id": "5"})
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("body", "pointer", "detail"),
    [
        (
            attach_body("run", 1, ("a", b"x")),
            "/entity",
            "entity must be one of requirement, test, testset, instance, step, step-run, issue; got 'run'",
        ),
        (
            attach_body("issue", 1, ("a", b"x")),
            "/entity",
            "entity 'issue' is not supported by the simulator",
        ),
        (
            attach_body("test", 1, ("a", b"x")),
            "/entity-id",
            "test 1 does not exist in project 4500",
        ),
        (attach_body("test", 80000), "/data/files/data", "at least one file is required"),
    ],
    ids=["run is not creatable", "issue", "missing test", "no files"],
)
def test_create_validation(api: Api, body: dict[str, Any], pointer: str, detail: str) -> None:
    response = api.post(api.p("/attachments.json"), body)
    assert response.status_code == 422
    assert pointers(response) == [pointer]
    assert error_detail(response) == detail


def test_deleting_a_run_owner_deletes_its_attachments(api: Api, sim: Simulator) -> None:
    instance_id = api.data(api.p("/instances.json"))[0]["id"]
    item = {
        "type": "instances",
        "attributes": {"instance-id": int(instance_id), "exit-code": 0},
        "files": {"data": [{"filename": "x.log", "content_encoded": b64(b"x")}]},
    }
    assert api.post(api.p("/runs.json"), {"data": item}).status_code == 200
    assert len(sim.entities("attachments")) == 1
    assert api.delete(api.p(f"/instances/{instance_id}.json")).status_code == 200
    assert sim.entities("attachments") == []
    assert sim.entities("runs") == []
