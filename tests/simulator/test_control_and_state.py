"""Control endpoints, the in-process inspection API, and the state file."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from pytest_practitest.simulator import Simulator
from tests.helpers import Api


def test_health_and_state_and_requests(api: Api, sim: Simulator) -> None:
    health = requests.get(f"{sim.url}/_sim/health", timeout=5).json()
    assert health["ok"] is True
    assert health["info"]["project_id"] == sim.info.project_id
    assert "token" not in health["info"]
    api.run(300000, **{"exit-code": 0})
    state = requests.get(f"{sim.url}/_sim/state", timeout=5).json()
    assert [r["status"] for r in state["runs"]] == ["PASSED"]
    log = requests.get(f"{sim.url}/_sim/requests", timeout=5).json()["data"]
    assert [(e["method"], e["path"], e["status"]) for e in log] == [
        ("POST", f"/api/v2/projects/{api.project_id}/runs.json", 200)
    ]
    assert log[0]["request_bytes"] > 0
    assert log[0]["response_bytes"] > 0
    assert requests.get(f"{sim.url}/_sim/nothing", timeout=5).status_code == 404


def test_request_log_can_be_cleared(api: Api, sim: Simulator) -> None:
    api.get("/projects.json")
    sim.clear_requests()
    assert sim.requests == []


def test_given_token_is_the_account_token() -> None:
    with Simulator(token="ci-token-123", rate_limit=None) as sim:
        assert sim.token == "ci-token-123"
        response = requests.get(
            f"{sim.url}/api/v2/projects.json", headers={"PTToken": "ci-token-123"}, timeout=5
        )
    assert response.status_code == 200


@pytest.mark.practitest_simulator(seed="empty")
def test_empty_seed(sim: Simulator) -> None:
    with Api(sim.url, sim.token, sim.info.project_id) as api:
        assert api.data(api.p("/tests.json")) == []
        assert api.data(api.p("/sets.json")) == []
        assert sim.info.set_id is None


def test_state_file_survives_a_restart(tmp_path: Path) -> None:
    state = tmp_path / "sim.sqlite3"
    with (
        Simulator(state_file=state, token="keep", rate_limit=None) as first,
        Api(first.url, first.token, first.info.project_id) as api,
    ):
        item = {
            "type": "instances",
            "attributes": {"instance-id": 300001, "exit-code": 1},
            "files": {"data": [{"filename": "a.txt", "content_encoded": "aGVsbG8="}]},
        }
        assert api.post(api.p("/runs.json"), {"data": item}).status_code == 200
    with (
        Simulator(state_file=state, rate_limit=None) as second,
        Api(second.url, "keep", second.info.project_id) as api,
    ):
        runs = api.data(api.p("/runs.json"))
        assert [r["attributes"]["status"] for r in runs] == ["FAILED"]
        attachment = api.data(
            api.p("/attachments.json"), entity="run", **{"entity-id": runs[0]["id"]}
        )[0]
        assert api.get(api.p(f"/attachments/{attachment['id']}")).content == b"hello"
        # Ids keep counting from where they were.
        assert int(api.run(300001, **{"exit-code": 0})["id"]) == int(runs[0]["id"]) + 1
