"""Tests (create, list filters, show, update, delete) and steps."""

from __future__ import annotations

from typing import Any

import pytest

from pytest_practitest.simulator import Simulator
from tests.helpers import Api, error_detail, pointers


def make_test_body(**attributes: Any) -> dict[str, Any]:
    return {"data": {"type": "tests", "attributes": attributes}}


def test_list_filters(api: Api) -> None:
    everything = api.data(api.p("/tests.json"))
    assert len(everything) == 8
    assert [
        t["attributes"]["name"]
        for t in api.data(api.p("/tests.json"), name_exact="Cart: add an item")
    ] == ["Cart: add an item"]
    assert api.data(api.p("/tests.json"), name_exact="cart: add an item") == []
    like = api.data(api.p("/tests.json"), name_like="CHECKOUT")
    assert [t["attributes"]["name"] for t in like] == [
        "Checkout: pay by card",
        "Checkout: pay by invoice",
    ]
    by_display = api.data(api.p("/tests.json"), **{"display-ids": "2,4"})
    assert [t["attributes"]["display-id"] for t in by_display] == [2, 4]


def test_create_with_account_token_needs_author(api: Api, sim: Simulator) -> None:
    response = api.post(api.p("/tests.json"), make_test_body(name="New test"))
    assert response.status_code == 422
    assert error_detail(response) == "author-id is required when using an account token"
    assert pointers(response) == ["/data/attributes/author-id"]
    owner = sim.info.users["owner@example.com"]
    created = api.post(
        api.p("/tests.json"), make_test_body(name="New test", **{"author-id": owner})
    )
    assert created.status_code == 200
    attributes = created.json()["data"]["attributes"]
    assert attributes["author-id"] == owner
    assert attributes["display-id"] == 9
    assert attributes["test-type"] == "ApiTest"


def test_author_must_be_a_project_member(api: Api, sim: Simulator) -> None:
    response = api.post(api.p("/tests.json"), make_test_body(name="X", **{"author-id": 999}))
    assert response.status_code == 422
    assert error_detail(response) == f"user 999 does not exist in project {api.project_id}"


def test_create_with_personal_token_acts_as_owner(sim: Simulator) -> None:
    token = sim.info.personal_tokens["qa.engineer@example.com"]
    with Api(sim.url, token, sim.info.project_id) as personal:
        response = personal.post(
            personal.p("/tests.json"),
            make_test_body(name="Mine", **{"author-id": sim.info.users["owner@example.com"]}),
        )
    assert response.status_code == 200
    # No impersonation: author-id is ignored and the token's owner is the author.
    assert (
        response.json()["data"]["attributes"]["author-id"]
        == sim.info.users["qa.engineer@example.com"]
    )


def test_impersonating_personal_token_may_name_the_author(sim: Simulator) -> None:
    token = sim.info.personal_tokens["qa.lead@example.com"]
    owner = sim.info.users["owner@example.com"]
    with Api(sim.url, token, sim.info.project_id) as personal:
        response = personal.post(
            personal.p("/tests.json"), make_test_body(name="Theirs", **{"author-id": owner})
        )
    assert response.json()["data"]["attributes"]["author-id"] == owner


def test_create_with_steps(api: Api, sim: Simulator) -> None:
    body = make_test_body(name="Stepped", **{"author-id": sim.info.users["owner@example.com"]})
    body["data"]["steps"] = {"data": [{"name": "one", "expected-results": "ok"}, {"name": "two"}]}
    test = api.post(api.p("/tests.json"), body).json()["data"]
    assert test["attributes"]["steps-count"] == 2
    steps = api.data(api.p("/steps.json"), **{"test-ids": test["id"]})
    assert [(s["attributes"]["name"], s["attributes"]["position"]) for s in steps] == [
        ("one", 1),
        ("two", 2),
    ]


def test_duplicate_test_name_is_422(api: Api, sim: Simulator) -> None:
    response = api.post(
        api.p("/tests.json"),
        make_test_body(
            name="Cart: add an item", **{"author-id": sim.info.users["owner@example.com"]}
        ),
    )
    assert response.status_code == 422
    assert error_detail(response).startswith("name 'Cart: add an item' has already been taken")


@pytest.mark.parametrize(
    ("attributes", "pointer", "detail"),
    [
        ({}, "/data/attributes/name", "name is required"),
        ({"name": "  "}, "/data/attributes/name", "name must not be blank"),
        (
            {"name": "x" * 256},
            "/data/attributes/name",
            "name is 256 characters; at most 255 are allowed",
        ),
        (
            {"name": "t", "test-type": "Robot"},
            "/data/attributes/test-type",
            "test-type must be one of ScriptedTest, ApiTest, FireCracker, xBotTest, EggplantTest, BDDTest; got 'Robot'",
        ),
        ({"name": "t", "colour": "red"}, "/data/attributes/colour", "unknown member 'colour'"),
        ({"name": "t", "tags": "a,b"}, "/data/attributes/tags", "tags must be a list of strings"),
    ],
)
def test_create_validation(
    api: Api, sim: Simulator, attributes: dict[str, Any], pointer: str, detail: str
) -> None:
    attributes["author-id"] = sim.info.users["owner@example.com"]
    response = api.post(api.p("/tests.json"), make_test_body(**attributes))
    assert response.status_code == 422
    assert pointer in pointers(response)
    assert detail in error_detail(response)


