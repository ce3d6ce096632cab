"""Projects, users, custom fields and fields.json."""

from __future__ import annotations

from pytest_practitest.simulator import Simulator
from tests.helpers import Api, error_detail


def test_show_project(api: Api) -> None:
    project = api.data(f"/projects/{api.project_id}.json")
    assert project["id"] == str(api.project_id)
    assert project["type"] == "projects"
    assert set(project["attributes"]) == {
        "name",
        "created-at",
        "automation-support",
        "enable-delete-issues",
        "time-management-support",
    }


def test_users_list_and_email_filter(api: Api, sim: Simulator) -> None:
    emails = [u["attributes"]["email"] for u in api.data("/users.json")]
    assert emails == ["owner@example.com", "qa.engineer@example.com", "qa.lead@example.com"]
    found = api.data("/users.json", email="QA.Engineer@example.com")
    assert [u["id"] for u in found] == [str(sim.info.users["qa.engineer@example.com"])]


def test_show_user(api: Api, sim: Simulator) -> None:
    user_id = sim.info.users["owner@example.com"]
    assert api.data(f"/users/{user_id}.json")["attributes"]["email"] == "owner@example.com"
    assert api.get("/users/1.json").status_code == 404


def test_users_active_must_be_boolean(api: Api) -> None:
    response = api.get("/users.json", active="yes")
    assert response.status_code == 400
    assert error_detail(response) == "active must be true or false, got 'yes'"


def test_custom_fields_list_and_show(api: Api, sim: Simulator) -> None:
    fields = api.data(api.p("/custom_fields.json"))
    assert [f["attributes"]["name"] for f in fields] == ["Browser", "Build", "Components"]
    assert fields[0]["type"] == "custom-fields"
    browser = api.data(api.p(f"/custom_fields/{sim.info.custom_fields['Browser']}.json"))
    assert browser["attributes"]["possible-values"] == ["Chrome", "Firefox", "Safari"]
    assert api.get(api.p("/custom_fields/1.json")).status_code == 404


def test_fields_json_lists_system_and_custom_fields(api: Api, sim: Simulator) -> None:
    fields = api.data(api.p("/fields.json"))
    kinds = {f["name"]: f["type"] for f in fields}
    assert kinds["Status"] == "SystemField"
    assert kinds["Browser"] == "CustomField"
    browser = next(f for f in fields if f["name"] == "Browser")
    assert browser["uniq_name"] == f"___f_{sim.info.custom_fields['Browser']}"
