"""Fault injection: every kind, call numbering, probability, limits."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from pytest_practitest.simulator import Fault, Simulator
from tests.helpers import Api, wait_for


def post_run(api: Api, timeout: float = 5) -> requests.Response:
    instance_id = 300000
    body = {
        "data": {"type": "instances", "attributes": {"instance-id": instance_id, "exit-code": 0}}
    }
    return api.post(api.p("/runs.json"), body, timeout=timeout)


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_status_fault_answers_without_storing(api: Api, sim: Simulator, status: int) -> None:
    sim.faults.add("status", "POST", r"/runs$", status=status, calls={1})
    first = post_run(api)
    assert first.status_code == status
    assert first.json()["errors"][0]["detail"] == f"injected fault (status {status})"
    assert sim.entities("runs") == []
    assert post_run(api).status_code == 200  # only call 1 was faulted
    assert len(sim.entities("runs")) == 1
    assert [r.fault for r in sim.requests] == ["status", None]


def test_injected_429_with_and_without_retry_after(api: Api, sim: Simulator) -> None:
    sim.faults.add("status", "GET", "/projects", status=429, calls={1}, retry_after=7)
    sim.faults.add("status", "GET", "/projects", status=429, calls={2})
    with_header = api.get("/projects.json")
    without = api.get("/projects.json")
    assert with_header.status_code == without.status_code == 429
    assert with_header.headers["Retry-After"] == "7"
    assert "Retry-After" not in without.headers


def test_reset_drops_the_connection_without_storing(api: Api, sim: Simulator) -> None:
    sim.faults.add("reset", "POST", r"/runs$", calls={1})
    with pytest.raises(requests.ConnectionError):
        post_run(api)
    assert sim.entities("runs") == []
    assert sim.requests[-1].status is None
    assert post_run(api).status_code == 200  # the client reconnects


def test_delay_longer_than_the_client_timeout_still_stores(api: Api, sim: Simulator) -> None:
    sim.faults.add("delay", "POST", r"/runs$", delay=0.6, calls={1})
    with pytest.raises(requests.ReadTimeout):
        post_run(api, timeout=0.2)
    # The server went on and stored the run: the client must not blindly re-post.
    assert wait_for(lambda: len(sim.entities("runs")) == 1)


def test_slow_stores_only_after_the_delay(api: Api, sim: Simulator) -> None:
    sim.faults.add("slow", "POST", r"/runs$", delay=0.5, calls={1})
    with pytest.raises(requests.ReadTimeout):
        post_run(api, timeout=0.1)
    assert sim.entities("runs") == []  # still being processed
    assert wait_for(lambda: len(sim.entities("runs")) == 1)


def test_malformed_body_after_storing(api: Api, sim: Simulator) -> None:
    sim.faults.add("malformed", "POST", r"/runs$", calls={1})
    response = post_run(api)
    assert response.status_code == 200
    with pytest.raises(requests.JSONDecodeError):
        response.json()
    assert len(sim.entities("runs")) == 1


def test_malformed_body_on_a_list(api: Api, sim: Simulator) -> None:
    sim.faults.add("malformed", "GET", r"/instances$")
    with pytest.raises(requests.JSONDecodeError):
        api.get(api.p("/instances.json")).json()


def test_commit_then_status(api: Api, sim: Simulator) -> None:
    sim.faults.add("commit_then_status", "POST", r"/runs$", status=500, calls={1})
    assert post_run(api).status_code == 500
    assert len(sim.entities("runs")) == 1


def test_commit_then_reset(api: Api, sim: Simulator) -> None:
    sim.faults.add("commit_then_reset", "POST", r"/runs$", calls={1})
    with pytest.raises(requests.ConnectionError):
        post_run(api)
    assert len(sim.entities("runs")) == 1


def test_calls_count_matching_requests_only(api: Api, sim: Simulator) -> None:
    sim.faults.add("status", "POST", r"/runs$", calls={2, 3}, status=503)
    api.get("/projects.json")  # does not match, not counted
    assert [post_run(api).status_code for _ in range(4)] == [200, 503, 503, 200]


def test_times_limits_an_always_on_rule(api: Api, sim: Simulator) -> None:
    sim.faults.add("status", "*", "", status=502, times=2)
    assert [api.get("/projects.json").status_code for _ in range(3)] == [502, 502, 200]


def test_seeded_probability_is_repeatable(sim: Simulator, api: Api) -> None:
    def pattern() -> list[int]:
        sim.faults.clear()
        sim.faults.add("status", "GET", "/projects", probability=0.5, seed=7, status=503)
        return [api.get("/projects.json").status_code for _ in range(12)]

    first, second = pattern(), pattern()
    assert first == second
    assert 503 in first
    assert 200 in first


def test_faults_over_the_control_endpoint(api: Api, sim: Simulator) -> None:
    rules = [{"kind": "status", "method": "GET", "path": "/projects", "status": 504, "calls": [1]}]
    assert requests.post(f"{sim.url}/_sim/faults", json=rules, timeout=5).json() == {"added": 1}
    assert api.get("/projects.json").status_code == 504
    assert requests.delete(f"{sim.url}/_sim/faults", timeout=5).status_code == 200
    assert sim.faults.rules == []
    bad = requests.post(f"{sim.url}/_sim/faults", json=[{"kind": "explode"}], timeout=5)
    assert bad.status_code == 400


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"kind": "explode"}, "unknown fault kind 'explode'"),
        ({"kind": "status", "status": 200}, "fault status must be 4xx or 5xx, got 200"),
        ({"kind": "delay", "delay": 500}, "fault delay must be between 0 and 120 seconds"),
        ({"kind": "status", "probability": 2}, "fault probability must be between 0 and 1"),
        ({"kind": "status", "colour": "red"}, "unknown fault field(s): colour"),
    ],
)
def test_bad_fault_rules_are_refused(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        Fault.from_dict(options)


@pytest.mark.practitest_simulator(rate_limit=(2, 30.0))
def test_faulted_calls_count_against_the_rate_limit(sim: Simulator) -> None:
    with Api(sim.url, sim.token, sim.info.project_id) as api:
        sim.faults.add("status", "GET", "", status=500, calls={1})
        assert [api.get("/projects.json").status_code for _ in range(3)] == [500, 200, 429]