def test_show_update_delete(api: Api) -> None:
    test_id = api.data(api.p("/tests.json"), name_exact="Cart: add an item")[0]["id"]
    assert api.data(api.p(f"/tests/{test_id}.json"))["attributes"]["name"] == "Cart: add an item"
    updated = api.put(
        api.p(f"/tests/{test_id}.json"), make_test_body(priority="highest", version="2.0")
    )
    assert updated.status_code == 200
    assert updated.json()["data"]["attributes"]["priority"] == "highest"
    renamed_to_taken = api.put(
        api.p(f"/tests/{test_id}.json"), make_test_body(name="Cart: remove an item")
    )
    assert renamed_to_taken.status_code == 422
    assert api.delete(api.p(f"/tests/{test_id}.json")).status_code == 200
    assert api.get(api.p(f"/tests/{test_id}.json")).status_code == 404
    # Deleting a test removes its instances and steps too.
    assert api.data(api.p("/instances.json"), **{"test-ids": test_id}) == []
    assert api.data(api.p("/steps.json"), **{"test-ids": test_id}) == []


def test_steps_list_filters(api: Api) -> None:
    steps = api.data(api.p("/steps.json"), name_like="CART")
    assert {s["attributes"]["name"] for s in steps} == {
        "Add it to the cart",
        "Check the cart total",
        "Fill the cart",
    }
    exact = api.data(api.p("/steps.json"), name_exact="Pay by card")
    assert len(exact) == 1


def _step_body(test_id: str, count: int) -> dict[str, Any]:
    steps = [
        {"name": f"step {i}", "description": "d", "expected-results": "e"} for i in range(count)
    ]
    return {"data": {"type": "steps", "attributes": {"test-id": int(test_id), "steps": steps}}}


def test_create_steps_up_to_100(api: Api) -> None:
    test_id = api.data(api.p("/tests.json"))[0]["id"]
    response = api.post(api.p("/steps.json"), _step_body(test_id, 100))
    assert response.status_code == 200
    assert len(response.json()["data"]) == 100
    assert api.data(api.p(f"/tests/{test_id}.json"))["attributes"]["steps-count"] == 103


def test_create_101_steps_is_422(api: Api) -> None:
    test_id = api.data(api.p("/tests.json"))[0]["id"]
    response = api.post(api.p("/steps.json"), _step_body(test_id, 101))
    assert response.status_code == 422
    assert error_detail(response) == "at most 100 steps per request, got 101"


def test_create_steps_for_unknown_test_is_422(api: Api) -> None:
    response = api.post(api.p("/steps.json"), _step_body("1", 1))
    assert response.status_code == 422
    assert error_detail(response) == f"test-id 1 does not exist in project {api.project_id}"


def test_step_show_update_delete(api: Api) -> None:
    step = api.data(api.p("/steps.json"))[0]
    path = api.p(f"/steps/{step['id']}.json")
    assert api.data(path)["attributes"]["name"] == step["attributes"]["name"]
    changed = api.put(path, {"data": {"type": "steps", "attributes": {"name": "renamed"}}})
    assert changed.json()["data"]["attributes"]["name"] == "renamed"
    assert api.delete(path).status_code == 200
    assert api.get(path).status_code == 404


def test_name_lookups_follow_a_rename_and_a_delete(api: Api, sim: Simulator) -> None:
    """Exact names are looked up through an index: it must follow every change."""
    test_id = api.data(api.p("/tests.json"), name_exact="Cart: add an item")[0]["id"]
    renamed = api.put(api.p(f"/tests/{test_id}.json"), make_test_body(name="Cart: put in"))
    assert renamed.status_code == 200
    assert api.data(api.p("/tests.json"), name_exact="Cart: add an item") == []
    assert [t["id"] for t in api.data(api.p("/tests.json"), name_exact="Cart: put in")] == [test_id]
    # the old name is free again, the new one is taken
    owner = sim.info.users["owner@example.com"]
    again = api.post(
        api.p("/tests.json"), make_test_body(name="Cart: add an item", **{"author-id": owner})
    )
    assert again.status_code == 200, again.text
    taken = api.post(
        api.p("/tests.json"), make_test_body(name="Cart: put in", **{"author-id": owner})
    )
    assert taken.status_code == 422
    # auto_create finds the renamed test by its new name, and makes no other
    body = {
        "data": {
            "type": "instances",
            "attributes": {"set-id": sim.info.set_id, "exit-code": 0},
            "test-attributes": {"name": "Cart: put in"},
        }
    }
    answer = api.post(api.p("/runs/auto_create.json"), body).json()
    assert answer["data"]["attributes"]["test-id"] == int(test_id)
    assert "created-test" not in answer["meta"]
    assert api.delete(api.p(f"/tests/{test_id}.json")).status_code == 200
    assert api.data(api.p("/tests.json"), name_exact="Cart: put in") == []
