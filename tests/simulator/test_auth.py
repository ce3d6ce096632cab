"""Authentication: three styles, account vs personal tokens, visibility."""

from __future__ import annotations

import requests

from pytest_practitest.simulator import Simulator
from tests.helpers import Api, error_detail


def test_ptt_token_header(sim: Simulator) -> None:
    response = requests.get(
        f"{sim.url}/api/v2/projects.json", headers={"PTToken": sim.token}, timeout=5
    )
    assert response.status_code == 200
    assert [p["attributes"]["name"] for p in response.json()["data"]] == [
        "Webshop",
        "Payments Backoffice",
    ]
    assert sim.requests[-1].auth == "header"


def test_basic_auth_with_any_user(sim: Simulator) -> None:
    response = requests.get(f"{sim.url}/api/v2/projects.json", auth=("any", sim.token), timeout=5)
    assert response.status_code == 200
    assert sim.requests[-1].auth == "basic"


def test_api_token_query_parameter(sim: Simulator) -> None:
    response = requests.get(
        f"{sim.url}/api/v2/projects.json",
        params={"api_token": sim.token, "developer_email": "me@example.com"},
        timeout=5,
    )
    assert response.status_code == 200
    assert sim.requests[-1].auth == "query"


def test_request_log_never_holds_the_token(sim: Simulator) -> None:
    requests.get(f"{sim.url}/api/v2/projects.json", params={"api_token": sim.token}, timeout=5)
    entry = sim.requests[-1]
    assert sim.token not in repr(entry)
    assert entry.query == ""


def test_missing_token_is_401(sim: Simulator) -> None:
    with Api(sim.url, None, sim.info.project_id) as anonymous:
        response = anonymous.get("/projects.json")
    assert response.status_code == 401
    assert error_detail(response).startswith("API token missing")


def test_wrong_token_is_401_without_echoing_it(sim: Simulator) -> None:
    with Api(sim.url, "not-the-token", sim.info.project_id) as wrong:
        response = wrong.get("/projects.json")
    assert response.status_code == 401
    assert error_detail(response) == "invalid API token (Your API key is wrong)"
    assert "not-the-token" not in response.text


def test_malformed_basic_auth_is_401(sim: Simulator) -> None:
    response = requests.get(
        f"{sim.url}/api/v2/projects.json", headers={"Authorization": "Basic %%%"}, timeout=5
    )
    assert response.status_code == 401


def test_personal_token_sees_only_its_projects(sim: Simulator) -> None:
    token = sim.info.personal_tokens["qa.engineer@example.com"]
    with Api(sim.url, token, sim.info.project_id) as personal:
        names = [p["attributes"]["name"] for p in personal.data("/projects.json")]
        hidden = personal.get(f"/projects/{sim.info.other_project_id}.json")
        hidden_runs = personal.get(f"/projects/{sim.info.other_project_id}/runs.json")
    assert names == ["Webshop"]
    assert hidden.status_code == 403
    assert (
        error_detail(hidden) == f"project {sim.info.other_project_id} is not visible to this token"
    )
    assert hidden_runs.status_code == 403


def test_unknown_project_is_404(api: Api) -> None:
    response = api.get("/projects/999999/tests.json")
    assert response.status_code == 404
    assert error_detail(response) == "project 999999 not found; check the project id"


def test_account_token_sees_every_project(api: Api, sim: Simulator) -> None:
    assert api.get(f"/projects/{sim.info.other_project_id}.json").status_code == 200
