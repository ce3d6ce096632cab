"""Requirements, and the requirements linked to a test (the endpoints `practitest sync` uses)."""

from __future__ import annotations

from pytest_practitest.simulator import Simulator
from tests.helpers import Api, error_detail, pointers


def test_requirements_list_by_display_id(api: Api) -> None:
    found = api.data(api.p("/requirements.json"), **{"display-ids": "1,3"})
    assert [(r["attributes"]["display-id"], r["attributes"]["name"]) for r in found] == [
        (1, "Customers can fill a cart"),
        (3, "Prices show a currency"),
    ]


def test_create_requirement_needs_a_name_and_an_author(api: Api, sim: Simulator) -> None:
    refused = api.post(api.p("/requirements.json"), {"data": {"type": "requirements"}})
    assert refused.status_code == 422
    assert pointers(refused) == ["/data/attributes/name", "/data/attributes/author-id"]
    owner = sim.info.users["owner@example.com"]
    body = {"type": "requirements", "attributes": {"name": "Refunds", "author-id": owner}}
    made = api.post(api.p("/requirements.json"), {"data": body})
    assert made.status_code == 200, made.text
    assert made.json()["data"]["attributes"]["display-id"] == 4


def test_link_replace_and_remove_requirements_of_a_test(api: Api) -> None:
    test_id = int(api.data(api.p("/tests.json"))[0]["id"])
    reqs = {r["attributes"]["display-id"]: r["id"] for r in api.data(api.p("/requirements.json"))}
    links = api.p(f"/tests/{test_id}/relationships/requirements.json")
    added = api.post(links, {"data": [{"id": reqs[1], "type": "requirements"}]})
    assert added.status_code == 200, added.text
    assert [r["id"] for r in added.json()["data"]] == [reqs[1]]
    body = {
        "data": [{"id": reqs[2], "type": "requirements"}, {"id": reqs[3], "type": "requirements"}]
    }
    replaced = api.session.patch(api.url(links), json=body, timeout=10)
    assert [r["id"] for r in replaced.json()["data"]] == [reqs[2], reqs[3]]
    shown = api.data(api.p(f"/tests/{test_id}.json"), relationships="true")
    assert shown["relationships"]["requirements"]["data"] == [
        {"id": reqs[2], "type": "requirements"},
        {"id": reqs[3], "type": "requirements"},
    ]
    assert "relationships" not in api.data(api.p(f"/tests/{test_id}.json"))
    listed = api.data(api.p("/tests.json"), relationships="true")[0]
    assert len(listed["relationships"]["requirements"]["data"]) == 2
    removed = api.session.delete(
        api.url(links), json={"data": [{"id": reqs[2], "type": "requirements"}]}, timeout=10
    )
    assert [r["id"] for r in removed.json()["data"]] == [reqs[3]]


def test_linking_checks_every_identifier(api: Api) -> None:
    test_id = int(api.data(api.p("/tests.json"))[0]["id"])
    links = api.p(f"/tests/{test_id}/relationships/requirements.json")
    refused = api.post(
        links, {"data": [{"id": "999", "type": "requirements"}, {"id": "60000", "type": "tests"}]}
    )
    assert refused.status_code == 422
    assert error_detail(refused) == (
        "requirement 999 does not exist in project 4500 | type must be 'requirements', got 'tests'"
    )
    assert api.post(links, {"data": []}).status_code == 422


def test_automated_fields_are_stored_and_checked(api: Api, sim: Simulator) -> None:
    owner = sim.info.users["owner@example.com"]
    fields = {"script_path": "tests/test_a.py", "script_name": "tests/test_a.py::test_a"}
    body = {
        "type": "tests",
        "attributes": {"name": "a", "author-id": owner, "automated-fields": fields, "tags": ["x"]},
    }
    made = api.post(api.p("/tests.json"), {"data": body})
    assert made.status_code == 200, made.text
    assert made.json()["data"]["attributes"]["automated-fields"] == fields
    test_id = made.json()["data"]["id"]
    wrong = {"data": {"type": "tests", "attributes": {"automated-fields": {"script": "x"}}}}
    refused = api.put(api.p(f"/tests/{test_id}.json"), wrong)
    assert refused.status_code == 422
    assert pointers(refused) == ["/data/attributes/automated-fields/script"]
